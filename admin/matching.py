"""Coordinator commands for matching: explained suggestions and proposals.

mp:<mentee>:<mentor>   propose this pair (under /suggest)
ma:<digest>            ask to confirm proposing the whole assignment shown (it messages two women a pair)
ma:<digest>:y          propose it, if the pool has not changed since
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from babel.lists import format_list
from babel.numbers import format_decimal

from admin.interviews import person_by_id
from conversations import cities, engine, pairing
from conversations.context import Ctx
from conversations.events import Button, Press, Reply
from conversations.i18n import Translator, isolate
from conversations.matching import MatchWeights, Profile, Scored, assignment, best_mentors, best_possible
from conversations.registration import LINES_OF_WORK, MEETINGS, MENTEE_GOALS, SPOKEN
from conversations.texts import ABOUT_HER_CHOICES, role_name, status_name
from storage import pairs, queries
from storage.models import Person, Role, Status

PROPOSE_PREFIX = "mp"
PROPOSE_ALL_PREFIX = "ma"
SHOWN = 8  # proposals offered as buttons under one list
_TWO_IDS = re.compile(r"^\s*[Pp]-?(\d{1,9})\s+[Pp]-?(\d{1,9})\s*$")
_LABELS = {
    "work": {c.value: c.label for c in LINES_OF_WORK},
    "languages": {c.value: c.label for c in SPOKEN},
    "goals": {c.value: ABOUT_HER_CHOICES.get(("goals", c.value), c.label) for c in MENTEE_GOALS},
    "meetings": {c.value: c.label for c in MEETINGS},
}


def profile(person: Person, pairs_this_year: int = 0) -> Profile:
    """What matching reads of a person."""
    return Profile(
        id=person.id or 0,
        line_of_work=person.line_of_work,
        education_field=person.education_field,
        languages=tuple(person.languages),
        city=person.city,
        city_other=person.city_other,
        birth_year=person.birth_year,
        goals=tuple(person.goals),
        offers=tuple(person.offers),
        meetings_per_month=person.meetings_per_month,
        wishes=person.wishes,
        pairs=pairs_this_year,
        waiting_since=person.registered_at,
    )


def _param(tr: Translator, name: str, value: Any) -> Any:
    """A reason's parameter in words: codes become labels, lists become her kind of list."""
    if name == "city":  # a code from the network's list, named in her language; other words as typed
        return cities.display(value, value, tr.language)
    labels = _LABELS.get(name, {})
    if isinstance(value, list):
        return format_list(
            [tr.gettext(labels[v]) if v in labels else str(v) for v in value], locale=tr.locale
        )
    return tr.gettext(labels[value]) if value in labels else value


def explain(tr: Translator, scored: Scored) -> str:
    """The reasons, in her language."""
    reasons = [
        tr.gettext(r.msgid, **{k: _param(tr, k, v) for k, v in r.params.items()}) for r in scored.reasons
    ]
    return "; ".join(reasons) or tr.gettext("nothing in particular in common")


def points(tr: Translator, value: float) -> str:
    """A score as she writes numbers."""
    return format_decimal(value, format="0.0", locale=tr.locale)


def on_scale(tr: Translator, value: float, mentee: Person, weights: MatchWeights) -> str:
    """A score with its scale: out of the most any mentor could score for this mentee."""
    best = best_possible(profile(mentee), weights)
    return tr.gettext("{score} of {best} points", score=points(tr, value), best=points(tr, best))


def first_name(person: Person) -> str:
    """Her first name, set apart for the other direction's text (a button is short)."""
    return isolate((person.name or "").split(" ")[0] or person.short_id)


