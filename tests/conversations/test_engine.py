"""The conversation engine on a small flow, without Telegram or a database."""

from __future__ import annotations

from datetime import date

import pytest

from conversations import engine
from conversations.context import payload
from conversations.engine import EDIT_MENU, SUMMARY, Choice, Flow, Kind, State, Step
from conversations.events import Command, Media, Press, Text
from conversations.i18n import I18n, Translator

COLOURS = (Choice("red", "Red"), Choice("blue", "Blue"), Choice("green", "Green"))
FLOW = Flow(
    name="test",
    prefix="t",
    steps=(
        Step("name", "Your name?", Kind.TEXT, "Name", min=2, max=20),
        Step("colours", "Colours?", Kind.MULTI, "Colours", COLOURS, min=1, max=2),
        Step("phone", "Phone?", Kind.PHONE, "Phone", when=lambda a: "red" in (a.get("colours") or [])),
        Step("pet", "A pet?", Kind.YESNO, "Pet"),
        Step("age", "Age?", Kind.NUMBER, "Age", optional=True, min=16, max=99),
        Step("day", "When?", Kind.DATE, "Day", optional=True, min=0, max=60),
        Step(
            "mood",
            "Mood?",
            Kind.CHOICE,
            "Mood",
            lambda a: [Choice(a["name"], a["name"]), Choice("x", "Other")],
        ),
    ),
)
TODAY = date(2026, 1, 5)


@pytest.fixture
def tr() -> Translator:
    return I18n().translator("en")


def run(state: State, event: object, tr: Translator) -> engine.Outcome:
    return engine.handle(FLOW, state, event, tr, phone_region="DK", today=TODAY)  # type: ignore[arg-type]


def data(state: State, op: str, arg: int | None = None) -> str:
    return engine.button(FLOW, state, op, arg)


def test_a_text_answer_moves_to_the_next_step(tr: Translator) -> None:
    state = engine.begin(FLOW)
    outcome = run(state, Text("  Amal  "), tr)
    assert outcome.changed
    assert outcome.state.answers["name"] == "Amal"
    assert outcome.state.step == "colours"
    assert outcome.state.rev == state.rev + 1
    assert "Colours?" in outcome.replies[0].text
    assert state.answers == {}, "the engine never mutates the state it was given"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("A", "too short"),
        ("x" * 21, "too long"),
        ("🙂🙂", "only of symbols or emoji"),
        ("...", "only of symbols or emoji"),
    ],
)
def test_a_bad_text_is_explained_and_changes_nothing(tr: Translator, text: str, problem: str) -> None:
    state = engine.begin(FLOW)
    outcome = run(state, Text(text), tr)
    assert not outcome.changed
    assert outcome.state == state
    assert problem in outcome.replies[0].text
    assert "Your name?" in outcome.replies[0].text, "the question is asked again"


def test_multi_choice_toggles_and_bounds(tr: Translator) -> None:
    state = State("colours", rev=3, answers={"name": "Amal"})
    done_too_early = run(state, Press(data(state, "d")), tr)
    assert not done_too_early.changed and "at least 1" in done_too_early.replies[0].text

    state = run(state, Press(data(state, "t", 0)), tr).state
    state = run(state, Press(data(state, "t", 1)), tr).state
    assert state.pending == ["red", "blue"]
    third = run(state, Press(data(state, "t", 2)), tr)
    assert not third.changed and third.toast == "You can choose at most 2."
    untick = run(state, Press(data(state, "t", 1)), tr)
    assert untick.state.pending == ["red"]
    assert "✅ Red" in [b.label for row in untick.edit.buttons for b in row]  # type: ignore[union-attr]
    done = run(untick.state, Press(data(untick.state, "d")), tr)
    assert done.state.answers["colours"] == ["red"]
    assert done.state.step == "phone", "red makes the phone question apply"


def test_a_condition_skips_a_step(tr: Translator) -> None:
    state = State("colours", rev=0, answers={"name": "Amal"}, pending=["blue"])
    done = run(state, Press(data(state, "d")), tr)
    assert done.state.step == "pet"


@pytest.mark.parametrize(("typed", "stored"), [("yes", True), ("No", False), ("2", False)])
def test_choices_can_be_typed(tr: Translator, typed: str, stored: bool) -> None:
    state = State("pet", answers={"name": "Amal", "colours": ["blue"]})
    assert run(state, Text(typed), tr).state.answers["pet"] is stored


def test_a_typed_word_that_is_no_choice_is_refused(tr: Translator) -> None:
    state = State("pet", answers={"name": "Amal", "colours": ["blue"]})
    outcome = run(state, Text("maybe"), tr)
    assert not outcome.changed and "choose one of the buttons" in outcome.replies[0].text


