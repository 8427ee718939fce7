"""Coordinator commands about pairs: one pair's whole history, each coordinator's caseload, ending a pair."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from functools import partial

from babel.lists import format_list

from conversations import engine, pairing, timeline, year
from conversations.agreement import render
from conversations.context import Ctx, post
from conversations.coordinators import coordinator_name
from conversations.events import Reply
from conversations.i18n import Translator, __
from storage import pairs, people, queries, surveys
from storage.models import Pair, PairStatus, Person

CASELOAD_PER_YEAR = 80  # the roadmap: each coordinator manages up to 80 matched pairs a year
_PAIR_ID = re.compile(r"^\s*[Mm]-?(\d{1,9})(?:\s+(?P<rest>.*))?$", re.DOTALL)
PAIR_STATES = {
    PairStatus.PROPOSED: __("proposed"),
    PairStatus.CONFIRMED: __("confirmed"),
    PairStatus.DECLINED: __("did not continue after the first meeting"),
    PairStatus.ENDED: __("ended"),
}


def _pair(ctx: Ctx, args: str, command: str) -> tuple[Pair, str] | None:
    """The pair a coordinator named as M-5, and the rest of the line; explains when there is none."""
    match = _PAIR_ID.match(args or "")
    pair = ctx.session.get(Pair, int(match[1])) if match else None
    if match is None or pair is None:
        ctx.say(
            Reply(
                ctx.tr.gettext(
                    "There is no pair {given}. Write it like /{command} M-5; /overdue and /caseload show pairs.",
                    given=((args or "").split() or ["–"])[0][:20],
                    command=command,
                )
            )
        )
        return None
    return pair, (match["rest"] or "").strip()


def row(tr: Translator, label: str, value: str) -> str:
    """One line of a record: • label: value (label is a msgid)."""
    return f"• {tr.gettext(label)}: {value}"


def _when(tr: Translator, moment: datetime | None) -> str:
    return tr.datetime(moment) if moment else "–"


def _survey_name(tr: Translator, kind: str) -> str:
    """A questionnaire's name for the coordinator, as the programme declares it."""
    found = next((s for s in timeline.PROGRAMME if s.name == kind and s.title), None)
    return tr.gettext(found.title, **found.words(tr.locale)) if found else kind


def pair_record(ctx: Ctx, args: str) -> None:
    """/pair M-5: one pair's whole history."""
    found = _pair(ctx, args, "pair")
    if found is None:
        return
    tr, session, pair = ctx.tr, ctx.session, found[0]
    mentee, mentor = pairs.people_of(ctx.session, pair)
    yes_no = {True: tr.gettext("yes"), False: tr.gettext("no"), None: "–"}
    lines = [
        tr.gettext(
            "{pair}: {mentee} ({mentee_id}, mentee) and {mentor} ({mentor_id}, mentor) – {state}",
            pair=pair.short_id,
            **pairing.names(mentee, mentor),
            state=tr.gettext(PAIR_STATES[PairStatus(pair.status)]),
        ),
        tr.gettext("Coordinator: {name}", name=coordinator_name(session, tr, pair.coordinator, with_id=True)),
        "",
        row(tr, __("Proposed"), _when(tr, pair.proposed_at)),
        *[
            row(
                tr,
                __("Handed over"),
                tr.gettext(
                    "{when}, from {old} to {new}",
                    when=_when(tr, h.at),
                    old=coordinator_name(session, tr, h.from_coordinator, with_id=True),
                    new=coordinator_name(session, tr, h.to_coordinator, with_id=True),
                ),
            )
            for h in people.handovers_of(session, pair_id=pair.id or 0)
        ],
        row(tr, __("First meeting"), _when(tr, pair.meeting_at))
        + (" (" + tr.gettext("agreed by both") + ")" if pair.meeting_agreed_at else ""),
        row(
            tr,
            __("Decision"),
            tr.gettext(
                "mentee {mentee}, mentor {mentor}",
                mentee=yes_no[pair.mentee_decision],
                mentor=yes_no[pair.mentor_decision],
            ),
        ),
    ]
    reasons = pairing.reasons_of(pair, ctx.notes)
    lines += ["  " + tr.gettext(pairing.REASON_OF[role], reason=reason) for role, reason in reasons.items()]
    if pair.confirmed_at:
        _, ends_at = year.end_dates(pair)
        lines.append(row(tr, __("Confirmed"), _when(tr, pair.confirmed_at)))
        lines.append(row(tr, __("Agreement complete"), _when(tr, pair.agreement_done_at)))
        met = [m for m in pairs.meetings_of(session, pair_id=pair.id or 0) if m.confirmed_at]
        if met:
            days = format_list([tr.day(m.held_on) for m in met], locale=tr.locale)
            lines.append(row(tr, __("Meetings confirmed by both"), days))
        lines.append(row(tr, __("Ends"), tr.date(ends_at)))
    if pair.end_reasons:
        labels = {c.value: c.label for c in year.WHY_ENDED}
        given = format_list([tr.gettext(labels.get(r, r)) for r in pair.end_reasons], locale=tr.locale)
        lines.append(row(tr, __("Notice given, reasons"), given))
    end_note = (
        ctx.notes.open_or_none(pair.end_note, f"{pair.short_id}'s end note")
        if pair.end_note and ctx.notes
        else None
    )
    if end_note is not None:
        lines.append(row(tr, __("Ended by the coordinator"), end_note["note"]))
    if pair.ended_at:
        lines.append(row(tr, __("Ended"), _when(tr, pair.ended_at)))
    for survey in surveys.of_pair(session, pair_id=pair.id or 0):
        person = mentee if survey.person_id == mentee.id else mentor
        state = _when(tr, survey.answered_at) if survey.answered_at else tr.gettext("not answered")
        label = _survey_name(tr, survey.kind)
        lines.append(f"• {label}, {tr.isolate(person.name)}: {state}")
        if survey.answered_at and survey.kind != timeline.EVALUATION:
            answers = surveys.answers_of(session, survey_id=survey.id or 0)
            shown = {s.field: answers.get(s.field) for s in year.FOLLOWUP_FLOW.steps}
            lines += [
                "  " + row(tr, s.label, engine.display(s, shown[s.field], shown, tr))[2:]
                for s in year.FOLLOWUP_FLOW.steps
            ]
    if pair.agreement:
        lines += ["", render(tr, pair, mentee, mentor)]
    ctx.say(Reply("\n".join(lines)), sealed=bool(reasons or pair.end_note))