def _pool(ctx: Ctx) -> tuple[list[Person], list[Person], dict[int, Person], set[tuple[int, int]]]:
    """Who can be matched now: mentees and mentors ready, in no active pair."""
    session = ctx.session
    ready = [p for p in queries.people_with_status(session, status=Status.READY_TO_BE_MATCHED) if p.id]
    busy = pairs.in_active_pairs(session)
    free = [p for p in ready if p.id not in busy]
    mentees = [p for p in free if p.role == Role.MENTEE]
    mentors = [p for p in free if p.role == Role.MENTOR]
    return mentees, mentors, {p.id or 0: p for p in free}, pairs.declined_pairs(session)


def _mentor_profiles(ctx: Ctx, mentors: Sequence[Person]) -> list[Profile]:
    year_ago = ctx.now - timedelta(days=365)
    counts = pairs.pairs_since(ctx.session, mentor_ids=[m.id or 0 for m in mentors], since=year_ago)
    return [profile(m, counts.get(m.id or 0, 0)) for m in mentors]


def suggest(ctx: Ctx, args: str, weights: MatchWeights) -> None:
    """/suggest P-12: the best five mentors for her; /suggest alone: the best assignment of everyone."""
    if args.strip():
        _for_one(ctx, args, weights)
    else:
        _for_all(ctx, weights)


def _for_one(ctx: Ctx, args: str, weights: MatchWeights) -> None:
    tr = ctx.tr
    mentee = person_by_id(ctx, args, "suggest")
    if mentee is None:
        return
    if mentee.role != Role.MENTEE or mentee.status != Status.READY_TO_BE_MATCHED:
        ctx.say(
            Reply(
                tr.gettext(
                    "{name} ({id}) is a {role} whose status is {status}; suggestions are for mentees who are ready to be matched.",
                    name=mentee.name,
                    id=mentee.short_id,
                    role=role_name(tr, mentee.role),
                    status=status_name(tr, mentee.status),
                )
            )
        )
        return
    if pairs.active_pair_of(ctx.session, person_id=mentee.id or 0) is not None:
        ctx.say(
            Reply(
                tr.gettext("{name} ({id}) already has a proposed pair.", name=mentee.name, id=mentee.short_id)
            )
        )
        return
    _, mentors, _, declined = _pool(ctx)
    ranked = best_mentors(
        profile(mentee), _mentor_profiles(ctx, mentors), weights, year=ctx.now.year, declined=declined
    )
    if not ranked and mentors:  # every mentor ready met her before and they did not continue
        ctx.say(
            Reply(
                tr.ngettext(
                    "The only mentor ready to be matched, {mentors}, met {name} ({id}) before and they did "
                    "not continue. No other mentor is ready just now.",
                    "The {count} mentors ready to be matched ({mentors}) all met {name} ({id}) before and "
                    "did not continue. No other mentor is ready just now.",
                    len(mentors),
                    mentors=format_list(
                        [f"{tr.isolate(m.name)} ({m.short_id})" for m in mentors], locale=tr.locale
                    ),
                    name=mentee.name,
                    id=mentee.short_id,
                )
            )
        )
        return
    if not ranked:
        ctx.say(Reply(tr.gettext("No mentor is ready to be matched just now.")))
        return
    by_id = {m.id: m for m in mentors}
    lines = [tr.gettext("The best mentors for {name} ({id}):", name=mentee.name, id=mentee.short_id), ""]
    buttons = []
    for number, scored in enumerate(ranked, 1):
        mentor = by_id[scored.mentor]
        score = on_scale(tr, scored.score, mentee, weights)
        lines.append(f"{number}. {mentor.short_id} {tr.isolate(mentor.name)} – {score}")
        lines.append(f"   {explain(tr, scored)}")
        buttons.append(
            (
                Button(
                    tr.gettext("Propose {name} ({id})", name=first_name(mentor), id=mentor.short_id),
                    f"{PROPOSE_PREFIX}:{mentee.id}:{mentor.id}",
                ),
            )
        )
    ctx.say(Reply("\n".join(lines), tuple(buttons)))


def _digest(chosen: Sequence[Scored]) -> str:
    listed = ",".join(f"{s.mentee}-{s.mentor}" for s in chosen[:SHOWN])
    return hashlib.sha256(listed.encode()).hexdigest()[:16]


