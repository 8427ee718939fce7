"""Coordinator commands about people: /find someone, and /handover pairs to another coordinator.

    hov:f:<from>                      whose pairs: choose the receiving coordinator next
    hov:t:<from>:<to>                 all of them to her: asks to confirm
    hov:a:<from>:<to>:<count>:<last>  confirmed: moves them, if they are still the same pairs
    hov:p:<pair>:<from>:<to>          one pair to her, if it is still active and still <from>'s

Every button names what it was made for and is checked against what is stored now, so a
second press, or a press after the pairs changed, is refused and moves nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import partial

from sqlmodel import Session

from admin.interviews import PROFILE_PREFIX
from admin.pairs import PAIR_STATES
from conversations import cities, engine
from conversations.context import Ctx, post
from conversations.coordinators import coordinator_name, name_of
from conversations.events import Button, Press, Reply, rows
from conversations.i18n import Translator, __, isolate
from conversations.pairing import partner_of
from conversations.texts import role_name, status_name
from storage import pairs, people
from storage.models import ACTIVE_PAIR, Pair, PairStatus, Person
from storage.search import digits, normalise
from storage.threads import hand_over_threads

FIND_LIMIT = 10
_PERSON_ID = re.compile(r"^\s*[Pp]-?(\d{1,9})\s*$")
_PAIR_ID = re.compile(r"^\s*[Mm]-?(\d{1,9})(?:\s+(?P<rest>.*))?$", re.DOTALL)
_PHONE_LIKE = re.compile(r"^[+\d\s\-().]+$")
HANDOVER_PREFIX = "hov"


# -- /find ------------------------------------------------------------------------------------------


def find(ctx: Ctx, args: str) -> None:
    """/find TEXT: people by name, phone, e-mail or P-id, without regard to case or accents."""
    tr, session = ctx.tr, ctx.session
    text = args.strip()[:100]
    if not text:
        ctx.say(
            Reply(
                tr.gettext(
                    "Write what to look for after /find: part of a name, a phone number, an e-mail or an id, "
                    "like /find Amal or /find P-12."
                )
            )
        )
        return
    by_id = _PERSON_ID.match(text)
    if by_id:
        person = session.get(Person, int(by_id[1]))
        found: list[Person] = [person] if person is not None and person.status is not None else []
        total = len(found)
    else:
        phone = digits(text) if _PHONE_LIKE.match(text) else ""
        words = [phone] if len(phone) >= 3 else normalise(text).split()[:5]
        found, total = people.find(session, words=words, limit=FIND_LIMIT) if words else ([], 0)
    if not found:
        ctx.say(
            Reply(
                tr.gettext(
                    "I found nobody for “{text}”. Try part of a name, a phone number, an e-mail or an id like P-12.",
                    text=isolate(text[:40]),
                )
            )
        )
        return
    lines = [tr.ngettext("{count} person found:", "{count} people found:", total)]
    lines += [_found_line(tr, person) for person in found]
    if total > len(found):
        lines.append(
            tr.ngettext(
                "… and {count} more. Please be more precise.",
                "… and {count} more. Please be more precise.",
                total - len(found),
            )
        )
    buttons = [Button(f"{p.short_id} {p.name or ''}".strip(), f"{PROFILE_PREFIX}:{p.id}") for p in found]
    ctx.say(Reply("\n".join(lines), tuple(rows(buttons, 2))))


def _found_line(tr: Translator, person: Person) -> str:
    """One person found: id, name, role, status and city, enough to tell two Amals apart."""
    details = [role_name(tr, person.role), status_name(tr, person.status)]
    if person.city:
        details.append(isolate(cities.display(person.city, person.city_other, tr.language)))
    return f"{person.short_id} {isolate(person.name)} – {', '.join(details)}"


# -- /handover ------------------------------------------------------------------------------------------


def handover(ctx: Ctx, args: str) -> None:
    """/handover M-5 [to], /handover FROM [TO], or /handover alone to choose with buttons."""
    text = args.strip()
    pair_match = _PAIR_ID.match(text)
    if pair_match:
        _one_pair(ctx, int(pair_match[1]), (pair_match["rest"] or "").strip())
        return
    if not text:
        _choose_giver(ctx, ctx.tr.gettext(HANDOVER_HELP))
        return
    givers, receivers = _givers(ctx), _receivers(ctx)
    words = text.split()
    splits = {
        (found_from[0], found_to[0])
        for cut in range(1, len(words))
        if len(found_from := _named(ctx, " ".join(words[:cut]), givers)) == 1
        and len(found_to := _named(ctx, " ".join(words[cut:]), receivers - set(found_from))) == 1
    }
    if len(splits) == 1:
        giver, receiver = splits.pop()
        if _has_a_name(ctx, receiver):
            _confirm_all(ctx, giver, receiver)
        return
    whole = _named(ctx, text, givers)
    if len(whole) == 1:
        _choose_receiver_for_all(ctx, whole[0])
        return
    _choose_giver(
        ctx,
        ctx.tr.gettext(NOT_A_COORDINATOR, given=isolate(text[:40])) + "\n\n" + ctx.tr.gettext(HANDOVER_HELP),
    )


HANDOVER_HELP = __(
    "Hand pairs over to another coordinator:\n"
    "/handover M-5 – one pair; then choose who follows it\n"
    "/handover Karen – all of Karen's active pairs\n"
    "/handover Karen Lise – all of Karen's pairs to Lise\n"
    "A coordinator can also be named by her id, like P-3. Whose pairs do you want to hand over?"
)
NOT_A_COORDINATOR = __("I do not know which coordinator you mean by “{given}”.")


def _givers(ctx: Ctx) -> set[int]:
    """Who can hand pairs over: today's coordinators, and anyone who still has active pairs (one who left)."""
    return ctx.coordinators.ids(ctx.session) | set(people.coordinators_with_active_pairs(ctx.session))


