"""A proposed pair in chat: the first meeting, the blind yes/no, the confirmation and the memo.

Buttons carry the pair's id and are checked against what is stored now, so a button pressed
twice, after the decision, for a meeting time that was moved since, or by someone outside
the pair gets a polite answer and changes nothing:

    ps:<pair>                  "we agreed on a date": asks for the first meeting's date and time
    pm:<pair>:<rev>:<y|n>      the other one confirms that time, or offers another
    pd:<pair>:<y|n|l>          after the meeting: continue, not continue, or "we have not met yet"
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from sqlmodel import Session

from conversations import engine, runner, timeline
from conversations.context import Ctx, post
from conversations.coordinators import name_of
from conversations.engine import Choice, Flow, Kind, Step
from conversations.events import Button, Press, Reply
from conversations.i18n import I18n, Translator, __, isolate
from conversations.registration import CHANNELS
from storage import pairs, queries
from storage.crypto import NotesCipher
from storage.models import Pair, PairStatus, Person, Role, Status
from storage.queries import ConversationRow

CHANNEL_LABELS = {c.value: c.label for c in CHANNELS}
SET_MEETING_PREFIX = "ps"
MEETING_PREFIX = "pm"
DECISION_PREFIX = "pd"
WE_AGREED = __("🗓 We agreed on a date")

# -- the pair from one person's side ---------------------------------------------------------------


def role_in(pair: Pair, person_id: int) -> str | None:
    """Her role in this pair, or None when she is not in it."""
    if person_id == pair.mentee_id:
        return Role.MENTEE
    if person_id == pair.mentor_id:
        return Role.MENTOR
    return None


def names(mentee: Person, mentor: Person) -> dict[str, str]:
    """The pair's names and ids as the coordinators' messages quote them."""
    return {
        "mentee": mentee.name or "",
        "mentee_id": mentee.short_id,
        "mentor": mentor.name or "",
        "mentor_id": mentor.short_id,
    }


def partner_of(session: Session, pair: Pair, person_id: int) -> Person:
    """The other one of the pair."""
    partner = session.get(Person, pair.mentor_id if person_id == pair.mentee_id else pair.mentee_id)
    assert partner is not None
    return partner


def pair_pressed(ctx: Ctx, pair_id: str) -> tuple[Pair, str] | None:
    """The pair a button names, if she is in it (a third person's press finds nothing)."""
    pair = ctx.session.get(Pair, int(pair_id)) if pair_id.isdigit() and len(pair_id) < 10 else None
    role = role_in(pair, ctx.key.id) if pair is not None else None
    return (pair, role) if pair is not None and role is not None else None


def tell_coordinator(
    session: Session, pair: Pair, i18n: I18n, now: datetime, msgid: str, **params: Any
) -> None:
    """A message to the pair's own coordinator, in her language.

    A parameter may be a function of her translator (a date in her format); the programme's
    durations ({agreement_within}, ...) are always there, in her words.
    """

    def message(tr: Translator) -> Reply:
        values = {key: value(tr) if callable(value) else value for key, value in params.items()}
        return Reply(tr.gettext(msgid, **{"pair": pair.short_id, **timeline.in_words(tr.locale), **values}))

    post(session, pair.coordinator, i18n, now, message)


def contacts(tr: Translator, person: Person) -> str:
    """The contact details she agreed to share with her match, one per line.

    In a right-to-left message a number, address or @name is set apart left to right (LRI…PDI),
    so that "+4520274137" does not show as "4520274137+".
    """

    def ltr(value: str) -> str:
        return f"\u2066{value}\u2069" if tr.rtl else value

    lines = []
    for channel in person.share_channels:
        if channel == "telegram":
            handle = (
                ltr(f"@{person.telegram_username}")
                if person.telegram_username
                else tr.gettext("no public username; ask the coordinator to put you in touch")
            )
            lines.append(f"• Telegram: {handle}")
        elif channel == "phone" and person.phone:
            lines.append(f"• {tr.gettext(CHANNEL_LABELS['phone'])}: {ltr(person.phone)}")
        elif channel == "email" and person.email:
            lines.append(f"• {tr.gettext(CHANNEL_LABELS['email'])}: {ltr(person.email)}")
    return "\n".join(lines) or tr.gettext("Ask the coordinator to put you in touch.")


# -- the proposal ------------------------------------------------------------------------------------

PROPOSAL_TO_MENTEE = __(
    "Good news, {name}! 🌱 I propose a mentor for you: {partner}.\n\n"
    "Now it is your turn: please contact {partner} and agree on a first meeting. Set the date within the next "
    "{date_within}; the meeting itself should take place within {meeting_within}.\n\n"
    "How to reach her:\n{contacts}\n\n"
    "The first meeting is noncommittal: you talk about your expectations and whether you both have the time. "
    "Please do not make a new appointment at that meeting. Afterwards I will ask each of you, separately, "
    "whether you want to continue.\n\n"
    "When you have agreed on a date, tell me with the button below."
)
PROPOSAL_TO_MENTOR = __(
    "Good news, {name}! 🌱 I propose a mentee for you: {partner}.\n\n"
    "She has been asked to contact you within the next {date_within} to agree on a first meeting, which should "
    "take place within {meeting_within}.\n\n"
    "How to reach her:\n{contacts}\n\n"
    "The first meeting is noncommittal: you talk about your expectations and whether you both have the time. "
    "Please do not make a new appointment at that meeting. Afterwards I will ask each of you, separately, "
    "whether you want to continue.\n\n"
    "When you have agreed on a date, either of you can tell me with the button below."
)


def send_proposal(
    session: Session, *, pair: Pair, mentee: Person, mentor: Person, i18n: I18n, now: datetime
) -> None:
    """Both hear of the proposal in their own language, with the other's shared contact details
    and who their coordinator is (once she has told the bot her name)."""
    coordinator = name_of(session, pair.coordinator)
    for person, partner, msgid in (
        (mentee, mentor, PROPOSAL_TO_MENTEE),
        (mentor, mentee, PROPOSAL_TO_MENTOR),
    ):
        post(
            session,
            person,
            i18n,
            now,
            partial(
                _proposal, msgid=msgid, pair=pair, person=person, partner=partner, coordinator=coordinator
            ),
        )


YOUR_COORDINATOR = __("{coordinator}, your coordinator, made this proposal and will follow your match.")


def _proposal(
    tr: Translator, *, msgid: str, pair: Pair, person: Person, partner: Person, coordinator: str | None
) -> Reply:
    text = tr.gettext(
        msgid,
        name=person.name,
        partner=partner.name,
        contacts=contacts(tr, partner),
        **timeline.in_words(tr.locale),
    )
    if coordinator is not None:
        text += "\n\n" + tr.gettext(YOUR_COORDINATOR, coordinator=isolate(coordinator))
    return Reply(text, ((Button(tr.gettext(WE_AGREED), f"{SET_MEETING_PREFIX}:{pair.id}"),),))


def remind_meeting_date(
    session: Session, *, pair: Pair, mentee: Person, mentor: Person, i18n: I18n, now: datetime
) -> None:
    """No first meeting fixed in time: the mentee is reminded (the coordinator sees it overdue)."""

    def reminder(tr: Translator) -> Reply:
        text = tr.gettext(
            "Have you and {partner} agreed on your first meeting? It should be within {meeting_within} of the proposal. "
            "Please contact her:\n{contacts}\n\nWhen you have a date, tell me with the button below.",
            partner=mentor.name,
            contacts=contacts(tr, mentor),
            **timeline.in_words(tr.locale),
        )
        return Reply(text, ((Button(tr.gettext(WE_AGREED), f"{SET_MEETING_PREFIX}:{pair.id}"),),))

    post(session, mentee, i18n, now, reminder)


# -- the first meeting ------------------------------------------------------------------------------

DAY, AT = "day", "at"
TODAY = "_today"
SUGGESTED_DAYS = 6
SUGGESTED_TIMES = ("10:00", "12:00", "14:00", "16:00", "17:00", "18:00")


def days_from_today(offsets: range) -> engine.ChoiceProvider:
    """Day buttons around the day the question was first asked (stored as TODAY with the answers)."""

    def choices(answers: engine.Answers) -> list[Choice]:
        if TODAY not in answers:
            return []
        today = date.fromisoformat(answers[TODAY])
        return [Choice((today + timedelta(days=n)).isoformat(), "") for n in offsets]

    return choices


MEETING_FLOW = Flow(
    name="first_meeting",
    prefix="fm",
    summary_title=__("Your first meeting:"),
    steps=(
        Step(
            DAY,
            __("On which day will you meet? Choose a day or write the date."),
            Kind.DATE,
            __("Day"),
            days_from_today(range(1, SUGGESTED_DAYS + 1)),
            min=0,
            max=62,
            columns=3,
        ),
        Step(
            AT,
            __("At what time? Choose one or write it, for example 17:30."),
            Kind.TIME,
            __("Time"),
            tuple(Choice(t, "") for t in SUGGESTED_TIMES),
            columns=3,
        ),
    ),
)


def ask_meeting(ctx: Ctx, pair: Pair, notice: str | None = None) -> None:
    """Ask her for the date and time they agreed."""
    today = ctx.now.astimezone(ctx.tr.tz).date().isoformat()
    runner.begin(ctx, MEETING, answers={TODAY: today}, context={"pair": pair.id}, notice=notice)


def _meeting_finished(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
    tr, session, now = ctx.tr, ctx.session, ctx.now
    pair = session.get(Pair, conversation.context.get("pair", 0))
    if pair is None or pair.status != PairStatus.PROPOSED or role_in(pair, ctx.key.id) is None:
        ctx.say(Reply(tr.gettext("This proposal is no longer open, so nothing was changed.")))
        return
    when = timeline.local_start(date.fromisoformat(answers[DAY]), time.fromisoformat(answers[AT]), tr.tz.key)
    if when <= now:
        ask_meeting(
            ctx,
            pair,
            notice=tr.gettext("⚠️ That time has already passed. Please choose a time still to come."),
        )
        return
    pair.meeting_at, pair.meeting_by, pair.meeting_agreed_at = when, ctx.key.id, None
    pair.meeting_rev += 1
    session.add(pair)
    partner = partner_of(session, pair, ctx.key.id)
    ctx.say(
        Reply(
            tr.gettext(
                "Thank you! I have asked {partner} to confirm {when}.",
                partner=partner.name,
                when=tr.datetime(when),
            )
        )
    )

    def to_confirm(ptr: Translator) -> Reply:
        buttons = (
            (
                Button(
                    ptr.gettext("✅ Yes, that is right"), f"{MEETING_PREFIX}:{pair.id}:{pair.meeting_rev}:y"
                ),
            ),
            (Button(ptr.gettext("🗓 Another time"), f"{MEETING_PREFIX}:{pair.id}:{pair.meeting_rev}:n"),),
        )
        text = ptr.gettext(
            "{name} says you agreed to meet on {when}. Is that right?",
            name=ctx.person.name,
            when=ptr.datetime(when),
        )
        return Reply(text, buttons)

    post(session, partner, ctx.i18n, now, to_confirm)


MEETING = runner.guided(
    runner.Guided(
        MEETING_FLOW, finish=_meeting_finished, cancelled=__("Nothing was changed about your meeting.")
    )
)


def press_set_meeting(ctx: Ctx, event: Press) -> str | None:
    """ "We agreed on a date" under the proposal or a reminder."""
    found = pair_pressed(ctx, event.data.partition(":")[2])
    if found is None or found[0].status != PairStatus.PROPOSED:
        return engine.stale(ctx.tr)
    ask_meeting(ctx, found[0])
    return None


def meeting_command(ctx: Ctx) -> None:
    """/meeting: set or move the first meeting of her proposed pair."""
    pair = pairs.active_pair_of(ctx.session, person_id=ctx.key.id)
    if pair is None or pair.status != PairStatus.PROPOSED:
        ctx.say(
            Reply(
                ctx.tr.gettext(
                    "/meeting is for the first meeting after a coordinator proposes a match. You have no proposal open just now."
                )
            )
        )
        return
    ask_meeting(ctx, pair)


def press_meeting(ctx: Ctx, event: Press) -> str | None:
    """The other one confirms the first meeting's time, or offers another."""
    tr, session, now = ctx.tr, ctx.session, ctx.now
    pair_id, _, rest = event.data.partition(":")[2].partition(":")
    rev, _, choice = rest.partition(":")
    found = pair_pressed(ctx, pair_id)
    if found is None or found[0].status != PairStatus.PROPOSED or found[0].meeting_at is None:
        return engine.stale(tr)
    pair = found[0]
    if rev != str(pair.meeting_rev):
        return tr.gettext("This time was changed since. Please answer the latest message about your meeting.")
    if pair.meeting_by == ctx.key.id:
        return tr.gettext(
            "You proposed this time; {partner} is asked to confirm it.",
            partner=partner_of(session, pair, ctx.key.id).name,
        )
    if pair.meeting_agreed_at is not None:
        return tr.gettext("Your meeting is already fixed.")
    when = pair.meeting_at
    assert when is not None
    if choice == "n":
        ctx.edit(
            event.message_id,
            Reply(tr.gettext("You asked for another time than {when}.", when=tr.datetime(when))),
        )
        ask_meeting(ctx, pair)
        return None
    if choice != "y":
        return engine.stale(tr)
    if when <= now:
        return tr.gettext("This time has passed. Please send /meeting to tell me when you meet.")
    pair.meeting_agreed_at = now
    session.add(pair)
    ctx.edit(event.message_id, Reply(tr.gettext("✅ Your first meeting: {when}", when=tr.datetime(when))))
    partner = partner_of(session, pair, ctx.key.id)
    for person, other in ((ctx.person, partner), (partner, ctx.person)):
        post(session, person, ctx.i18n, now, partial(_meeting_fixed, partner=other, when=when))
    tell_coordinator(
        session,
        pair,
        ctx.i18n,
        now,
        __("{pair}: the first meeting is fixed for {when}."),
        when=lambda tr: tr.datetime(when),
    )
    return None


def _meeting_fixed(tr: Translator, *, partner: Person, when: datetime) -> Reply:
    return Reply(
        tr.gettext(
            "Your first meeting with {partner} is fixed: {when}. Enjoy it! The day after, I will ask you how it went.",
            partner=partner.name,
            when=tr.datetime(when),
        )
    )


# -- the blind decision -------------------------------------------------------------------------------

CONTINUE = __("✅ Yes, I would like to continue")
STOP = __("No, I would rather not")
NOT_MET = __("We have not met yet")


def ask_decision(
    session: Session, *, pair: Pair, person: Person, i18n: I18n, now: datetime, reminder: bool
) -> None:
    """Would she like to continue? Asked of each alone; neither sees the other's answer."""
    partner = partner_of(session, pair, person.id or 0)

    def question(tr: Translator) -> Reply:
        text = tr.gettext(
            "How was your first meeting with {partner}? Would you like to continue as mentor and mentee?\n\n"
            "Your answer goes only to the coordinator; {partner} will not see it.",
            partner=partner.name,
        )
        if reminder:
            text = "\n\n".join((tr.gettext("A reminder: I have not heard from you yet."), text))
        buttons = (
            (Button(tr.gettext(CONTINUE), f"{DECISION_PREFIX}:{pair.id}:y"),),
            (Button(tr.gettext(STOP), f"{DECISION_PREFIX}:{pair.id}:n"),),
            (Button(tr.gettext(NOT_MET), f"{DECISION_PREFIX}:{pair.id}:l"),),
        )
        return Reply(text, buttons)

    post(session, person, i18n, now, question)


REASON = "reason"
REASON_FLOW = Flow(
    name="decline_reason",
    prefix="dr",
    sensitive=True,
    confirm=False,
    steps=(
        Step(
            REASON,
            __("If you like, tell me in a few words why. Only the coordinator will read it."),
            Kind.TEXT,
            __("Reason"),
            optional=True,
            min=2,
            max=500,
        ),
    ),
)


def press_decision(ctx: Ctx, event: Press) -> str | None:
    """Her answer after the first meeting."""
    tr, session, now = ctx.tr, ctx.session, ctx.now
    pair_id, _, choice = event.data.partition(":")[2].partition(":")
    found = pair_pressed(ctx, pair_id)
    if found is None or choice not in ("y", "n", "l"):
        return engine.stale(tr)
    pair, role = found
    if pair.status != PairStatus.PROPOSED or pair.decision_of(role) is not None:
        return tr.gettext("You have already answered. Thank you!")
    if choice == "l":
        ctx.edit(event.message_id, Reply(tr.gettext(NOT_MET)))
        ask_meeting(ctx, pair, notice=tr.gettext("Then let us find the date. When will you meet?"))
        return None
    wants = choice == "y"
    if role == Role.MENTEE:
        pair.mentee_decision = wants
    else:
        pair.mentor_decision = wants
    session.add(pair)
    ctx.edit(event.message_id, Reply(tr.gettext(CONTINUE if wants else STOP)))
    partner = partner_of(session, pair, ctx.key.id)
    if wants:
        ctx.say(
            Reply(
                tr.gettext(
                    "Thank you! I will write to you as soon as {partner} has answered too.",
                    partner=partner.name,
                )
            )
        )
    else:
        ctx.say(Reply(tr.gettext("Thank you for telling me honestly. That is completely all right.")))
    decide(session, pair=pair, i18n=ctx.i18n, now=now, notes=ctx.notes)
    if not wants:
        runner.begin(ctx, DECLINE_REASON, context={"pair": pair.id})
    return None


def _reason_given(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
    pair = ctx.session.get(Pair, conversation.context.get("pair", 0))
    role = role_in(pair, ctx.key.id) if pair is not None else None
    if pair is None or role is None:
        return
    reason = answers.get(REASON)
    if reason:
        assert ctx.notes is not None
        reasons = reasons_of(pair, ctx.notes)
        pair.decision_reasons = ctx.notes.seal({**reasons, role: reason})
        ctx.session.add(pair)
        if pair.status == PairStatus.DECLINED:
            tell_coordinator(
                ctx.session,
                pair,
                ctx.i18n,
                ctx.now,
                LATE_REASON[role],
                reason=reason,
            )
    ctx.say(Reply(ctx.tr.gettext("Thank you. The coordinator will find you a new match.")))


LATE_REASON: dict[str, str] = {
    Role.MENTEE: __("{pair}: the mentee's reason for not continuing: {reason}"),
    Role.MENTOR: __("{pair}: the mentor's reason for not continuing: {reason}"),
}
REASON_OF: dict[str, str] = {
    Role.MENTEE: __("The mentee's reason: {reason}"),
    Role.MENTOR: __("The mentor's reason: {reason}"),
}


DECLINE_REASON = runner.guided(
    runner.Guided(REASON_FLOW, finish=_reason_given, cancelled=__("All right, no reason is needed."))
)


def decide(session: Session, *, pair: Pair, i18n: I18n, now: datetime, notes: NotesCipher | None) -> None:
    """Once both have answered: confirm the pair, or end it kindly without saying who said no."""
    if pair.mentee_decision is None or pair.mentor_decision is None:
        return
    mentee, mentor = pairs.people_of(session, pair)
    pair.decided_at = now
    if pair.mentee_decision and pair.mentor_decision:
        _confirm(session, pair, mentee, mentor, i18n, now)
    else:
        _decline(session, pair, mentee, mentor, i18n, now, reasons_of(pair, notes))
    session.add(pair)


CONFIRMATION = __(
    "Good news: you have both said that you would like to continue. Welcome to your mentor relationship with "
    "{partner}! 🎉\n\n"
    "Please contact each other and decide when you meet next. Your coordinator will follow your relationship "
    "for up to {year}, and you are always welcome to write to her here if you need support. In {first_followup} "
    "I will ask how it is going.\n\n"
    "Within the next {agreement_within}, please fill in your mentor agreement and activity plan together, at your next "
    "meeting: send /agreement when you sit together."
)

MEMO = __(
    "Memo for mentees: what I have committed to 📝\n\n"
    "• My mentor relationship lasts about {year}. I meet my mentor at least once a month and stay in contact "
    "with her between the meetings.\n"
    "• My mentor is a volunteer. She is not paid to meet me; she does it because she wants to support another "
    "woman.\n"
    "• My mentor gives me support and advice for my dreams and goals. She is a conversation partner: I decide "
    "whether to use her advice, and I can talk openly with her about it.\n"
    "• I do my best for a good relationship: I keep our appointments and cancel if I cannot come, and I try to "
    "make my goals as specific as I can.\n"
    "• My mentor and I are both responsible for how our relationship goes.\n"
    "• I take part in the introductory workshop for mentees.\n"
    "• I contact my coordinator if something in the relationship is difficult.\n"
    "• I take part in the follow-ups and the evaluation: the mentor agreement, and the questionnaire at the end.\n"
    "• I share my experiences and successes with my coordinator.\n"
    "• I keep my contact details up to date."
)


def _confirm(session: Session, pair: Pair, mentee: Person, mentor: Person, i18n: I18n, now: datetime) -> None:
    pair.status, pair.confirmed_at = PairStatus.CONFIRMED, now
    pair.ends_at = pair.evaluation_at = timeline.YEAR.after(now)
    for person, partner in ((mentee, mentor), (mentor, mentee)):
        queries.set_status(session, person=person, status=Status.IN_RELATIONSHIP, now=now)
        post(session, person, i18n, now, partial(_in_words, msgid=CONFIRMATION, partner=partner.name))
    post(session, mentee, i18n, now, partial(_in_words, msgid=MEMO))
    tell_coordinator(
        session,
        pair,
        i18n,
        now,
        __(
            "{pair}: {mentee} and {mentor} both want to continue. The pair is confirmed; the agreement is due within {agreement_within}."
        ),
        mentee=mentee.name,
        mentor=mentor.name,
    )


def _in_words(tr: Translator, msgid: str, **params: Any) -> Reply:
    """A message whose durations come from the programme's schedule, in her words."""
    return Reply(tr.gettext(msgid, **params, **timeline.in_words(tr.locale)))


def _decline(
    session: Session,
    pair: Pair,
    mentee: Person,
    mentor: Person,
    i18n: I18n,
    now: datetime,
    reasons: dict[str, str],
) -> None:
    pair.status = PairStatus.DECLINED
    for person, partner in ((mentee, mentor), (mentor, mentee)):
        post(session, person, i18n, now, partial(_declined, partner=partner))

    def to_coordinator(tr: Translator) -> Reply:
        answer = {True: tr.gettext("yes"), False: tr.gettext("no")}
        text = tr.gettext(
            "{pair}: {mentee} ({mentee_id}) and {mentor} ({mentor_id}) will not continue.\n"
            "The mentee said {mentee_answer}, the mentor said {mentor_answer}.\n"
            "Both are ready to be matched again: /suggest {mentee_id}",
            pair=pair.short_id,
            **names(mentee, mentor),
            mentee_answer=answer[bool(pair.mentee_decision)],
            mentor_answer=answer[bool(pair.mentor_decision)],
        )
        for role, reason in reasons.items():
            text += "\n" + tr.gettext(REASON_OF[role], reason=reason)
        return Reply(text)

    post(session, pair.coordinator, i18n, now, to_coordinator)


def _declined(tr: Translator, *, partner: Person) -> Reply:
    return Reply(
        tr.gettext(
            "Thank you both for meeting. After the first meeting, you and {partner} will not continue as a pair; "
            "that happens, and it is nobody's fault. 🌱\n\nYou are still ready to be matched, and the coordinator "
            "will look for a new match for you.",
            partner=partner.name,
        )
    )


def reasons_of(pair: Pair, notes: NotesCipher | None) -> dict[str, str]:
    """The reasons given for a no, by role (sealed in the database)."""
    if not pair.decision_reasons or notes is None:
        return {}
    return notes.open_or_none(pair.decision_reasons, f"{pair.short_id}'s reasons") or {}