def _assign(ctx: Ctx, weights: MatchWeights) -> tuple[list[Scored], dict[int, Person]]:
    mentees, mentors, people, declined = _pool(ctx)
    chosen = assignment(
        [profile(m) for m in mentees],
        _mentor_profiles(ctx, mentors),
        weights,
        year=ctx.now.year,
        declined=declined,
    )
    return chosen, people


def _for_all(ctx: Ctx, weights: MatchWeights) -> None:
    tr = ctx.tr
    chosen, people = _assign(ctx, weights)
    if not chosen:
        ctx.say(
            Reply(
                tr.gettext(
                    "There is no pair to suggest: no mentee and mentor who could be matched are both ready."
                )
            )
        )
        return
    lines = [tr.gettext("The best assignment of everyone waiting (the highest total score):"), ""]
    buttons = []
    for scored in chosen:
        mentee, mentor = people[scored.mentee], people[scored.mentor]
        score = on_scale(tr, scored.score, mentee, weights)
        lines.append(
            f"{mentee.short_id} {tr.isolate(mentee.name)} + {mentor.short_id} {tr.isolate(mentor.name)} – {score}"
        )
        lines.append(f"   {explain(tr, scored)}")
    for scored in chosen[:SHOWN]:
        mentee, mentor = people[scored.mentee], people[scored.mentor]
        label = tr.gettext(
            "Propose {mentee} + {mentor}",
            mentee=f"{first_name(mentee)} ({mentee.short_id})",
            mentor=f"{first_name(mentor)} ({mentor.short_id})",
        )
        buttons.append((Button(label, f"{PROPOSE_PREFIX}:{mentee.id}:{mentor.id}"),))
    shown = min(len(chosen), SHOWN)
    all_label = tr.ngettext("Propose this pair", "Propose all {count} pairs", shown)
    buttons.append((Button(all_label, f"{PROPOSE_ALL_PREFIX}:{_digest(chosen)}"),))
    ctx.say(Reply("\n".join(lines), tuple(buttons)))


def press_propose_all(ctx: Ctx, event: Press, weights: MatchWeights) -> str | None:
    """Propose all: first a question saying how many women it writes to; then, on Yes, every pair of the list.

    If the pool has changed since the list was shown (also when this list was just proposed, so a second
    press or last week's button), the list as it is now comes instead and nothing is proposed.
    """
    tr = ctx.tr
    digest, _, answer = event.data.partition(":")[2].partition(":")
    if answer not in ("", "y", "n"):
        return engine.stale(tr)
    if answer == "n":
        ctx.edit(event.message_id, Reply(tr.gettext("Nothing was proposed.")))
        return None
    chosen, people = _assign(ctx, weights)
    if chosen and digest == _digest(chosen) and answer == "":
        shown = len(chosen[:SHOWN])
        ctx.say(
            Reply(
                tr.ngettext(
                    "Propose this pair? Both women get the proposal at once.",
                    "Propose all {count} pairs? {women} women get a proposal at once.",
                    shown,
                    women=2 * shown,
                ),
                (
                    (
                        Button(
                            tr.ngettext("Yes, propose it", "Yes, propose all {count}", shown),
                            f"{PROPOSE_ALL_PREFIX}:{digest}:y",
                        ),
                        Button(tr.gettext("No"), f"{PROPOSE_ALL_PREFIX}:{digest}:n"),
                    ),
                ),
            )
        )
        return None
    if not chosen or digest != _digest(chosen):
        ctx.say(
            Reply(
                ctx.tr.gettext("Who is waiting has changed since that list. Here is the list as it is now:")
            )
        )
        _for_all(ctx, weights)
        return None
    ctx.edit(event.message_id, Reply(ctx.tr.gettext("Proposing all pairs of the list.")))
    for scored in chosen[:SHOWN]:
        _propose(ctx, people[scored.mentee], people[scored.mentor])
    return None