def _receivers(ctx: Ctx) -> set[int]:
    """Who can receive pairs: today's coordinators who have written to the bot."""
    return ctx.coordinators.ids(ctx.session)


def _named(ctx: Ctx, text: str, among: set[int]) -> list[int]:
    """The coordinators among these that text names: by P-id, by her whole name, or by the start of a word of it."""
    by_id = _PERSON_ID.match(text)
    if by_id:
        return [int(by_id[1])] if int(by_id[1]) in among else []
    term = normalise(text)
    names = {pid: normalise(name) for pid in among if (name := name_of(ctx.session, pid))}
    exact = sorted(pid for pid, name in names.items() if name == term)
    if exact or not term:
        return exact
    return sorted(
        pid
        for pid, name in names.items()
        if name.startswith(term) or any(word.startswith(term) for word in name.split())
    )


def _has_a_name(ctx: Ctx, receiver: int) -> bool:
    """A receiver must have a name: the people she will follow are told who she is."""
    if name_of(ctx.session, receiver) is not None:
        return True
    ctx.say(
        Reply(
            ctx.tr.gettext(
                "P-{id} has not told the bot her name yet, and the people she would follow must be told who she "
                "is. Ask her to send /name first.",
                id=receiver,
            )
        )
    )
    return False


def _choose_giver(ctx: Ctx, text: str) -> None:
    """The coordinators who have active pairs, as buttons."""
    tr = ctx.tr
    counts = people.coordinators_with_active_pairs(ctx.session)
    buttons = [
        Button(
            f"{coordinator_name(ctx.session, tr, pid, with_id=True)} ({count})", f"{HANDOVER_PREFIX}:f:{pid}"
        )
        for pid, count in sorted(counts.items())
    ]
    if not buttons:
        text += "\n\n" + tr.gettext("No coordinator has an active pair just now.")
    ctx.say(Reply(text, tuple(rows(buttons, 1))))


def _receiver_buttons(ctx: Ctx, *, besides: int, data: Callable[[int], str]) -> list[Button]:
    """The named coordinators other than one, each a button."""
    named = [pid for pid in sorted(_receivers(ctx) - {besides}) if name_of(ctx.session, pid) is not None]
    return [Button(coordinator_name(ctx.session, ctx.tr, pid), data(pid)) for pid in named]


def _no_receiver(ctx: Ctx) -> None:
    ctx.say(
        Reply(
            ctx.tr.gettext(
                "There is no other coordinator to hand over to. A coordinator can receive pairs once she has "
                "written to the bot and given her name."
            )
        )
    )