def caseload(ctx: Ctx) -> None:
    """/caseload: each coordinator's active pairs, and pairs matched this year against the roadmap's 80."""
    tr, session, now = ctx.tr, ctx.session, ctx.now
    this_year = now.astimezone(tr.tz).year
    every = pairs.with_statuses(session, statuses=tuple(PairStatus))
    active = Counter(p.coordinator for p in every if p.status in (PairStatus.PROPOSED, PairStatus.CONFIRMED))
    matched = Counter(
        p.coordinator for p in every if p.confirmed_at and p.confirmed_at.astimezone(tr.tz).year == this_year
    )
    coordinators = sorted(ctx.coordinators.ids(session) | set(active) | set(matched))
    lines = [
        tr.gettext(
            "Caseload in {year} (the roadmap: up to {target} matched pairs a year per coordinator):",
            year=this_year,
            target=CASELOAD_PER_YEAR,
        ),
        "",
    ]
    for person_id in coordinators:
        lines.append(
            tr.gettext(
                "{name}: active pairs {active}, matched this year {matched} of {target}",
                name=coordinator_name(session, tr, person_id, with_id=True),
                active=active[person_id],
                matched=matched[person_id],
                target=CASELOAD_PER_YEAR,
            )
        )
    ctx.say(Reply("\n".join(lines)))


def _withdrawn(tr: Translator, *, partner: Person) -> Reply:
    return Reply(
        tr.gettext(
            "The coordinator has withdrawn the proposal to match you with {partner}. You are still ready to be matched; she will write to you.",
            partner=partner.name,
        )
    )


def end(ctx: Ctx, args: str) -> None:
    """/end M-5 reason: end a pair at once; both are told and get the evaluation."""
    found = _pair(ctx, args, "end")
    if found is None:
        return
    tr, session, now = ctx.tr, ctx.session, ctx.now
    pair, reason = found
    if pair.status in (PairStatus.DECLINED, PairStatus.ENDED):
        ctx.say(
            Reply(
                tr.gettext(
                    "{pair} has already ended ({state}).",
                    pair=pair.short_id,
                    state=tr.gettext(PAIR_STATES[PairStatus(pair.status)]),
                )
            )
        )
        return
    if len(reason) < 3:
        ctx.say(
            Reply(
                tr.gettext(
                    "Write the reason after the pair, like /end M-5 breach of confidentiality. Only coordinators see it."
                )
            )
        )
        return
    assert ctx.notes is not None
    mentee, mentor = pairs.people_of(ctx.session, pair)
    pair.end_note, pair.ended_by = ctx.notes.seal({"note": reason[:1000]}), ctx.key.id
    if pair.status == PairStatus.PROPOSED:  # a proposal withdrawn: nothing to evaluate yet
        year.end(session, pair=pair, now=now)
        for person, partner in ((mentee, mentor), (mentor, mentee)):
            post(session, person, ctx.i18n, now, partial(_withdrawn, partner=partner))
    else:
        pair.ends_at = pair.evaluation_at = now
        year.end(session, pair=pair, now=now)
        queries.claim_action(session, subject=f"pair:{pair.id}", kind=timeline.EVALUATION, seq=1, now=now)
        for person in (mentee, mentor):
            year.send_evaluation(
                session, pair=pair, person=person, i18n=ctx.i18n, now=now, msgid=year.ENDED_NOW_TEXT
            )
    ctx.say(Reply(tr.gettext("{pair} has ended; both have been told.", pair=pair.short_id)))
