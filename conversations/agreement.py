"""A confirmed pair in chat: the mentor agreement and activity plan, and the meetings they report.

pa:<pair>:<version>:<y|e>   the other one agrees to the agreement as filled in, or changes it
pc:<pair>:<a|m|t>           when the agreement is late: fill in the agreement, we met again, talk to the coordinator
mc:<meeting>:<y|n>          the other one confirms a reported meeting, or says it did not happen
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from conversations import engine, runner, timeline
from conversations.context import Ctx, post
from conversations.engine import Choice, Flow, Kind, Step
from conversations.events import Button, Press, Reply
from conversations.i18n import I18n, Translator, __
from conversations.pairing import (
    TODAY,
    days_from_today,
    pair_pressed,
    partner_of,
    role_in,
    tell_coordinator,
)
from storage import pairs
from storage.models import Meeting, Pair, PairStatus, Person, Role
from storage.queries import ConversationRow

CONFIRM_PREFIX = "pa"
CHECK_PREFIX = "pc"
MET_PREFIX = "mc"

CONTACT, FREQUENCY, PURPOSES, PURPOSE_OTHER = "contact", "frequency", "purposes", "purpose_other"
GOAL, MILESTONES, ACTIVITIES, EXPECTATIONS = "goal", "milestones", "activities", "expectations"
SHARED = (CONTACT, FREQUENCY, PURPOSES, PURPOSE_OTHER, GOAL, MILESTONES, ACTIVITIES)
VERSION = "_version"

CONTACT_WAYS = (
    Choice("sms", __("Text messages")),
    Choice("chat", __("Chat apps")),
    Choice("phone", __("Phone calls")),
    Choice("video", __("Video calls")),
    Choice("email", __("E-mail")),
)
FREQUENCIES = (
    Choice("weekly", __("Every week")),
    Choice("fortnightly", __("Every two weeks")),
    Choice("monthly", __("Once a month, between meetings")),
)
# The roadmap's ten purposes of a mentor relationship (tick up to four), and "other".
PURPOSE_CHOICES = (
    Choice("edu_support", __("Get educational support (homework, help etc.)")),
    Choice("start_education", __("Start an education")),
    Choice("internship", __("Be accepted for an internship")),
    Choice("job", __("Get a job")),
    Choice("qualified_job", __("Get a job that fits the mentee's qualifications")),
    Choice("social_network", __("Have a larger social network")),
    Choice("professional_network", __("Have a larger professional network")),
    Choice("job_culture", __("Gain greater insight into the culture of the job market")),
    Choice("someone_to_talk", __("Have someone to talk to who listens")),
    Choice("confidence", __("Become more confident and believe in her own abilities")),
    Choice("other", __("Other")),
)
TERMS = __(
    "We agree that:\n"
    "• we aim for a respectful relationship and a dialogue in which we try to understand each other;\n"
    "• if we have difficulties, we talk about them and try to find a solution;\n"
    "• our conversations are confidential; we may share our thoughts with our coordinator;\n"
    "• we do not exchange gifts or lend each other money;\n"
    "• we do not wait for the other to call or write: we both take the initiative;\n"
    "• we keep our appointments and meet at least once a month;\n"
    "• we motivate each other to do what we have agreed.\n"
    "Either of us may end the agreement with {notice}'s notice; the evaluation comes {before_end} before the end."
)

AGREEMENT_FLOW = Flow(
    name="agreement",
    prefix="ag",
    summary_title=__("Your mentor agreement and activity plan:"),
    steps=(
        Step(
            CONTACT,
            __("We meet at least once a month. How will you keep in touch between meetings?"),
            Kind.MULTI,
            __("Between meetings"),
            CONTACT_WAYS,
            min=1,
            max=5,
        ),
        Step(
            FREQUENCY,
            __("How often will you be in touch between meetings?"),
            Kind.CHOICE,
            __("How often"),
            FREQUENCIES,
            columns=1,
        ),
        Step(
            PURPOSES,
            __("What is the purpose of your mentor relationship? Choose up to four."),
            Kind.MULTI,
            __("Purpose"),
            PURPOSE_CHOICES,
            min=1,
            max=4,
            columns=1,
        ),
        Step(
            PURPOSE_OTHER,
            __('You chose "Other": what is that purpose?'),
            Kind.TEXT,
            __("Other purpose"),
            min=2,
            max=300,
            when=lambda a: "other" in (a.get(PURPOSES) or []),
        ),
        Step(
            GOAL,
            __("The mentee's goal: what should be different in a year?"),
            Kind.TEXT,
            __("Goal"),
            min=2,
            max=600,
        ),
        Step(
            MILESTONES,
            __("Milestones on the way: what should be done, and by when?"),
            Kind.TEXT,
            __("Milestones"),
            min=2,
            max=800,
        ),
        Step(
            ACTIVITIES,
            __(
                "Activities: what will you do together? For example visit a workplace, practise a job interview, go to a network meeting."
            ),
            Kind.TEXT,
            __("Activities"),
            min=2,
            max=800,
        ),
        Step(
            EXPECTATIONS,
            __("Your own expectations of the relationship, as specific as you can:"),
            Kind.TEXT,
            __("Your expectations"),
            min=2,
            max=800,
        ),
    ),
)
EXPECTATIONS_FLOW = Flow(
    name="expectations",
    prefix="ex",
    confirm=False,
    steps=(AGREEMENT_FLOW.step(EXPECTATIONS),),
)


def _expectation_key(role: str) -> str:
    return f"{EXPECTATIONS}_{role}"


def render(tr: Translator, pair: Pair, mentee: Person, mentor: Person) -> str:
    """The agreement as either of them, or the coordinator, reads it, in her language."""
    stored = pair.agreement
    lines = [
        tr.gettext(
            "Mentor agreement between {mentee} (mentee) and {mentor} (mentor)",
            mentee=mentee.name,
            mentor=mentor.name,
        ),
        "",
    ]
    lines.append(tr.gettext(TERMS, **timeline.in_words(tr.locale)))
    lines.append("")
    answers = {k: stored.get(k) for k in SHARED}
    for step in AGREEMENT_FLOW.applicable(answers):
        if step.field in SHARED and answers.get(step.field) is not None:
            lines.append(
                f"• {tr.gettext(step.label)}: {engine.display(step, answers[step.field], answers, tr)}"
            )
    for role, person in ((Role.MENTEE, mentee), (Role.MENTOR, mentor)):
        said = stored.get(_expectation_key(role))
        if said:
            label = tr.gettext("Expectations of {name}", name=person.name)
            lines.append(f"• {label}: {tr.isolate(said)}")
    return "\n".join(lines)


def confirmed_pair(ctx: Ctx) -> tuple[Pair, str] | None:
    """Her confirmed pair and her role in it; explains and returns None when she has none."""
    pair = pairs.active_pair_of(ctx.session, person_id=ctx.key.id)
    if pair is None or pair.status != PairStatus.CONFIRMED:
        ctx.say(
            Reply(
                ctx.tr.gettext(
                    "This is for a mentor and mentee who have both decided to continue; you are not in such a pair just now."
                )
            )
        )
        return None
    role = role_in(pair, ctx.key.id)
    assert role is not None
    return pair, role


def agreement_command(ctx: Ctx) -> None:
    """/agreement: show it, or fill it in when there is none yet."""
    found = confirmed_pair(ctx)
    if found is None:
        return
    pair, role = found
    if not pair.agreement:
        start(ctx, pair, role)
        return
    mentee, mentor = pairs.people_of(ctx.session, pair)
    lines = [render(ctx.tr, pair, mentee, mentor), ""]
    if pair.agreement_done_at is not None:
        lines.append(ctx.tr.gettext("You have both confirmed it."))
        ctx.say(Reply("\n".join(lines)))
    elif role in pair.agreement_confirmed:
        partner = partner_of(ctx.session, pair, ctx.key.id)
        lines.append(ctx.tr.gettext("Waiting for {partner} to confirm it.", partner=partner.name))
        ctx.say(Reply("\n".join(lines)))
    else:
        ctx.say(Reply("\n".join(lines), _confirm_buttons(ctx.tr, pair)))


def start(ctx: Ctx, pair: Pair, role: str) -> None:
    """Fill it in (or change it), starting from what is stored."""
    stored = pair.agreement
    answers = {k: stored[k] for k in SHARED if k in stored}
    if _expectation_key(role) in stored:
        answers[EXPECTATIONS] = stored[_expectation_key(role)]
    notice = ctx.tr.gettext(TOGETHER[role])
    runner.begin(
        ctx, AGREEMENT, answers=answers, context={"pair": pair.id}, notice=None if answers else notice
    )


TOGETHER: dict[str, str] = {
    Role.MENTEE: __("Fill this in together with your mentor, at your next meeting."),
    Role.MENTOR: __("Fill this in together with your mentee, at your next meeting."),
}


def _agreement_finished(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
    session, now = ctx.session, ctx.now
    pair = session.get(Pair, conversation.context.get("pair", 0))
    role = role_in(pair, ctx.key.id) if pair is not None else None
    if pair is None or role is None or pair.status != PairStatus.CONFIRMED:
        ctx.say(Reply(ctx.tr.gettext("This pair is no longer active, so nothing was saved.")))
        return
    shared = {k: answers.get(k) for k in SHARED}
    kept = {k: v for k, v in pair.agreement.items() if k.startswith(EXPECTATIONS)}
    version = int(pair.agreement.get(VERSION, 0)) + 1
    pair.agreement = {**kept, **shared, _expectation_key(role): answers[EXPECTATIONS], VERSION: version}
    pair.agreement_confirmed, pair.agreement_done_at = [role], None
    session.add(pair)
    partner = partner_of(session, pair, ctx.key.id)
    ctx.say(Reply(ctx.tr.gettext("Saved. I have sent it to {partner} to confirm.", partner=partner.name)))
    mentee, mentor = pairs.people_of(session, pair)

    def to_confirm(ptr: Translator) -> Reply:
        intro = ptr.gettext(
            "{name} has filled in your mentor agreement. Please read it and confirm it:", name=ctx.person.name
        )
        return Reply("\n\n".join((intro, render(ptr, pair, mentee, mentor))), _confirm_buttons(ptr, pair))

    post(session, partner, ctx.i18n, now, to_confirm)


def _confirm_buttons(tr: Translator, pair: Pair) -> tuple[tuple[Button, ...], ...]:
    version = pair.agreement.get(VERSION, 0)
    return (
        (Button(tr.gettext("✅ I agree"), f"{CONFIRM_PREFIX}:{pair.id}:{version}:y"),),
        (Button(tr.gettext("✏️ Something should change"), f"{CONFIRM_PREFIX}:{pair.id}:{version}:e"),),
    )


AGREEMENT = runner.guided(
    runner.Guided(AGREEMENT_FLOW, finish=_agreement_finished, cancelled=__("The agreement was not changed."))
)


def press_confirm(ctx: Ctx, event: Press) -> str | None:
    """The other one agrees to the agreement as filled in, or wants to change it."""
    tr = ctx.tr
    pair_id, _, rest = event.data.partition(":")[2].partition(":")
    version, _, choice = rest.partition(":")
    found = pair_pressed(ctx, pair_id)
    if found is None or found[0].status != PairStatus.CONFIRMED or not found[0].agreement:
        return engine.stale(tr)
    pair, role = found
    if version != str(pair.agreement.get(VERSION, 0)):
        return tr.gettext("The agreement was changed since. Please answer the latest message about it.")
    if role in pair.agreement_confirmed:
        return tr.gettext("You have already confirmed it.")
    if choice == "e":
        ctx.edit(event.message_id, Reply(tr.gettext("✏️ You are changing the agreement.")))
        start(ctx, pair, role)
        return None
    if choice != "y":
        return engine.stale(tr)
    ctx.edit(event.message_id, Reply(tr.gettext("✅ I agree")))
    if not pair.agreement.get(_expectation_key(role)):
        runner.begin(
            ctx, EXPECTATIONS_ASKED, context={"pair": pair.id, VERSION: pair.agreement.get(VERSION, 0)}
        )
        return None
    _confirmed_by(ctx, pair, role)
    return None


def _expectations_given(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
    pair = ctx.session.get(Pair, conversation.context.get("pair", 0))
    role = role_in(pair, ctx.key.id) if pair is not None else None
    if pair is None or role is None or pair.agreement.get(VERSION, 0) != conversation.context.get(VERSION):
        ctx.say(
            Reply(
                ctx.tr.gettext("The agreement was changed since. Please answer the latest message about it.")
            )
        )
        return
    pair.agreement = {**pair.agreement, _expectation_key(role): answers[EXPECTATIONS]}
    _confirmed_by(ctx, pair, role)


EXPECTATIONS_ASKED = runner.guided(
    runner.Guided(
        EXPECTATIONS_FLOW, finish=_expectations_given, cancelled=__("The agreement was not changed.")
    )
)


def _confirmed_by(ctx: Ctx, pair: Pair, role: str) -> None:
    session, now = ctx.session, ctx.now
    pair.agreement_confirmed = sorted({*pair.agreement_confirmed, role})
    session.add(pair)
    if len(pair.agreement_confirmed) < 2:
        ctx.say(Reply(ctx.tr.gettext("Thank you!")))
        return
    pair.agreement_done_at = now
    mentee, mentor = pairs.people_of(session, pair)
    for person in (mentee, mentor):
        post(
            session,
            person,
            ctx.i18n,
            now,
            lambda tr: Reply(
                tr.gettext(
                    "Your mentor agreement is complete: you have both confirmed it. 🤝 /agreement shows it at any time."
                )
            ),
        )

    def copy(tr: Translator) -> Reply:
        heading = tr.gettext("{pair}: the mentor agreement is complete.", pair=pair.short_id)
        return Reply("\n\n".join((heading, render(tr, pair, mentee, mentor))))

    post(session, pair.coordinator, ctx.i18n, now, copy)


# -- three weeks on, no agreement yet -------------------------------------------------------------------


def check_agreement(session: Session, *, pair: Pair, person: Person, i18n: I18n, now: datetime) -> None:
    """The roadmap's three questions, with buttons for the answers."""

    def questions(tr: Translator) -> Reply:
        text = tr.gettext(
            "It is {agreement_within} since you both decided to continue, and your mentor agreement is not complete "
            "yet.\n\nIs it on the way? Have you met a second time? Will you continue?",
            **timeline.in_words(tr.locale),
        )
        buttons = (
            (Button(tr.gettext("📝 Fill in the agreement"), f"{CHECK_PREFIX}:{pair.id}:a"),),
            (Button(tr.gettext("🤝 We have met again"), f"{CHECK_PREFIX}:{pair.id}:m"),),
            (
                Button(
                    tr.gettext("💬 I would like to talk to the coordinator"), f"{CHECK_PREFIX}:{pair.id}:t"
                ),
            ),
        )
        return Reply(text, buttons)

    post(session, person, i18n, now, questions)


