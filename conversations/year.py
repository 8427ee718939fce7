"""The programme year of a confirmed pair: the follow-ups, the end with the evaluation, ending early
with notice, and the choice of what comes next (when each falls due: conversations.timeline).

    sv:<survey>          start answering a follow-up or the evaluation
    nx:<a|n|l>           after the evaluation: matched again, network participant, or leave
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from babel.lists import format_list
from sqlmodel import Session

from conversations import engine, runner, timeline
from conversations.context import Ctx, post
from conversations.engine import Choice, Flow, Kind, Step
from conversations.events import Button, Press, Reply
from conversations.i18n import I18n, Translator, __
from conversations.pairing import partner_of, role_in, tell_coordinator
from conversations.texts import status_name
from conversations.timeline import END, EVALUATION, ProgrammeStep
from storage import pairs, queries, surveys
from storage.models import Pair, PairStatus, Person, Role, Status, Survey
from storage.queries import ConversationRow

SURVEY_PREFIX = "sv"
NEXT_PREFIX = "nx"
ANSWER = __("📝 Answer now (about 2 minutes)")
ANSWER_EVALUATION = __("📝 Answer now (about 5 minutes)")

# -- follow-ups ------------------------------------------------------------------------------------

PROGRESS, MET_HOW_OFTEN, UPDATE, CONTACT_ME = "progress", "met_how_often", "update", "contact_me"
PROGRESS_CHOICES = (
    Choice("not_started", __("Not started yet")),
    Choice("some", __("Some progress")),
    Choice("good", __("Good progress")),
    Choice("achieved", __("Achieved")),
)
HOW_OFTEN = (
    Choice("monthly", __("Once a month or more")),
    Choice("less", __("Less than once a month")),
    Choice("never", __("Not at all")),
)
FOLLOWUP_FLOW = Flow(
    name="followup",
    prefix="fu",
    summary_title=__("Your answers:"),
    steps=(
        Step(
            PROGRESS,
            __("How far have you come toward the goals in your activity plan?"),
            Kind.CHOICE,
            __("Progress toward the goals"),
            PROGRESS_CHOICES,
            columns=1,
        ),
        Step(MET_HOW_OFTEN, __("How often have you met?"), Kind.CHOICE, __("Meetings"), HOW_OFTEN, columns=1),
        Step(
            UPDATE,
            __("A short update: how is it going?"),
            Kind.TEXT,
            __("Update"),
            optional=True,
            min=2,
            max=1000,
        ),
        Step(CONTACT_ME, __("Would you like the coordinator to contact you?"), Kind.YESNO, __("Contact me")),
    ),
)
FOLLOWUP_TEXT = __(
    "It has now been {since} since you began your mentor relationship with {partner}, and I would like "
    "to hear how it is going. 🌱\n\n"
    "Your formal relationship in the programme lasts {year}, so in {left} the coordinator will stop "
    "following it. You are very welcome to go on meeting afterwards if you wish.\n\n"
    "Please answer within {within}: four short questions about your goals and your meetings."
)
FOLLOWUP_REMINDER = __(
    "A reminder: I have not had your answers to the follow-up yet. It takes about two minutes."
)
EVALUATION_REMINDER = __("A reminder: I have not had your evaluation yet. It takes about five minutes.")

# -- the end and the evaluation ----------------------------------------------------------------------

END_TEXT = __(
    "You have now been matched in the Mentor Network for {year}, and your formal mentor relationship with "
    "{partner} ends. The coordinator will no longer follow up on it. 🌷\n\n"
    "Within a year most pairs reach their first goals. Some go on meeting on their own, some stop, and for "
    "some the relationship becomes a friendship. If you still need support, you are always welcome to write "
    "here.\n\n"
    "Please take five minutes for the evaluation. Your answers are confidential: only the network's staff "
    "read them."
)
EARLY_END_TEXT = __(
    "Your mentor relationship with {partner} ends on {day}. Before it does, please take five minutes for the "
    "evaluation. Your answers are confidential: only the network's staff read them."
)
ENDED_NOW_TEXT = __(
    "Your coordinator has ended your mentor relationship with {partner}. If you have questions, you are "
    "welcome to write to her here.\n\n"
    "Please take five minutes for the evaluation. Your answers are confidential: only the network's staff "
    "read them."
)
ENDED, WHY, CONTACT_FREQUENCY, CONTACT_FORM = "ended", "why", "contact_frequency", "contact_form"
BENEFIT, OUTCOMES, NETWORK, GUIDANCE, RELATIONSHIP, COMMENT = (
    "benefit",
    "outcomes",
    "network",
    "guidance",
    "relationship",
    "comment",
)
# Why a mentor relationship ends: the evaluation's list (also the reasons for giving notice).
WHY_ENDED = (
    Choice("goals_achieved", __("The mentee has achieved her goals")),
    Choice("year_over", __("The one-year period is over")),
    Choice("nothing_more", __("The relationship has no more to give")),
    Choice("no_contact", __("We no longer meet or have contact")),
    Choice("aims_differ", __("Our hopes for the relationship did not agree")),
    Choice("understanding", __("We found it difficult to understand each other")),
    Choice("friends", __("We have become friends and now meet socially")),
    Choice("situation", __("One of us has a new situation (a move, a job, a course, maternity leave…)")),
    Choice("other", __("Other")),
)
CONTACT_FORMS = (
    Choice("in_person", __("In person")),
    Choice("remote", __("E-mail, phone, text messages or social media")),
)
MENTOR_BENEFITS = (
    Choice("aware", __("I have become more aware of the barriers and challenges my mentee might face")),
    Choice("network", __("My network now includes women from another background than my own")),
    Choice("helped", __("I have helped another woman to take positive steps")),
    Choice("learned", __("I have learned and developed from being a mentor")),
    Choice("positive", __("Overall it was a positive experience")),
    Choice("other", __("Other")),
)
# What the roadmap's evaluation (Oxford Research) measured for mentees.
MENTEE_OUTCOMES = (
    Choice("labour_market", __("Better chances in the labour market")),
    Choice("education", __("I do better in my education")),
    Choice("complete_education", __("Better chances to complete an education")),
    Choice("society", __("I know more about society here")),
    Choice("language", __("My spoken language is better")),
    Choice("confidence", __("I believe more in myself and my skills")),
)
NETWORK_GREW = (
    Choice("great", __("Yes, a great deal")),
    Choice("some", __("Yes, to some extent")),
    Choice("not_much", __("No, not much")),
    Choice("not_at_all", __("No, not at all")),
    Choice("dont_know", __("Don't know")),
)
SATISFACTION = (
    Choice("very_satisfied", __("Very satisfied")),
    Choice("satisfied", __("Satisfied")),
    Choice("neutral", __("Neutral")),
    Choice("dissatisfied", __("Dissatisfied")),
    Choice("very_dissatisfied", __("Very dissatisfied")),
    Choice("dont_know", __("Don't know")),
)
RELATIONSHIP_QUALITY = (
    Choice("very_good", __("Very good")),
    Choice("good", __("Good")),
    Choice("neutral", __("Neutral")),
    Choice("bad", __("Bad")),
    Choice("dont_know", __("Don't know")),
)


def _evaluation(name: str, prefix: str, *, mentor: bool) -> Flow:
    """The evaluation, question by question: the roadmap's mentor form, or the mentee's own version."""
    ended_choices = (
        Choice("yes", __("Yes")),
        Choice(
            "no",
            __("No, I am continuing with my mentee") if mentor else __("No, I am continuing with my mentor"),
        ),
    )
    return Flow(
        name=name,
        prefix=prefix,
        summary_title=__("Your evaluation:"),
        steps=(
            Step(
                ENDED,
                __("Has the mentoring process ended?"),
                Kind.CHOICE,
                __("Ended"),
                ended_choices,
                columns=1,
            ),
            Step(
                WHY,
                __("Why has it ended? Choose all that apply."),
                Kind.MULTI,
                __("Why it ended"),
                WHY_ENDED,
                min=1,
                max=len(WHY_ENDED),
                columns=1,
                when=lambda a: a.get(ENDED) == "yes",
            ),
            Step(
                CONTACT_FREQUENCY,
                __("How often have you had contact with your mentee?")
                if mentor
                else __("How often have you had contact with your mentor?"),
                Kind.CHOICE,
                __("Contact"),
                HOW_OFTEN,
                columns=1,
            ),
            Step(
                CONTACT_FORM,
                __("In what form was your most common contact?"),
                Kind.CHOICE,
                __("Most common contact"),
                CONTACT_FORMS,
                columns=1,
            ),
            *(
                (
                    Step(
                        BENEFIT,
                        __("How have you benefited from being a mentor? Choose the one that fits best."),
                        Kind.CHOICE,
                        __("Your benefit"),
                        MENTOR_BENEFITS,
                        columns=1,
                    ),
                )
                if mentor
                else (
                    Step(
                        OUTCOMES,
                        __("What has the mentor relationship given you? Choose all that apply."),
                        Kind.MULTI,
                        __("What it gave you"),
                        MENTEE_OUTCOMES,
                        min=0,
                        max=len(MENTEE_OUTCOMES),
                        columns=1,
                    ),
                )
            ),
            Step(
                NETWORK,
                __("Have you expanded your network?"),
                Kind.CHOICE,
                __("Network"),
                NETWORK_GREW,
                columns=1,
            ),
            Step(
                GUIDANCE,
                __(
                    "How satisfied have you been with the guidance and follow-up from the Mentor Network's staff?"
                ),
                Kind.CHOICE,
                __("Guidance"),
                SATISFACTION,
                columns=2,
            ),
            Step(
                RELATIONSHIP,
                __("How would you describe the relationship between you and your mentee?")
                if mentor
                else __("How would you describe the relationship between you and your mentor?"),
                Kind.CHOICE,
                __("The relationship"),
                RELATIONSHIP_QUALITY,
                columns=2,
            ),
            Step(
                COMMENT,
                __("If you would like to say more about what you got out of being a mentor, write it here.")
                if mentor
                else __(
                    "If you would like to say more about what you got out of having a mentor, write it here."
                ),
                Kind.TEXT,
                __("Comment"),
                optional=True,
                min=2,
                max=2000,
            ),
        ),
    )


MENTOR_EVALUATION = _evaluation("mentor_evaluation", "em", mentor=True)
MENTEE_EVALUATION = _evaluation("mentee_evaluation", "ee", mentor=False)


def _flow_for(survey: Survey, role: str) -> runner.Guided:
    if survey.kind != EVALUATION:
        return FOLLOWUP
    return MENTOR_EVAL if role == Role.MENTOR else MENTEE_EVAL


def _survey_button(tr: Translator, survey: Survey) -> tuple[tuple[Button, ...], ...]:
    label = ANSWER_EVALUATION if survey.kind == EVALUATION else ANSWER
    return ((Button(tr.gettext(label), f"{SURVEY_PREFIX}:{survey.id}"),),)


def followup_text(tr: Translator, followup: ProgrammeStep, partner: str | None) -> str:
    """A follow-up's message: how long the pair has run, how long is left, and by when to answer."""
    left = timeline.Span(months=timeline.YEAR.months - followup.due.months)
    return tr.gettext(
        FOLLOWUP_TEXT,
        since=followup.due.text(tr.locale),
        partner=partner,
        year=timeline.YEAR.text(tr.locale),
        left=left.text(tr.locale),
        within=followup.messages[-1].text(tr.locale),  # her reminder comes then
    )