def test_choices_from_a_provider_depend_on_earlier_answers(tr: Translator) -> None:
    answers = {"name": "Amal", "colours": ["blue"], "pet": True, "age": None, "day": None}
    state = State("mood", answers=answers)
    reply = engine.ask(FLOW, state, tr)
    assert [b.label for row in reply.buttons for b in row][:2] == ["Amal", "Other"]
    assert run(state, Press(data(state, "p", 0)), tr).state.answers["mood"] == "Amal"


def test_optional_steps_can_be_skipped_by_button_or_command(tr: Translator) -> None:
    state = State("age", answers={"name": "Amal", "colours": ["blue"], "pet": True})
    by_button = run(state, Press(data(state, "s")), tr)
    by_command = run(state, Command("skip"), tr)
    assert by_button.state.answers["age"] is None
    assert by_command.state.answers["age"] is None
    required = run(State("pet", answers={"name": "A", "colours": ["blue"]}), Command("skip"), tr)
    assert not required.changed and "does not work on this question" in required.replies[0].text


def test_numbers_and_dates_are_validated(tr: Translator) -> None:
    state = State("age", answers={"name": "Amal", "colours": ["blue"], "pet": True})
    assert "between 16 and 99" in run(state, Text("7"), tr).replies[0].text
    assert run(state, Text("٤٢"), tr).state.answers["age"] == 42, "Arabic-Indic digits are numbers too"
    day = State("day", answers={**state.answers, "age": 42})
    assert run(day, Text("2026-01-20"), tr).state.answers["day"] == "2026-01-20"
    assert run(day, Text("1/20/2026"), tr).state.answers["day"] == "2026-01-20", "her locale's short form"
    danish = I18n().translator("da")
    assert (
        engine.handle(FLOW, day, Text("20.01.2026"), danish, phone_region="DK", today=TODAY).state.answers[
            "day"
        ]
        == "2026-01-20"
    )
    assert "too early" in run(day, Text("2025-12-31"), tr).replies[0].text
    assert "too far ahead" in run(day, Text("2026-06-01"), tr).replies[0].text


def test_back_goes_to_the_previous_applicable_step(tr: Translator) -> None:
    state = State("pet", rev=5, answers={"name": "Amal", "colours": ["red", "blue"], "phone": "+4512345678"})
    back = run(state, Press(data(state, "b")), tr)
    assert back.state.step == "phone"
    back = run(back.state, Command("back"), tr)
    assert back.state.step == "colours"
    assert back.state.pending == ["red", "blue"], "her earlier ticks are kept"
    first = run(State("name"), Command("back"), tr)
    assert not first.changed and "first question" in first.replies[0].text


def test_stale_and_forged_buttons_change_nothing(tr: Translator) -> None:
    state = State("pet", rev=7, answers={"name": "Amal", "colours": ["blue"]})
    for bad in ["t:6:p0", "t:8:p0", "x:7:p0", "t:7:p9", "t:7:zz", "garbage", "t:7:p0" + "9" * 80]:
        outcome = run(state, Press(bad), tr)
        assert not outcome.changed, bad
        assert outcome.toast and "earlier question" in outcome.toast
        assert outcome.replies == []


def test_media_is_explained(tr: Translator) -> None:
    state = engine.begin(FLOW)
    outcome = run(state, Media("voice"), tr)
    assert not outcome.changed and "only read text" in outcome.replies[0].text


def test_summary_edit_and_confirm(tr: Translator) -> None:
    answers = {"name": "Amal", "colours": ["blue"], "pet": True, "age": None, "day": None, "mood": "x"}
    state = State(SUMMARY, rev=10, answers=answers)
    summary = engine.ask(FLOW, state, tr)
    assert (
        "• Name: Amal" in summary.text and "• Age: (skipped)" in summary.text and "• Pet: Yes" in summary.text
    )
    menu = run(state, Press(data(state, "ed")), tr)
    assert menu.state.step == EDIT_MENU
    index = FLOW.steps.index(FLOW.step("colours"))
    editing = run(menu.state, Press(data(menu.state, "e", index)), tr)
    assert editing.state.step == "colours" and editing.state.pending == ["blue"]
    ticked = run(editing.state, Press(data(editing.state, "t", 0)), tr).state
    after = run(ticked, Press(data(ticked, "d")), tr)
    assert after.state.step == "phone", "a newly applicable question is asked before the summary"
    after = run(after.state, Text("+45 20 30 40 50"), tr)
    assert after.state.step == SUMMARY
    confirmed = run(after.state, Press(data(after.state, "ok")), tr)
    assert confirmed.completed
    assert FLOW.final_answers(confirmed.state.answers)["phone"] == "+4520304050"