def press_check(ctx: Ctx, event: Press) -> str | None:
    """Her answer to the three-week question."""
    pair_id, _, choice = event.data.partition(":")[2].partition(":")
    found = pair_pressed(ctx, pair_id)
    if found is None or found[0].status != PairStatus.CONFIRMED:
        return engine.stale(ctx.tr)
    pair, role = found
    if choice == "a":
        if pair.agreement and role not in pair.agreement_confirmed:
            agreement_command(ctx)  # her partner filled it in: she only confirms
        else:
            start(ctx, pair, role)
        return None
    if choice == "m":
        ask_met(ctx, pair)
        return None
    if choice == "t":
        tell_coordinator(
            ctx.session,
            pair,
            ctx.i18n,
            ctx.now,
            __("{pair}: {name} ({id}) would like you to contact her."),
            name=ctx.person.name,
            id=ctx.person.short_id,
        )
        ctx.say(Reply(ctx.tr.gettext("I have told the coordinator; she will contact you.")))
        return None
    return engine.stale(ctx.tr)


# -- "we met" ------------------------------------------------------------------------------------------

HELD_ON = "held_on"


MET_FLOW = Flow(
    name="met",
    prefix="mt",
    confirm=False,
    steps=(
        Step(
            HELD_ON,
            __("On which day did you meet? Choose a day or write the date."),
            Kind.DATE,
            __("Day"),
            days_from_today(range(0, -6, -1)),
            min=-90,
            max=0,
            columns=3,
        ),
    ),
)


