"""The programme year of a confirmed pair, moved with the fake clock: follow-ups, the end, the
evaluation, notice, a coordinator's /end, the overdue view and the morning digest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import col, select

from bot.scheduler import create_scheduler
from conversations import pairing, timeline, year
from conversations.sweep import sweep
from storage import pairs
from storage.models import Pair, Person, Survey, SurveyAnswer
from tests.conftest import COORDINATOR, Harness
from tests.conversations.test_pairing import ready

AMAL, KAREN = 8001, 8002


def confirm(h: Harness, mentee: Person, mentor: Person) -> int:
    """A pair that met and both said yes, confirmed now (how is tested in test_pairing.py)."""
    with h.db.session() as session:
        pair_id = pairs.propose(
            session,
            mentee_id=mentee.id or 0,
            mentor_id=mentor.id or 0,
            coordinator=h.person_id(COORDINATOR),
            now=h.clock.now(),
        )
        assert pair_id is not None
        pair = pairs.get(session, pair_id=pair_id)
        pair.meeting_at = pair.meeting_agreed_at = h.clock.now()
        pair.mentee_decision = pair.mentor_decision = True
        pairing.decide(session, pair=pair, i18n=h.i18n, now=h.clock.now(), notes=h.notes)
        pair.agreement_done_at = h.clock.now()  # the agreement is tested in test_pairing.py
    return pair_id


async def a_pair(h: Harness) -> tuple[Person, Person, int]:
    amal = ready(h, AMAL, "Amal", "ar", "mentee")
    karen = ready(h, KAREN, "Karen", "da", "mentor")
    await h.send(COORDINATOR, "/start", language="en")
    pair_id = confirm(h, amal, karen)
    await h.sender.drain()
    return amal, karen, pair_id


async def swept(h: Harness) -> tuple[int, list[int]]:
    """Run a sweep; (year messages it counted, the participants who received something)."""
    before = len(h.session.calls)
    report = sweep(h.db, h.clock, h.i18n, h.coordinators)
    await h.sender.drain()
    calls = h.session.calls[before:]
    chats = [c.chat_id for c in calls if type(c).__name__ == "SendMessage" and c.chat_id != COORDINATOR]
    return report.year_messages, chats


def pair_of(h: Harness, pair_id: int) -> Pair:
    with h.db.session() as session:
        return pairs.get(session, pair_id=pair_id)


def to(h: Harness, moment: datetime) -> None:
    h.clock.advance(moment - h.clock.now())


async def answer_followup(h: Harness, user: int, *, contact: bool) -> None:
    tr = h.i18n.translator(h.users[user].language_code)
    await h.tap(user, tr.gettext(year.ANSWER))
    await h.tap(user, tr.gettext("Good progress"))
    await h.tap(user, tr.gettext("Once a month or more"))
    await h.send(user, "نعمل على السيرة الذاتية" if user == AMAL else "Det går godt")
    await h.tap(user, tr.gettext("Yes") if contact else tr.gettext("No"))
    await h.tap(user, "✅")


async def test_a_whole_year(harness: Harness) -> None:
    h = harness
    amal, karen, pair_id = await a_pair(h)
    confirmed = h.clock.now()
    ar, da = h.i18n.translator("ar"), h.i18n.translator("da")

    # Three months: both are asked; nothing the day before.
    to(h, timeline.add_months(confirmed, 3) - timedelta(minutes=1))
    assert (await swept(h))[1] == []
    h.clock.advance(minutes=1)
    sent, chats = await swept(h)
    assert sent == 1 and sorted(chats) == [AMAL, KAREN], "one step of the pair's year: a message to each"
    assert h.messages(AMAL)[-1].text == year.followup_text(
        ar, timeline.step(timeline.FIRST_FOLLOWUP), "Karen"
    )
    assert h.messages(KAREN)[-1].labels == [da.gettext(year.ANSWER)]
    assert (await swept(h))[1] == [], "a second sweep sends nothing"

    # Amal answers and asks to be contacted: the coordinator hears at once.
    await answer_followup(h, AMAL, contact=True)
    assert h.texts(COORDINATOR)[-1] == "M-1: Amal (P-1) would like you to contact her (follow-up)."
    with h.db.session() as session:
        survey = session.exec(select(Survey).where(Survey.person_id == amal.id)).one()
        stored = {a.question: a.value for a in session.exec(select(SurveyAnswer))}
    assert survey.answered_at is not None
    assert stored == {
        "progress": "good",
        "met_how_often": "monthly",
        "update": "نعمل على السيرة الذاتية",
        "contact_me": True,
    }
    await h.press(AMAL, f"sv:{survey.id}", h.messages(AMAL)[-1].message_id)
    assert h.calls("AnswerCallbackQuery")[-1].text == ar.gettext("You have already answered. Thank you!")

    # Karen does not answer: one reminder at 14 days, only to her; overdue at 21.
    h.clock.advance(days=14)
    _, chats = await swept(h)
    assert chats == [KAREN]
    assert h.messages(KAREN)[-1].text.startswith(da.gettext(year.FOLLOWUP_REMINDER))
    h.clock.advance(days=7)
    overdue = (await h.send(COORDINATOR, "/overdue"))[-1]
    assert overdue.text.startswith(
        "Follow-up at 3 months not answered in 21 days – remind her again or call her:\nM-1 Karen (P-2) – overdue 0 days"
    )
    opened = await h.tap(COORDINATOR, "📂 M-1")
    assert opened[-1].text.startswith("M-1: Amal (P-1, mentee) and Karen (P-2, mentor) – confirmed")
    assert "• Follow-up at 3 months, Karen: not answered" in opened[-1].text
    assert "  Progress toward the goals: Good progress" in opened[-1].text
    await h.press(COORDINATOR, overdue.data("Remind P-2"), overdue.message_id)
    assert h.messages(KAREN)[-1].labels == [da.gettext(year.ANSWER)]
    await h.tap(COORDINATOR, "Handled P-2")
    await h.send(COORDINATOR, "Called her: all is well")
    assert (await h.send(COORDINATOR, "/overdue"))[-1].text == "Nothing is overdue."

    # Nine months: asked again; the year ends in three.
    to(h, timeline.add_months(confirmed, 9))
    _, chats = await swept(h)
    assert sorted(chats) == [AMAL, KAREN]
    assert h.messages(AMAL)[-1].text == year.followup_text(
        ar, timeline.step(timeline.SECOND_FOLLOWUP), "Karen"
    )

    # Twelve months: the end message and the evaluation; the pair has ended.
    to(h, timeline.add_months(confirmed, 12))
    _, chats = await swept(h)
    assert sorted(chats) == [AMAL, KAREN]
    assert h.messages(KAREN)[-1].text == da.gettext(
        year.END_TEXT, partner="Amal", **timeline.in_words(da.locale)
    )
    assert pair_of(h, pair_id).status == "ended"
    # A follow-up button pressed after the end changes nothing.
    with h.db.session() as session:
        old = session.exec(
            select(Survey).where(Survey.person_id == karen.id, Survey.kind == "second_followup")
        ).one()
    await h.press(KAREN, f"sv:{old.id}", 1)
    assert h.texts(KAREN)[-1] == da.gettext(
        "This follow-up is closed: your mentor relationship has ended. Thank you all the same!"
    )

    # Amal fills in the mentee's evaluation and chooses to be matched again.
    await h.tap(AMAL, ar.gettext(year.ANSWER_EVALUATION))
    await h.tap(AMAL, ar.gettext("Yes"))
    await h.tap(AMAL, ar.gettext("The one-year period is over"))
    await h.done(AMAL)
    await h.tap(AMAL, ar.gettext("Once a month or more"))
    await h.tap(AMAL, ar.gettext("In person"))
    for outcome in ("Better chances in the labour market", "I believe more in myself and my skills"):
        await h.tap(AMAL, ar.gettext(outcome))
    await h.done(AMAL)
    await h.tap(AMAL, ar.gettext("Yes, to some extent"))
    await h.tap(AMAL, ar.gettext("Very satisfied"))
    await h.tap(AMAL, ar.gettext("Very good"))
    await h.tap(AMAL, ar.gettext("Skip ▶"))
    await h.tap(AMAL, "✅")
    assert h.messages(AMAL)[-1].text == ar.gettext(year.WHAT_NEXT)
    with h.db.session() as session:
        evaluation = session.exec(
            select(Survey).where(Survey.person_id == amal.id, Survey.kind == "evaluation")
        ).one()
        answers = {
            a.question: a.value
            for a in session.exec(select(SurveyAnswer).where(SurveyAnswer.survey_id == evaluation.id))
        }
    assert answers["outcomes"] == ["labour_market", "confidence"] and answers["why"] == ["year_over"]
    assert answers["comment"] is None
    await h.tap(AMAL, ar.gettext("🔁 Be matched again as a mentee"))
    with h.db.session() as session:
        assert session.get(Person, amal.id).status == "ready_to_be_matched"  # type: ignore[union-attr]
    assert h.texts(COORDINATOR)[-1] == "Amal (P-1) chose after the end of M-1: ready to be matched"

    # Karen does not: reminders at two weeks and three, then "call the pair".
    h.clock.advance(days=14)
    assert (await swept(h))[1] == [KAREN]
    h.clock.advance(days=7)
    assert (await swept(h))[1] == [KAREN]
    h.clock.advance(days=6)
    assert "Evaluation" not in (await h.send(COORDINATOR, "/overdue"))[-1].text
    h.clock.advance(days=1)
    overdue = (await h.send(COORDINATOR, "/overdue"))[-1].text
    assert overdue.startswith(
        "Evaluation not returned 4 weeks after the end – call the pair:\nM-1 Amal (P-1) + Karen (P-2)"
    )
    assert overdue.endswith("not answered: Karen")
    assert (await swept(h))[1] == [], "nothing more is sent"


async def test_notice_ends_the_pair_a_month_later_with_the_evaluation_in_the_last_week(
    harness: Harness,
) -> None:
    h = harness
    _, _, pair_id = await a_pair(h)
    h.clock.advance(days=80)  # notice ten days before the 3-month follow-up
    da, ar = h.i18n.translator("da"), h.i18n.translator("ar")
    await h.send(KAREN, "/endmatch")
    await h.tap(KAREN, da.gettext("We no longer meet or have contact"))
    await h.done(KAREN)
    await h.tap(KAREN, "✅")
    pair = pair_of(h, pair_id)
    gave_notice = h.clock.now()
    assert pair.ends_at == timeline.add_months(gave_notice, 1)
    assert pair.evaluation_at == pair.ends_at - timedelta(weeks=1)
    told = h.texts(AMAL)[-1]
    assert told == ar.gettext(
        "{name} has given notice to end your mentor relationship; it ends on {day}. That happens, and it is nobody's fault. {before_end} before that I will send you a short evaluation, and the coordinator is glad to talk with you.",
        name="Karen",
        day=ar.date(pair.ends_at),
        **timeline.in_words(ar.locale),
    )
    assert h.texts(COORDINATOR)[-1].startswith("M-1: Karen (P-2) has given notice; the pair ends on")
    assert h.texts(COORDINATOR)[-1].endswith("Reasons: We no longer meet or have contact")
    assert (await h.send(KAREN, "/endmatch"))[-1].text.startswith(
        da.gettext("Notice has already been given: your mentor relationship ends on {day}.", day="")[:20]
    )

    # The 3-month follow-up still comes (it is before the end); in the last week, the evaluation.
    to(h, pair.evaluation_at - timedelta(minutes=1))  # type: ignore[operator]
    _, chats = await swept(h)
    assert sorted(set(chats)) == [AMAL, KAREN], "the 3-month follow-up"
    h.clock.advance(minutes=1)
    _, chats = await swept(h)
    assert sorted(chats) == [AMAL, KAREN]
    assert h.messages(AMAL)[-1].text == ar.gettext(
        year.EARLY_END_TEXT, partner="Karen", day=ar.date(pair.ends_at)
    )
    assert pair_of(h, pair_id).status == "confirmed"
    to(h, pair.ends_at)  # type: ignore[arg-type]
    await swept(h)
    assert pair_of(h, pair_id).status == "ended"
    assert (await h.send(AMAL, "/endmatch"))[-1].text.startswith(
        ar.gettext(
            "/endmatch is for ending a mentor relationship, and you are not in one just now. If you want to talk about your match, write to a coordinator here."
        )[:12]
    )


async def test_a_coordinator_ends_a_pair_at_once(harness: Harness) -> None:
    h = harness
    _, _, pair_id = await a_pair(h)
    assert (await h.send(COORDINATOR, "/end M-1"))[-1].text.startswith("Write the reason after the pair")
    assert (await h.send(COORDINATOR, "/end M-9 breach"))[-1].text.startswith("There is no pair M-9.")
    done = (await h.send(COORDINATOR, "/end M-1 breach of confidentiality"))[-1].text
    assert done == "M-1 has ended; both have been told."
    ar = h.i18n.translator("ar")
    assert h.messages(AMAL)[-1].text == ar.gettext(year.ENDED_NOW_TEXT, partner="Karen")
    assert h.messages(AMAL)[-1].labels == [ar.gettext(year.ANSWER_EVALUATION)]
    assert (await h.send(COORDINATOR, "/end M-1 again"))[-1].text == "M-1 has already ended (ended)."
    _, chats = await swept(h)
    assert chats == [], "the sweep does not send the evaluation a second time"
    record = (await h.send(COORDINATOR, "/pair M-1"))[-1].text
    assert "Ended by the coordinator: breach of confidentiality" in record
    with h.db.session() as session:
        assert "breach" not in (session.get(Pair, pair_id).end_note or "")  # type: ignore[union-attr]


async def test_evaluation_button_twice_and_end_without_a_pair(harness: Harness) -> None:
    h = harness
    lone = ready(h, 8009, "Sara", "en", "mentee")
    assert (await h.send(8009, "/endmatch"))[-1].text.startswith(
        "/endmatch is for ending a mentor relationship"
    )
    _, _, pair_id = await a_pair(h)
    await h.send(COORDINATOR, "/end M-1 the mentor moved abroad")
    da = h.i18n.translator("da")
    button = h.messages(KAREN)[-1]
    await h.press(KAREN, button.data(da.gettext(year.ANSWER_EVALUATION)), button.message_id)
    await h.press(KAREN, button.data(da.gettext(year.ANSWER_EVALUATION)), button.message_id)
    assert h.texts(KAREN)[-1].startswith(da.gettext("Question {number} of {total}", number=1, total=8)[:8])
    with h.db.session() as session:
        assert len(session.exec(select(Survey).where(Survey.pair_id == pair_id)).all()) == 2
    with h.db.session() as session:
        assert session.get(Person, lone.id).status == "ready_to_be_matched", (
            "/endmatch without a pair changed nothing"
        )  # type: ignore[union-attr]


async def test_after_ten_days_of_downtime_each_thing_is_sent_once(harness: Harness) -> None:
    h = harness
    _, _, pair_id = await a_pair(h)
    confirmed = pair_of(h, pair_id).confirmed_at
    assert confirmed is not None
    h.clock.advance(timeline.add_months(confirmed, 3) + timedelta(days=10) - h.clock.now())
    ar = h.i18n.translator("ar")
    _, chats = await swept(h)
    assert sorted(chats) == [AMAL, KAREN], "one message each, not one per missed day"
    assert h.messages(AMAL)[-1].text == year.followup_text(
        ar, timeline.step(timeline.FIRST_FOLLOWUP), "Karen"
    ), "the follow-up itself, since it was never sent"
    assert (await swept(h))[1] == []
    h.clock.advance(days=4)
    _, chats = await swept(h)
    assert sorted(chats) == [AMAL, KAREN], "the reminder, on its day"
    assert (await swept(h))[1] == []


async def test_a_new_process_carries_on_where_the_old_one_stopped(harness: Harness) -> None:
    h = harness
    _, _, pair_id = await a_pair(h)
    confirmed = pair_of(h, pair_id).confirmed_at
    assert confirmed is not None
    to(h, timeline.add_months(confirmed, 3))
    await swept(h)
    second = Harness(h.db.__class__(h.db.url), h.clock, h.i18n, frozenset({COORDINATOR}))
    try:
        assert sweep(second.db, second.clock, second.i18n).year_messages == 0, "nothing twice"
        second.clock.advance(days=14)
        assert sweep(second.db, second.clock, second.i18n).year_messages == 1, "the reminder, once"
        assert sweep(h.db, h.clock, h.i18n).year_messages == 0, "nor from the old process"
    finally:
        await second.bot.session.close()
        second.db.dispose()


async def test_the_morning_digest(harness: Harness) -> None:
    h = harness
    await h.send(COORDINATOR, "/start", language="en")
    amal = ready(h, AMAL, "Amal", "ar", "mentee")
    karen = ready(h, KAREN, "Karen", "da", "mentor")
    await h.send(COORDINATOR, f"/propose {amal.short_id} {karen.short_id}")
    to(h, datetime(2026, 1, 20, 7, 59, tzinfo=UTC))  # 08:59 in Copenhagen, the pair overdue since yesterday
    before = len(h.session.calls)
    assert sweep(h.db, h.clock, h.i18n, h.coordinators).digests == 0
    h.clock.advance(minutes=1)
    assert sweep(h.db, h.clock, h.i18n, h.coordinators).digests == 1
    assert sweep(h.db, h.clock, h.i18n, h.coordinators).digests == 0, "once a day"
    await h.sender.drain()
    assert [sent.text for sent in h._new_for(COORDINATOR, before)] == [
        "Good morning! Overdue today – first meetings without a date: 1.\n"
        "/overdue shows each with what to do; /overdue mine only your pairs."
    ]
    h.clock.advance(days=1)
    assert sweep(h.db, h.clock, h.i18n, h.coordinators).digests == 1, "the next morning again"
    scheduler = create_scheduler(h.db, h.clock, h.i18n, every_seconds=60, wake=lambda: None)
    trigger = scheduler.get_job("digest").trigger
    assert str(trigger) == "cron[hour='9', minute='0']" and str(trigger.timezone) == "Europe/Copenhagen"


async def test_pair_and_caseload(harness: Harness) -> None:
    h = harness
    _, _, pair_id = await a_pair(h)
    record = (await h.send(COORDINATOR, "/pair M-1"))[-1].text
    assert record.startswith("M-1: Amal (P-1, mentee) and Karen (P-2, mentor) – confirmed")
    assert "• Decision: mentee yes, mentor yes" in record and "• Ends: Jan 5, 2027" in record
    caseload = (await h.send(COORDINATOR, "/caseload"))[-1].text
    assert caseload.splitlines()[-1].endswith(": active pairs 1, matched this year 1 of 80")
    assert (await h.send(COORDINATOR, "/pair M-7"))[-1].text.startswith("There is no pair M-7.")
    refused = h.i18n.translator("ar").gettext(
        "Sorry, /{command} is only for the network's coordinators. /help shows what you can do.",
        command="pair",
    )
    assert (await h.send(AMAL, "/pair M-1"))[-1].text == refused
    with h.db.session() as session:
        assert session.exec(select(Pair).where(col(Pair.id) == pair_id)).one().status == "confirmed"


ROADMAP_FORM = Path(__file__).with_name("roadmap_mentor_evaluation.txt")
# The roadmap's "Mentor's evaluation", question by question: its wording, ours, and each of its
# boxes with the value we store for it.
MENTOR_FORM = [
    (
        "Has the mentoring process ended?",
        year.ENDED,
        {"Yes": "yes", "No, I am continuing work with my mentee": "no"},
    ),
    (
        "Why has the mentoring process ended?",
        year.WHY,
        {
            "Mentee has achieved her goals": "goals_achieved",
            "The one-year period is over": "year_over",
            "The partnership has no more to contribute": "nothing_more",
            "We no longer meet or have contact": "no_contact",
            "Our aspirations for the mentoring partnership did not agree": "aims_differ",
            "We found it difficult to understand one another": "understanding",
            "We have become friends and now meet socially": "friends",
            "Mentee's or my situation has changed": "situation",
            "Other": "other",
        },
    ),
    (
        "How often and in what context have you had contact with your mentee?",
        year.CONTACT_FREQUENCY,
        {"Once a month or more": "monthly", "Less than once a month": "less", "Never": "never"},
    ),
    (
        "In what form was your most common contact?",
        year.CONTACT_FORM,
        {
            "In person": "in_person",
            "Contact via email, telephone, texting, Facebook or other social media": "remote",
        },
    ),
    (
        "How have you benefited from being a mentor?",
        year.BENEFIT,
        {
            "I have become more aware of the barriers and challenges my mentee might face": "aware",
            "I have expanded my network to include women from an ethnic background other than Danish": "network",
            "I have helped another woman to take positive steps": "helped",
            "I have learned and developed from being a mentor": "learned",
            "Overall it was a positive experience": "positive",
            "Other": "other",
        },
    ),
    (
        "Have you expanded your network?",
        year.NETWORK,
        {
            "Yes, a great deal": "great",
            "Yes, to some extent": "some",
            "No, not much": "not_much",
            "No, not at all": "not_at_all",
            "Don't know": "dont_know",
        },
    ),
    (
        "How satisfied have you been with the guidance and follow-up you have received from staff",
        year.GUIDANCE,
        {
            "Very satisfied": "very_satisfied",
            "Satisfied": "satisfied",
            "Neutral": "neutral",
            "Dissatisfied": "dissatisfied",
            "Very dissatisfied": "very_dissatisfied",
            "Don't know": "dont_know",
        },
    ),
    (
        "How would you describe the relationship between you and your mentee?",
        year.RELATIONSHIP,
        {
            "Very good": "very_good",
            "Good": "good",
            "Neutral": "neutral",
            "Bad": "bad",
            "Don't know": "dont_know",
        },
    ),
    ("If you would like to comment further on what you have got out of being a mentor", year.COMMENT, {}),
]


def test_the_mentors_questionnaire_follows_the_roadmaps_form_item_by_item() -> None:
    mentor_form = ROADMAP_FORM.read_text(encoding="utf-8")
    steps = year.MENTOR_EVALUATION.steps
    assert [field for _, field, _ in MENTOR_FORM] == [s.field for s in steps], (
        "the same questions, in its order"
    )
    for (question, _, boxes), step in zip(MENTOR_FORM, steps, strict=True):
        assert question in mentor_form, question
        values = [c.value for c in step.options({})]
        assert list(boxes.values()) == values, f"every box of {question!r}, in order, and nothing else"
        for box in boxes:
            assert box in mentor_form, box
    assert year.MENTOR_EVALUATION.step(year.WHY).kind.value == "multi", "as many boxes as apply"
    assert year.MENTOR_EVALUATION.step(year.BENEFIT).kind.value == "choice", "only one box"
    assert year.MENTOR_EVALUATION.step(year.COMMENT).optional


def test_the_mentees_questionnaire_asks_her_own_questions_and_the_measured_outcomes() -> None:
    prompts = [s.prompt for s in year.MENTEE_EVALUATION.steps]
    assert not any("being a mentor" in p for p in prompts), "not the mentor's questions"
    outcomes = [c.value for c in year.MENTEE_EVALUATION.step(year.OUTCOMES).options({})]
    assert outcomes == [
        "labour_market",
        "education",
        "complete_education",
        "society",
        "language",
        "confidence",
    ]


async def test_overdue_mine_and_people_who_cannot_be_reached(harness: Harness) -> None:
    h = harness
    amal, _, pair_id = await a_pair(h)
    confirmed = pair_of(h, pair_id).confirmed_at
    assert confirmed is not None
    to(h, timeline.add_months(confirmed, 3))
    await swept(h)
    h.clock.advance(days=21)
    await swept(h)
    mine = (await h.send(COORDINATOR, "/overdue mine"))[-1].text
    assert mine.startswith("Follow-up at 3 months not answered in 21 days") and "M-1 Amal (P-1)" in mine
    with h.db.session() as session:
        pairs.get(session, pair_id=pair_id).coordinator = 77  # a colleague's pair
        person = session.get(Person, amal.id)
        assert person is not None
        person.reachable, person.unreachable_at = False, h.clock.now()
    assert (await h.send(COORDINATOR, "/overdue mine"))[-1].text == "Nothing of yours is overdue."
    everything = (await h.send(COORDINATOR, "/overdue"))[-1].text
    assert (
        "Has blocked the bot or cannot be reached – call her or write another way:\nAmal (P-1)" in everything
    )
    assert "M-1 Amal (P-1) – overdue 0 days" in everything


async def test_one_pair_that_raises_stops_nobody_else(harness: Harness, monkeypatch, caplog) -> None:  # type: ignore[no-untyped-def]
    """Each pair is swept on its own: the failing one is logged by id, counted, and sent on a later sweep."""
    h = harness
    await h.send(COORDINATOR, "/start", language="en")
    pair_ids = []
    for i in range(3):
        mentee = ready(h, 8100 + i, f"Mentee{i}", "ar", "mentee")
        mentor = ready(h, 8200 + i, f"Mentor{i}", "da", "mentor")
        pair_ids.append(confirm(h, mentee, mentor))
    with h.db.session() as session:  # something overdue, so the coordinator's digest has news
        gone = ready(h, 8300, "Gone", "en", "mentee")
        gone.reachable, gone.unreachable_at = False, h.clock.now()
        session.add(gone)
    await h.sender.drain()
    broken = pair_ids[1]
    real = year.send_followup

    def send_followup(session, *, pair, **kwargs):  # type: ignore[no-untyped-def]
        if pair.id == broken:
            raise RuntimeError("Mentee1 wrote something the code cannot take")  # personal data: never logged
        real(session, pair=pair, **kwargs)

    monkeypatch.setattr(year, "send_followup", send_followup)
    confirmed = pair_of(h, broken).confirmed_at
    assert confirmed is not None
    to(h, timeline.add_months(confirmed, 3) + timedelta(hours=1))  # 10:00 in Copenhagen: digest time

    before = len(h.session.calls)
    report = sweep(h.db, h.clock, h.i18n, h.coordinators)
    await h.sender.drain()
    got = {c.chat_id for c in h.session.calls[before:] if type(c).__name__ == "SendMessage"}
    assert report.failures == 1 and report.year_messages == 2 and report.digests == 1
    assert got == {8100, 8200, 8102, 8202, COORDINATOR}, "the other pairs and the digest went out"
    assert h.texts(COORDINATOR)[-1].startswith("Good morning! Overdue today")
    failed = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(failed) == 1 and f"pair:{broken}" in failed[0].getMessage()
    assert "RuntimeError" in failed[0].getMessage() and "Mentee1" not in caplog.text, "ids only"
    with h.db.session() as session:
        assert year.surveys.of_pair(session, pair_id=broken) == [], "its transaction was rolled back"

    before = len(h.session.calls)
    assert sweep(h.db, h.clock, h.i18n, h.coordinators).failures == 1, "tried again, still failing"
    monkeypatch.setattr(year, "send_followup", real)  # fixed
    h.clock.advance(minutes=1)
    report = sweep(h.db, h.clock, h.i18n, h.coordinators)
    await h.sender.drain()
    got = [c.chat_id for c in h.session.calls[before:] if type(c).__name__ == "SendMessage"]
    assert report.failures == 0 and report.year_messages == 1
    assert sorted(got) == [8101, 8201], "it goes out once fixed, and nobody else hears anything twice"


async def test_a_phase_that_raises_stops_no_later_phase(harness: Harness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    h = harness
    _, _, pair_id = await a_pair(h)
    confirmed = pair_of(h, pair_id).confirmed_at
    assert confirmed is not None

    def broken(session):  # type: ignore[no-untyped-def]
        raise RuntimeError("the query of proposed pairs failed")

    monkeypatch.setattr(pairs, "active", broken)
    to(h, timeline.add_months(confirmed, 3))
    report = sweep(h.db, h.clock, h.i18n, h.coordinators)
    assert report.failures == 1 and report.year_messages == 1, (
        "the year's phase ran after the pair phase failed"
    )