def propose(ctx: Ctx, args: str) -> None:
    """/propose P-12 P-40: the mentee first, then the mentor."""
    match = _TWO_IDS.match(args or "")
    if match is None:
        ctx.say(
            Reply(
                ctx.tr.gettext(
                    "Write it like /propose P-12 P-40: the mentee first, then the mentor. /suggest P-12 shows good mentors."
                )
            )
        )
        return
    mentee = person_by_id(ctx, f"P-{match[1]}", "propose")
    mentor = person_by_id(ctx, f"P-{match[2]}", "propose") if mentee is not None else None
    if mentee is not None and mentor is not None:
        _propose(ctx, mentee, mentor)


def press_propose(ctx: Ctx, event: Press) -> str | None:
    """A Propose button under /suggest."""
    mentee_id, _, mentor_id = event.data.partition(":")[2].partition(":")
    if not (mentee_id.isdigit() and mentor_id.isdigit()):
        return engine.stale(ctx.tr)
    mentee, mentor = ctx.session.get(Person, int(mentee_id)), ctx.session.get(Person, int(mentor_id))
    if mentee is None or mentor is None:
        return engine.stale(ctx.tr)
    _propose(ctx, mentee, mentor)
    return None


def _propose(ctx: Ctx, mentee: Person, mentor: Person) -> None:
    """Create the pair and tell both, or say exactly why not."""
    tr, session, now = ctx.tr, ctx.session, ctx.now
    problem = _refusal(ctx, mentee, mentor)
    if problem is not None:
        ctx.say(Reply(problem))
        return
    pair_id = pairs.propose(
        session, mentee_id=mentee.id or 0, mentor_id=mentor.id or 0, coordinator=ctx.key.id, now=now
    )
    if pair_id is None:  # another coordinator proposed one of them a moment ago
        ctx.say(
            Reply(
                tr.gettext(
                    "Not proposed: {mentee} ({mentee_id}) or {mentor} ({mentor_id}) was just proposed in another pair.",
                    **pairing.names(mentee, mentor),
                )
            )
        )
        return
    pair = pairs.get(session, pair_id=pair_id)
    pairing.send_proposal(session, pair=pair, mentee=mentee, mentor=mentor, i18n=ctx.i18n, now=now)
    ctx.say(
        Reply(
            tr.gettext(
                "Proposed {pair}: {mentee} ({mentee_id}) and {mentor} ({mentor_id}). Both have been told; you are the pair's coordinator.",
                pair=pair.short_id,
                **pairing.names(mentee, mentor),
            )
        )
    )


def _refusal(ctx: Ctx, mentee: Person, mentor: Person) -> str | None:
    """Why this pair cannot be proposed, in her language; None when it can."""
    tr = ctx.tr
    for person, role in ((mentee, Role.MENTEE), (mentor, Role.MENTOR)):
        if person.role != role:
            return tr.gettext(
                "Not proposed: {name} ({id}) is registered as a {actual}, not as a {role}. Write the mentee first, then the mentor.",
                name=person.name,
                id=person.short_id,
                actual=role_name(tr, person.role),
                role=role_name(tr, role),
            )
        if person.status != Status.READY_TO_BE_MATCHED:
            return tr.gettext(
                "Not proposed: {name} ({id}) is not ready to be matched; her status is {status}.",
                name=person.name,
                id=person.short_id,
                status=status_name(tr, person.status),
            )
        active = pairs.active_pair_of(ctx.session, person_id=person.id or 0)
        if active is not None:
            return tr.gettext(
                "Not proposed: {name} ({id}) is already in the proposed pair {pair}.",
                name=person.name,
                id=person.short_id,
                pair=active.short_id,
            )
    if (mentee.id, mentor.id) in pairs.declined_pairs(ctx.session):
        return tr.gettext(
            "Not proposed: {mentee} and {mentor} met before and did not continue.",
            mentee=mentee.name,
            mentor=mentor.name,
        )
    return None