def send_followup(
    session: Session, *, pair: Pair, person: Person, kind: str, i18n: I18n, now: datetime
) -> None:
    """A follow-up during the year: how far toward the goals, how often they meet, a short update."""
    survey = surveys.open_for(session, pair=pair, person=person, kind=kind, now=now)
    partner = partner_of(session, pair, person.id or 0)
    post(
        session,
        person,
        i18n,
        now,
        lambda tr: Reply(followup_text(tr, timeline.step(kind), partner.name), _survey_button(tr, survey)),
    )


def remind_survey(session: Session, *, survey: Survey, person: Person, i18n: I18n, now: datetime) -> None:
    """Ask again, with the same button."""
    msgid = EVALUATION_REMINDER if survey.kind == EVALUATION else FOLLOWUP_REMINDER
    post(session, person, i18n, now, lambda tr: Reply(tr.gettext(msgid), _survey_button(tr, survey)))


def send_evaluation(
    session: Session, *, pair: Pair, person: Person, i18n: I18n, now: datetime, msgid: str
) -> None:
    """The end message (or the notice's) and the evaluation."""
    survey = surveys.open_for(session, pair=pair, person=person, kind=EVALUATION, now=now)
    partner = partner_of(session, pair, person.id or 0)

    def evaluation(tr: Translator) -> Reply:
        day = tr.date(pair.ends_at or now)
        text = tr.gettext(msgid, partner=partner.name, day=day, **timeline.in_words(tr.locale))
        return Reply(text, _survey_button(tr, survey))

    post(session, person, i18n, now, evaluation)