def _choose_receiver_for_all(ctx: Ctx, giver: int) -> None:
    """Whose pairs is known: to whom?"""
    tr = ctx.tr
    count = len(people.active_pairs_of_coordinator(ctx.session, coordinator=giver))
    if count == 0:
        ctx.say(Reply(_no_pairs(ctx, giver)))
        return
    buttons = _receiver_buttons(ctx, besides=giver, data=lambda to: f"{HANDOVER_PREFIX}:t:{giver}:{to}")
    if not buttons:
        _no_receiver(ctx)
        return
    question = tr.ngettext(
        "{old} has {count} active pair. Who should follow it from now on?",
        "{old} has {count} active pairs. Who should follow them from now on?",
        count,
        old=coordinator_name(ctx.session, tr, giver, with_id=True),
    )
    ctx.say(Reply(question, tuple(rows(buttons, 2))))


def _no_pairs(ctx: Ctx, giver: int) -> str:
    return ctx.tr.gettext(
        "{old} has no active pairs to hand over.",
        old=coordinator_name(ctx.session, ctx.tr, giver, with_id=True),
    )


def _confirm_question(ctx: Ctx, giver: int, receiver: int, count: int) -> str:
    tr = ctx.tr
    return tr.ngettext(
        "Hand over {count} pair from {old} to {new}? The two of you and both people in the pair will be told.",
        "Hand over {count} pairs from {old} to {new}? The two of you and both people in each pair will be told.",
        count,
        old=coordinator_name(ctx.session, tr, giver, with_id=True),
        new=coordinator_name(ctx.session, tr, receiver),
    )


def _confirm_all(ctx: Ctx, giver: int, receiver: int) -> None:
    """Moving many pairs is asked once more, with the number, before anything moves."""
    found = people.active_pairs_of_coordinator(ctx.session, coordinator=giver)
    if not found:
        ctx.say(Reply(_no_pairs(ctx, giver)))
        return
    count, last = len(found), max(p.id or 0 for p in found)
    label = ctx.tr.ngettext("Yes, hand over {count} pair", "Yes, hand over {count} pairs", count)
    data = f"{HANDOVER_PREFIX}:a:{giver}:{receiver}:{count}:{last}"
    ctx.say(Reply(_confirm_question(ctx, giver, receiver, count), ((Button(label, data),),)))


def _one_pair(ctx: Ctx, pair_id: int, to: str) -> None:
    """/handover M-5 [to]: straight to her when named, else the coordinators to choose from."""
    tr, session = ctx.tr, ctx.session
    pair = session.get(Pair, pair_id)
    if pair is None:
        ctx.say(
            Reply(
                tr.gettext(
                    "There is no pair {given}. Write it like /{command} M-5; /overdue and /caseload show pairs.",
                    given=f"M-{pair_id}",
                    command="handover",
                )
            )
        )
        return
    if pair.status not in ACTIVE_PAIR:
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
    if to:
        named = _named(ctx, to, _receivers(ctx) - {pair.coordinator})
        if len(named) == 1:
            if _has_a_name(ctx, named[0]):
                _move(ctx, [pair], pair.coordinator, named[0], everything=False)
            return
        ctx.say(Reply(tr.gettext(NOT_A_COORDINATOR, given=isolate(to[:40]))))
    buttons = _receiver_buttons(
        ctx,
        besides=pair.coordinator,
        data=lambda to: f"{HANDOVER_PREFIX}:p:{pair.id}:{pair.coordinator}:{to}",
    )
    if not buttons:
        _no_receiver(ctx)
        return
    ctx.say(Reply(_one_pair_question(ctx, pair), tuple(rows(buttons, 2))))


def _one_pair_question(ctx: Ctx, pair: Pair) -> str:
    return ctx.tr.gettext(
        "{pair} is followed by {old}. Who should follow it from now on?",
        pair=pair.short_id,
        old=coordinator_name(ctx.session, ctx.tr, pair.coordinator, with_id=True),
    )