def met_command(ctx: Ctx) -> None:
    """/met: report a meeting."""
    found = confirmed_pair(ctx)
    if found is not None:
        ask_met(ctx, found[0])


def ask_met(ctx: Ctx, pair: Pair) -> None:
    """Ask her the day they met."""
    today = ctx.now.astimezone(ctx.tr.tz).date().isoformat()
    runner.begin(ctx, MET, answers={TODAY: today}, context={"pair": pair.id})


def _met_reported(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
    session, now, tr = ctx.session, ctx.now, ctx.tr
    pair = session.get(Pair, conversation.context.get("pair", 0))
    if pair is None or pair.status != PairStatus.CONFIRMED or role_in(pair, ctx.key.id) is None:
        ctx.say(Reply(tr.gettext("This pair is no longer active, so nothing was saved.")))
        return
    day = date.fromisoformat(answers[HELD_ON])
    if any(
        m.held_on == day and m.disputed_at is None for m in pairs.meetings_of(session, pair_id=pair.id or 0)
    ):
        ctx.say(Reply(tr.gettext("A meeting on {day} is already recorded. Thank you!", day=tr.day(day))))
        return
    meeting = Meeting(pair_id=pair.id or 0, held_on=day, reported_by=ctx.key.id, reported_at=now)
    session.add(meeting)
    session.flush()
    partner = partner_of(session, pair, ctx.key.id)
    ctx.say(Reply(tr.gettext("Thank you! I have asked {partner} to confirm it.", partner=partner.name)))

    def to_confirm(ptr: Translator) -> Reply:
        buttons = (
            (Button(ptr.gettext("✅ Yes, we met"), f"{MET_PREFIX}:{meeting.id}:y"),),
            (Button(ptr.gettext("No, we did not"), f"{MET_PREFIX}:{meeting.id}:n"),),
        )
        text = ptr.gettext(
            "{name} says you met on {day}. Is that right?", name=ctx.person.name, day=ptr.day(day)
        )
        return Reply(text, buttons)

    post(session, partner, ctx.i18n, now, to_confirm)


MET = runner.guided(runner.Guided(MET_FLOW, finish=_met_reported, cancelled=__("No meeting was recorded.")))


def press_met(ctx: Ctx, event: Press) -> str | None:
    """The other one confirms a reported meeting."""
    tr, session = ctx.tr, ctx.session
    meeting_id, _, choice = event.data.partition(":")[2].partition(":")
    meeting = session.get(Meeting, int(meeting_id)) if meeting_id.isdigit() and len(meeting_id) < 10 else None
    pair = session.get(Pair, meeting.pair_id) if meeting is not None else None
    if meeting is None or pair is None or role_in(pair, ctx.key.id) is None or choice not in ("y", "n"):
        return engine.stale(tr)
    if meeting.reported_by == ctx.key.id:
        return tr.gettext("You reported this meeting; your partner is asked to confirm it.")
    if meeting.confirmed_at is not None or meeting.disputed_at is not None:
        return tr.gettext("You have already answered. Thank you!")
    if choice == "y":
        meeting.confirmed_at = ctx.now
        ctx.edit(event.message_id, Reply(tr.gettext("✅ We met on {day}.", day=tr.day(meeting.held_on))))
    else:
        meeting.disputed_at = ctx.now
        ctx.edit(event.message_id, Reply(tr.gettext("Not recorded: {day}.", day=tr.day(meeting.held_on))))
    session.add(meeting)
    return None