FOLLOWUP_CLOSED = __("This follow-up is closed: your mentor relationship has ended. Thank you all the same!")


def _closed(survey: Survey, pair: Pair) -> bool:
    """A follow-up of a pair that has ended is no longer answered (the evaluation always is)."""
    return survey.kind != EVALUATION and pair.status != PairStatus.CONFIRMED


def press_survey(ctx: Ctx, event: Press) -> str | None:
    """She starts a follow-up or the evaluation."""
    tr, session = ctx.tr, ctx.session
    survey_id = event.data.partition(":")[2]
    survey = session.get(Survey, int(survey_id)) if survey_id.isdigit() and len(survey_id) < 10 else None
    pair = session.get(Pair, survey.pair_id) if survey is not None else None
    if survey is None or pair is None or survey.person_id != ctx.key.id:
        return engine.stale(tr)
    if survey.answered_at is not None:
        return tr.gettext("You have already answered. Thank you!")
    if _closed(survey, pair):
        ctx.say(Reply(tr.gettext(FOLLOWUP_CLOSED)))
        return None
    role = role_in(pair, ctx.key.id)
    assert role is not None
    runner.begin(ctx, _flow_for(survey, role), context={"survey": survey.id})
    return None


def _answered(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
    session, now, tr = ctx.session, ctx.now, ctx.tr
    survey = session.get(Survey, conversation.context.get("survey", 0))
    pair = session.get(Pair, survey.pair_id) if survey is not None else None
    if survey is None or pair is None or survey.answered_at is not None:
        ctx.say(Reply(tr.gettext("You have already answered. Thank you!")))
        return
    if _closed(survey, pair):
        ctx.say(Reply(tr.gettext(FOLLOWUP_CLOSED)))
        return
    surveys.save(session, survey=survey, answers=answers, now=now)
    if survey.kind == EVALUATION:
        ctx.say(Reply(tr.gettext("Thank you for your evaluation! 🌷")))
        _ask_what_next(ctx, pair)
        return
    ctx.say(Reply(tr.gettext("Thank you! Your answers go to the coordinator.")))
    if answers.get(CONTACT_ME):
        ctx.say(Reply(tr.gettext("I have told the coordinator; she will contact you.")))
        tell_coordinator(
            session,
            pair,
            ctx.i18n,
            now,
            __("{pair}: {name} ({id}) would like you to contact her (follow-up)."),
            name=ctx.person.name,
            id=ctx.person.short_id,
        )


FOLLOWUP = runner.guided(
    runner.Guided(
        FOLLOWUP_FLOW,
        finish=_answered,
        cancelled=__("Your answers were not saved. The button on the follow-up message still works."),
    )
)
MENTOR_EVAL = runner.guided(
    runner.Guided(
        MENTOR_EVALUATION,
        finish=_answered,
        cancelled=__("Your answers were not saved. The button on the evaluation message still works."),
    )
)
MENTEE_EVAL = runner.guided(
    runner.Guided(
        MENTEE_EVALUATION,
        finish=_answered,
        cancelled=__("Your answers were not saved. The button on the evaluation message still works."),
    )
)

# -- what comes next -----------------------------------------------------------------------------------

AGAIN, NETWORK_PARTICIPANT, LEAVE = "a", "n", "l"


def what_next(session: Session, *, person: Person, i18n: I18n, now: datetime) -> None:
    """After the end: be matched again, stay as a network participant, or leave."""

    def choices(tr: Translator) -> Reply:
        again = (
            tr.gettext("🔁 Be matched again as a mentor")
            if person.role == Role.MENTOR
            else tr.gettext("🔁 Be matched again as a mentee")
        )
        buttons = (
            (Button(again, f"{NEXT_PREFIX}:{AGAIN}"),),
            (
                Button(
                    tr.gettext("📣 Stay in the network and hear about events"),
                    f"{NEXT_PREFIX}:{NETWORK_PARTICIPANT}",
                ),
            ),
            (Button(tr.gettext("👋 Leave the network"), f"{NEXT_PREFIX}:{LEAVE}"),),
        )
        return Reply(tr.gettext(WHAT_NEXT), buttons)

    post(session, person, i18n, now, choices)


WHAT_NEXT = __("What would you like now?")


def _ask_what_next(ctx: Ctx, pair: Pair) -> None:
    if pair.status == PairStatus.ENDED:
        what_next(ctx.session, person=ctx.person, i18n=ctx.i18n, now=ctx.now)
    elif pair.ends_at is not None:
        ctx.say(
            Reply(
                ctx.tr.gettext(
                    "On {day}, when your mentor relationship ends, I will ask what you would like next.",
                    day=ctx.tr.date(pair.ends_at),
                )
            )
        )


def press_next(ctx: Ctx, event: Press) -> str | None:
    """Her choice after the end: matched again, network participant, or leave."""
    tr, session, now = ctx.tr, ctx.session, ctx.now
    choice = event.data.partition(":")[2]
    person = ctx.person
    if choice not in (AGAIN, NETWORK_PARTICIPANT, LEAVE) or person.status != Status.IN_RELATIONSHIP:
        return engine.stale(tr)
    if pairs.active_pair_of(session, person_id=person.id or 0) is not None:
        return engine.stale(tr)  # her pair has not ended yet: the choice comes after the end
    status = {
        AGAIN: Status.READY_TO_BE_MATCHED,
        NETWORK_PARTICIPANT: Status.NETWORK_PARTICIPANT,
        LEAVE: Status.WITHDRAWN,
    }[choice]
    queries.set_status(session, person=person, status=status, now=now)
    said = {
        AGAIN: __(
            "Wonderful! You are ready to be matched again; the coordinator will write to you with a proposal."
        ),
        NETWORK_PARTICIPANT: __(
            "You stay in the network as a participant: we will tell you about events and courses."
        ),
        LEAVE: __(
            "Thank you for this year. You are always welcome back. To have your data deleted, write to a coordinator here."
        ),
    }[choice]
    ctx.edit(event.message_id, Reply(tr.gettext(WHAT_NEXT)))
    ctx.say(Reply(tr.gettext(said)))
    last = pairs.last_pair_of(session, person_id=person.id or 0)
    if last is not None:
        tell_coordinator(
            session,
            last,
            ctx.i18n,
            now,
            __("{name} ({id}) chose after the end of {pair}: {choice}"),
            name=person.name,
            id=person.short_id,
            choice=lambda tr: status_name(tr, status),
        )
    return None


# -- ending early -------------------------------------------------------------------------------------

REASONS = "reasons"
ENDMATCH_FLOW = Flow(
    name="endmatch",
    prefix="en",
    summary_title=__("You are giving notice to end your mentor relationship, for these reasons:"),
    steps=(
        Step(
            REASONS,
            __(
                "Why would you like to end it? Choose all that apply. Your partner will not see your reasons."
            ),
            Kind.MULTI,
            __("Reasons"),
            WHY_ENDED,
            min=1,
            max=len(WHY_ENDED),
            columns=1,
        ),
    ),
)


def endmatch(ctx: Ctx) -> None:
    """/endmatch: give notice (timeline.NOTICE)."""
    tr = ctx.tr
    pair = pairs.active_pair_of(ctx.session, person_id=ctx.key.id)
    if pair is None or pair.status != PairStatus.CONFIRMED:
        ctx.say(
            Reply(
                tr.gettext(
                    "/endmatch is for ending a mentor relationship, and you are not in one just now. If you want to talk about your match, write to a coordinator here."
                )
            )
        )
        return
    if pair.ended_by is not None and pair.ends_at is not None:
        ctx.say(
            Reply(
                tr.gettext(
                    "Notice has already been given: your mentor relationship ends on {day}.",
                    day=tr.date(pair.ends_at),
                )
            )
        )
        return
    runner.begin(ctx, ENDMATCH, context={"pair": pair.id})


def _notice_given(ctx: Ctx, conversation: ConversationRow, answers: dict[str, Any]) -> None:
    session, now, tr = ctx.session, ctx.now, ctx.tr
    pair = session.get(Pair, conversation.context.get("pair", 0))
    if (
        pair is None
        or pair.status != PairStatus.CONFIRMED
        or role_in(pair, ctx.key.id) is None
        or pair.ended_by
    ):
        ctx.say(Reply(tr.gettext("This pair is no longer active, so nothing was saved.")))
        return
    pair.ends_at = timeline.NOTICE.after(now)
    pair.evaluation_at = timeline.EVALUATION_BEFORE_END.before(pair.ends_at)
    pair.end_reasons, pair.ended_by = list(answers[REASONS]), ctx.key.id
    session.add(pair)
    partner = partner_of(session, pair, ctx.key.id)
    ctx.say(
        Reply(
            tr.gettext(
                "Your notice is given. Your mentor relationship with {partner} ends on {day}; {before_end} before that I will send you a short evaluation. Thank you for what you gave each other.",
                partner=partner.name,
                day=tr.date(pair.ends_at),
                **timeline.in_words(tr.locale),
            )
        )
    )
    ends_at = pair.ends_at
    post(
        session,
        partner,
        ctx.i18n,
        now,
        lambda ptr: Reply(
            ptr.gettext(
                "{name} has given notice to end your mentor relationship; it ends on {day}. That happens, and it is nobody's fault. {before_end} before that I will send you a short evaluation, and the coordinator is glad to talk with you.",
                name=ctx.person.name,
                day=ptr.date(ends_at),
                **timeline.in_words(ptr.locale),
            )
        ),
    )

    def to_coordinator(ctr: Translator) -> Reply:
        reasons = format_list(
            [ctr.gettext(c.label) for c in WHY_ENDED if c.value in pair.end_reasons], locale=ctr.locale
        )
        return Reply(
            ctr.gettext(
                "{pair}: {name} ({id}) has given notice; the pair ends on {day}. Reasons: {reasons}",
                pair=pair.short_id,
                name=ctx.person.name,
                id=ctx.person.short_id,
                day=ctr.date(ends_at),
                reasons=reasons,
            )
        )

    post(session, pair.coordinator, ctx.i18n, now, to_coordinator)


ENDMATCH = runner.guided(
    runner.Guided(
        ENDMATCH_FLOW,
        finish=_notice_given,
        cancelled=__("Nothing was changed: your mentor relationship goes on."),
    )
)


# -- what the sweep does for a pair's year ---------------------------------------------------------------


def end_dates(pair: Pair) -> tuple[datetime, datetime]:
    """(when the evaluation is sent, when the pair ends), set at the confirmation and by notice."""
    assert pair.evaluation_at is not None and pair.ends_at is not None
    return pair.evaluation_at, pair.ends_at


def chains(pair: Pair, now: datetime) -> list[tuple[str, list[datetime]]]:
    """Each step of the pair's year and when its messages go (a step's message is sent once, the latest only).

    Once the evaluation is due, a follow-up not yet sent (after downtime) is no longer asked.
    """
    if pair.confirmed_at is None:
        return []
    evaluation_at, _ = end_dates(pair)
    found = []
    if pair.status == PairStatus.CONFIRMED and now < evaluation_at:
        for followup in timeline.followups():
            due = followup.due_at(pair)
            if due is not None and due < evaluation_at:
                found.append((followup.name, followup.sends_from(due)))
    found.append((EVALUATION, timeline.step(EVALUATION).sends_at(pair)))
    if pair.status == PairStatus.CONFIRMED:
        found.append((END, timeline.step(END).sends_at(pair)))
    return found


def due_steps(pair: Pair, now: datetime) -> list[tuple[str, int]]:
    """(chain, step) of each chain's latest step due now."""
    found = []
    for kind, steps in chains(pair, now):
        step = sum(1 for when in steps if when <= now)
        if step:
            found.append((kind, step))
    return found


def act(session: Session, *, pair: Pair, kind: str, step: int, i18n: I18n, now: datetime) -> int:
    """Carry out one step of a chain; 1 if anything was sent or changed."""
    mentee, mentor = pairs.people_of(session, pair)
    people = {p.id: p for p in (mentee, mentor)}
    if kind == END:
        end(session, pair=pair, now=now)
        for survey in surveys.of_pair(session, pair_id=pair.id or 0):
            if survey.kind == EVALUATION and survey.answered_at is not None:
                what_next(session, person=people[survey.person_id], i18n=i18n, now=now)
        return 1
    if step == 1:
        for person in (mentee, mentor):
            if kind == EVALUATION:
                send_evaluation(
                    session,
                    pair=pair,
                    person=person,
                    i18n=i18n,
                    now=now,
                    msgid=EARLY_END_TEXT if pair.ended_by else END_TEXT,
                )
            else:
                send_followup(session, pair=pair, person=person, kind=kind, i18n=i18n, now=now)
        return 1
    for survey in surveys.of_pair(session, pair_id=pair.id or 0):
        if survey.kind == kind and survey.answered_at is None:
            remind_survey(session, survey=survey, person=people[survey.person_id], i18n=i18n, now=now)
    return 1


def end(session: Session, *, pair: Pair, now: datetime) -> None:
    """The pair's formal relationship is over; each chooses what comes next."""
    pair.status, pair.ended_at = PairStatus.ENDED, now
    session.add(pair)