def press_handover(ctx: Ctx, event: Press) -> str | None:
    """The buttons of /handover, each checked against the pairs as they are now."""
    action, *fields = event.data.split(":")[1:] or [""]
    if not fields or not all(f.isdigit() and len(f) < 10 for f in fields):
        return engine.stale(ctx.tr)
    numbers = [int(f) for f in fields]
    receivers = _receivers(ctx)
    if action == "f" and len(numbers) == 1:
        _choose_receiver_for_all(ctx, numbers[0])
        return None
    if action == "t" and len(numbers) == 2 and numbers[1] in receivers and numbers[0] != numbers[1]:
        _confirm_all(ctx, *numbers)
        return None
    if action == "p" and len(numbers) == 3:
        pair_id, giver, receiver = numbers
        pair = ctx.session.get(Pair, pair_id)
        if pair is None or pair.status not in ACTIVE_PAIR or pair.coordinator != giver:
            return engine.stale(ctx.tr)
        if receiver not in receivers or receiver == giver or name_of(ctx.session, receiver) is None:
            return engine.stale(ctx.tr)
        ctx.edit(event.message_id, Reply(_one_pair_question(ctx, pair)))
        _move(ctx, [pair], giver, receiver, everything=False)
        return None
    if action == "a" and len(numbers) == 4:
        giver, receiver, count, last = numbers
        found = people.active_pairs_of_coordinator(ctx.session, coordinator=giver)
        same = len(found) == count and max((p.id or 0 for p in found), default=0) == last
        if (
            not same
            or receiver not in receivers
            or receiver == giver
            or name_of(ctx.session, receiver) is None
        ):
            return engine.stale(ctx.tr)
        ctx.edit(event.message_id, Reply(_confirm_question(ctx, giver, receiver, count)))
        _move(ctx, found, giver, receiver, everything=True)
        return None
    return engine.stale(ctx.tr)


def _move(ctx: Ctx, found: Sequence[Pair], giver: int, receiver: int, *, everything: bool) -> None:
    """Move the pairs, then tell the people in them, both coordinators and the one who did it."""
    session, now = ctx.session, ctx.now
    moved = [
        pair
        for pair in found
        if people.hand_over(session, pair=pair, from_=giver, to=receiver, by=ctx.key.id, now=now)
    ]
    # Handing over everything takes her open conversations with participants along.
    threads = hand_over_threads(session, from_person_id=giver, to_person_id=receiver) if everything else 0
    if not moved:
        ctx.say(Reply(ctx.tr.gettext("Nothing was handed over: these pairs have changed in the meantime.")))
        return
    pair_lines: list[str] = []
    for pair in moved:
        mentee, mentor = pairs.people_of(session, pair)
        pair_lines.append(f"{pair.short_id} {isolate(mentee.name)} + {isolate(mentor.name)}")
        for person in (mentee, mentor):
            partner = partner_of(session, pair, person.id or 0)
            post(session, person, ctx.i18n, now, partial(_told, session, receiver=receiver, partner=partner))

    def to_coordinator(tr: Translator) -> Reply:
        head = tr.ngettext(
            "{by} handed over {count} pair from {old} to {new}:",
            "{by} handed over {count} pairs from {old} to {new}:",
            len(moved),
            by=coordinator_name(session, tr, ctx.key.id, with_id=True),
            old=coordinator_name(session, tr, giver, with_id=True),
            new=coordinator_name(session, tr, receiver),
        )
        return Reply("\n".join([head, *pair_lines, _threads(tr, threads)]).strip())

    for coordinator in {giver, receiver} - {ctx.key.id}:
        post(session, coordinator, ctx.i18n, now, to_coordinator)
    tr = ctx.tr
    done = tr.ngettext(
        "Done: {count} pair handed over from {old} to {new}. Both coordinators and the people in it have been told.",
        "Done: {count} pairs handed over from {old} to {new}. Both coordinators and the people in them have been told.",
        len(moved),
        old=coordinator_name(session, tr, giver, with_id=True),
        new=coordinator_name(session, tr, receiver),
    )
    ctx.say(Reply("\n".join([done, *pair_lines, _threads(tr, threads)]).strip()))


def _told(session: Session, tr: Translator, *, receiver: int, partner: Person) -> Reply:
    """What each woman in a pair handed over is told, in her language."""
    return Reply(
        tr.gettext(
            "From today {coordinator} is your coordinator: she follows your mentor relationship with {partner} "
            "from now on.",
            coordinator=coordinator_name(session, tr, receiver),
            partner=isolate(partner.name),
        )
    )


def _threads(tr: Translator, count: int) -> str:
    """The open inbox threads that went along, if any."""
    if not count:
        return ""
    return tr.ngettext(
        "{count} open conversation went along.", "{count} open conversations went along.", count
    )