def test_back_while_editing_returns_to_the_summary(tr: Translator) -> None:
    answers = {"name": "Amal", "colours": ["blue"], "pet": True, "age": None, "day": None, "mood": "x"}
    state = State(EDIT_MENU, rev=1, answers=answers)
    editing = run(state, Press(data(state, "e", 0)), tr)
    assert editing.state.step == "name"
    assert run(editing.state, Command("back"), tr).state.step == SUMMARY


def test_button_data_fits_telegram() -> None:
    state = State("name", rev=999_999_999)
    assert len(engine.button(FLOW, state, "e", 999).encode()) <= 64


def test_right_to_left_rows_are_mirrored() -> None:
    i18n = I18n()
    state = State("pet", answers={"name": "Amal", "colours": ["blue"]})
    reply = engine.ask(FLOW, state, i18n.translator("en"))
    ltr = payload(reply, i18n.translator("en"))["buttons"]
    rtl = payload(reply, i18n.translator("ar"))["buttons"]
    assert [data for _, data in ltr[0]] == ["t:0:p0", "t:0:p1"]
    assert [data for _, data in rtl[0]] == ["t:0:p1", "t:0:p0"]
    assert rtl[1:] == [row[::-1] for row in ltr[1:]]


def test_lists_are_joined_as_her_language_joins_them() -> None:
    i18n = I18n()
    step = FLOW.step("colours")
    assert engine.display(step, ["red", "blue"], {}, i18n.translator("en")) == "Red and Blue"
    assert engine.display(step, ["red", "blue", "green"], {}, i18n.translator("ar")) == "Red وBlue وGreen"


def _totals(flow: Flow, path: list[tuple[str, object]], tr: Translator) -> list[str]:
    """The "Question N of M" lines shown while answering path (field, value) in order."""
    state = engine.begin(flow)
    shown = []
    for field_id, value in path:
        assert state.step == field_id, (state.step, field_id)
        shown.append(engine.ask(flow, state, tr).text.splitlines()[0])
        state.answers[field_id] = value
        state.step = flow.next_field(state.answers)
    return shown


def test_the_evaluation_counts_its_longest_way_from_the_start(tr: Translator) -> None:
    """Before: "Question 1 of 8", then "2 of 9" once "it has ended" opened the question why."""
    from conversations.year import MENTOR_EVALUATION as flow

    fields = [s.field for s in flow.steps]
    ended = [("ended", "yes"), *((f, "x") for f in fields[1:])]
    assert _totals(flow, ended, tr) == [f"Question {n} of {len(fields)}" for n in range(1, len(fields) + 1)]
    continuing = [("ended", "no"), *((f, "x") for f in fields[2:])]
    shown = _totals(flow, continuing, tr)
    assert shown[0] == f"Question 1 of {len(fields)}"
    assert shown[1:] == [f"Question {n} of {len(fields) - 1}" for n in range(2, len(fields))]


def test_a_typed_answer_none_of_the_choices_match_is_kept_as_other(tr: Translator) -> None:
    flow = Flow(
        "place",
        "pl",
        (
            Step("city", "Where?", Kind.CHOICE, "City", (Choice("a", "Aarhus"), Choice("other", "Another")),
                 typed_other="words", recognise=lambda t: "a" if t == "Århus" else None),
            Step("words", "Which?", Kind.TEXT, "Words", min=2, max=20, when=lambda a: a.get("city") == "other"),
            Step("name", "Name?", Kind.TEXT, "Name"),
        ),
    )  # fmt: skip
    state = engine.begin(flow)
    out = engine.handle(flow, state, Text("Nakskov"), tr, phone_region="DK", today=date(2026, 1, 5))
    assert out.state.answers == {"city": "other", "words": "Nakskov"} and out.state.step == "name"
    out = engine.handle(flow, out.state, Command("back"), tr, phone_region="DK", today=date(2026, 1, 5))
    out = engine.handle(flow, out.state, Command("back"), tr, phone_region="DK", today=date(2026, 1, 5))
    out = engine.handle(flow, out.state, Text("Århus"), tr, phone_region="DK", today=date(2026, 1, 5))
    assert out.state.answers == {"city": "a"}, "a place recognised needs no words of its own"
    out = engine.handle(flow, out.state, Command("back"), tr, phone_region="DK", today=date(2026, 1, 5))
    assert out.state.step == "city"
    refused = engine.handle(flow, out.state, Text("x" * 300), tr, phone_region="DK", today=date(2026, 1, 5))
    assert not refused.changed, "too long for a place: refused, not kept"
