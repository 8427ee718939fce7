"""The conversation engine: flows declared as steps, answered one event at a time.

The engine is pure: it takes a flow, a state and an event and returns the new state and the
replies. The caller stores the state (storage.Conversation) and sends the replies.

Button data is `<flow>:<rev>:<op><index>`, e.g. `reg:12:p3`. `rev` changes with every
state change, so a button from an earlier question, or one made up, is refused politely.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from babel.lists import format_list

from conversations.events import Button, Command, Event, Media, Press, Reply, rows
from conversations.i18n import Translator, __
from conversations.validation import (
    Invalid,
    clean_text,
    parse_day,
    parse_email,
    parse_number,
    parse_phone,
    parse_time,
)

SUMMARY = "_summary"
EDIT_MENU = "_edit"
ASKED = "_asked"  # an editing flow's answers given in it, in order
MAX_CALLBACK_BYTES = 64

Answers = Mapping[str, Any]


class Kind(StrEnum):
    """What kind of answer a step takes."""

    CHOICE = "choice"
    MULTI = "multi"
    TEXT = "text"
    YESNO = "yesno"
    NUMBER = "number"
    PHONE = "phone"
    EMAIL = "email"
    DATE = "date"
    TIME = "time"


@dataclass(frozen=True)
class Choice:
    """One option of a choice step: the stored value and its label (a msgid).

    `names` gives the label per language where it is data rather than a message (a city's name).
    """

    value: str
    label: str
    names: Mapping[str, str] | None = None


def label(choice: Choice, tr: Translator) -> str:
    """A choice as she reads it on a button."""
    if choice.names is not None and tr.language in choice.names:
        return choice.names[tr.language]
    return tr.gettext(choice.label)


YES_NO = (Choice("yes", __("Yes")), Choice("no", __("No")))
ChoiceProvider = Callable[[Answers], Sequence[Choice]]


@dataclass(frozen=True)
class Step:
    """One question: its prompt, the kind of answer, its bounds and when it applies.

    min/max bound the length of text, the value of numbers, the count of a multi choice,
    and for dates the days from today.
    """

    field: str
    prompt: str
    kind: Kind
    label: str
    choices: Sequence[Choice] | ChoiceProvider = ()
    optional: bool = False
    min: int | None = None
    max: int | None = None
    when: Callable[[Answers], bool] | None = None
    columns: int = 2
    # A choice step that also takes typed words none of its choices match: the answer is then
    # "other" and the words are kept in this field (a city not on the network's list).
    typed_other: str | None = None
    # Reads a typed answer before the choices' labels do (e.g. a city in any spelling).
    recognise: Callable[[str], str | None] | None = None

    def applies(self, answers: Answers) -> bool:
        """Whether this step is asked, given the answers so far."""
        return self.when is None or self.when(answers)

    def options(self, answers: Answers) -> Sequence[Choice]:
        """The choices, fixed or supplied at run time by a provider."""
        if self.kind is Kind.YESNO:
            return YES_NO
        return self.choices(answers) if callable(self.choices) else self.choices


@dataclass(frozen=True)
class Flow:
    """A guided conversation: a short button prefix and its steps in order."""

    name: str
    prefix: str
    steps: tuple[Step, ...]
    summary_title: str = __("Please check your answers:")
    sensitive: bool = False  # answers and the messages that repeat them are stored sealed
    confirm: bool = True  # False: the last answer completes it, without a summary to confirm
    # A flow that changes answers given before: it opens on the menu of answers, asks the chosen
    # question (and any it opens), and is complete; `fixed` answers are not offered.
    editing: bool = False
    fixed: frozenset[str] = frozenset()

    def step(self, field_id: str) -> Step:
        """The step that stores field_id."""
        for step in self.steps:
            if step.field == field_id:
                return step
        raise KeyError(field_id)

    def applicable(self, answers: Answers) -> list[Step]:
        """The steps asked for these answers."""
        return [s for s in self.steps if s.applies(answers)]

    def next_field(self, answers: Answers) -> str:
        """The first question not yet answered, or the summary."""
        for step in self.applicable(answers):
            if step.field not in answers:
                return step.field
        return SUMMARY

    def final_answers(self, answers: Answers) -> dict[str, Any]:
        """The answers of the steps that apply, dropping those a later change made moot.

        An editing flow gives only the answers asked in it, so that what someone else changed
        meanwhile is not written back over.
        """
        final = {s.field: answers.get(s.field) for s in self.applicable(answers)}
        if self.editing:
            asked = answers.get(ASKED) or []
            return {f: v for f, v in final.items() if f in asked}
        return final


@dataclass
class State:
    """Where she is: the current step, its revision, her answers and a multi choice in progress."""

    step: str
    rev: int = 0
    answers: dict[str, Any] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    """What the engine made of one event."""

    state: State
    replies: list[Reply] = field(default_factory=list)
    toast: str | None = None  # a short notice on the pressed button
    edit: Reply | None = None  # the pressed message, updated to show what was chosen
    completed: bool = False
    changed: bool = True  # False: nothing moved, nothing to save


_DATA = re.compile(r"^(?P<prefix>[a-z]{1,4}):(?P<rev>\d{1,9}):(?P<op>[a-z]{1,2})(?P<arg>\d{0,3})$")


def button(flow: Flow, state: State, op: str, arg: int | None = None) -> str:
    """Button data for this flow and revision; never more than Telegram's 64 bytes."""
    data = f"{flow.prefix}:{state.rev}:{op}{'' if arg is None else arg}"
    assert len(data.encode()) <= MAX_CALLBACK_BYTES, data
    return data


def begin(flow: Flow, answers: Answers | None = None) -> State:
    """A fresh state, with answers already known (e.g. the role from a deep link).

    An editing flow opens on the menu of her answers.
    """
    known = dict(answers or {})
    return State(step=EDIT_MENU if flow.editing else flow.next_field(known), answers=known)


_longest: dict[tuple[str, tuple[tuple[str, Any], ...]], int] = {}


class _Reads(dict[str, Any]):
    """Answers that note which fields a step's condition reads."""

    def __init__(self, answers: Answers, seen: set[str]) -> None:
        super().__init__(answers)
        self.seen = seen

    def get(self, key: str, default: Any = None) -> Any:
        self.seen.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.seen.add(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self.seen.add(str(key))
        return super().__contains__(key)


def _frozen(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def longest(flow: Flow, answers: Answers) -> int:
    """The most questions any way through the flow can have, given the answers so far.

    Shown as "Question 3 of N": counting the longest way from the start means that an answer
    which opens a question (a phone number to ask) never makes the total grow; answers that
    close a branch only make it smaller. The conditions are probed for the fields they read,
    and each unanswered one is tried with each of its choices (a multiple choice with all).
    """
    seen: set[str] = set()
    for step in flow.steps:
        step.applies(_Reads(answers, seen))
    open_fields = sorted(f for f in seen if f not in answers and any(s.field == f for s in flow.steps))
    key = (flow.name, tuple((f, _frozen(answers.get(f))) for f in sorted(seen) if f in answers))
    if key in _longest:
        return _longest[key]
    candidates: list[list[Any]] = []
    for field_id in open_fields:
        step = flow.step(field_id)
        values = [c.value for c in step.options(answers)]
        if step.kind is Kind.MULTI:
            candidates.append([values])
        elif step.kind is Kind.YESNO:
            candidates.append([True, False])
        else:
            candidates.append(values or [None])
    most = 0
    for combination in itertools.product(*candidates):
        trial = {**answers, **dict(zip(open_fields, combination, strict=True))}
        most = max(most, len(flow.applicable(trial)))
    if len(_longest) > 10_000:  # bounded: keys are few per flow, but never let it grow without end
        _longest.clear()
    _longest[key] = most
    return most


def display(step: Step, value: Any, answers: Answers, tr: Translator) -> str:
    """An answer as she would read it in the summary."""
    if value is None:
        return tr.gettext("(skipped)")
    if step.kind is Kind.YESNO:
        return tr.gettext("Yes") if value else tr.gettext("No")
    if step.kind in (Kind.CHOICE, Kind.MULTI):
        labels = {c.value: label(c, tr) for c in step.options(answers)}
        values = value if isinstance(value, list) else [value]
        return format_list([labels.get(v, str(v)) for v in values], locale=tr.locale)
    if step.kind is Kind.DATE:
        return tr.day(date.fromisoformat(value))
    if step.kind is Kind.TIME:
        return tr.clock(value)
    return tr.isolate(str(value))  # what she typed, set apart in a message of the other direction


def ask(flow: Flow, state: State, tr: Translator, *, notice: str | None = None) -> Reply:
    """The message for the current step (a question, the summary or the edit menu)."""
    if state.step == SUMMARY:
        reply = _summary(flow, state, tr)
    elif state.step == EDIT_MENU:
        reply = _edit_menu(flow, state, tr)
    else:
        reply = _question(flow, state, tr)
    if notice:
        reply = replace(reply, text=f"{notice}\n\n{reply.text}")
    return reply


def _question(flow: Flow, state: State, tr: Translator) -> Reply:
    step = flow.step(state.step)
    applicable = flow.applicable(state.answers)
    fields = [s.field for s in applicable]
    position = fields.index(step.field) + 1 if step.field in fields else len(fields)
    lines = []
    if not flow.editing:  # changing one answer is not the n-th question of anything
        total = max(position, longest(flow, state.answers))
        if total > 1:  # a single question (a coordinator's name) is not "1 of 1"
            lines += [tr.gettext("Question {number} of {total}", number=position, total=total), ""]
    lines.append(tr.gettext(step.prompt))
    if step.kind is Kind.MULTI:
        lines.append(
            tr.ngettext(
                "Choose one or more (at most {count}), then press Done.",
                "Choose one or more (at most {count}), then press Done.",
                step.max or len(step.options(state.answers)),
            )
        )
    if step.optional:
        lines.append(tr.gettext("You can skip this question."))
    if step.field in state.answers:
        current = display(step, state.answers[step.field], state.answers, tr)
        lines.append(tr.gettext("Your answer now: {answer}", answer=current))

    buttons: list[tuple[Button, ...]] = []
    options = step.options(state.answers)
    if step.kind in (Kind.CHOICE, Kind.YESNO):
        picks = [Button(label(c, tr), button(flow, state, "p", i)) for i, c in enumerate(options)]
        buttons += rows(picks, step.columns)
    elif step.kind in (Kind.DATE, Kind.TIME) and options:  # suggestions; typing another works too
        picks = [
            Button(_suggestion(step, c.value, tr), button(flow, state, "p", i)) for i, c in enumerate(options)
        ]
        buttons += rows(picks, step.columns)
    elif step.kind is Kind.MULTI:
        toggles = [
            Button(("✅ " if c.value in state.pending else "") + label(c, tr), button(flow, state, "t", i))
            for i, c in enumerate(options)
        ]
        buttons += rows(toggles, step.columns)
        buttons.append((Button(tr.gettext("Done"), button(flow, state, "d")),))
    nav = []
    if position > 1 or state.answers.get("_editing"):
        nav.append(Button(tr.gettext("◀ Back"), button(flow, state, "b")))
    if step.optional:
        nav.append(Button(tr.gettext("Skip ▶"), button(flow, state, "s")))
    if nav:
        buttons.append(tuple(nav))
    return Reply("\n".join(lines), tuple(buttons))


def _suggestion(step: Step, value: str, tr: Translator) -> str:
    """A suggested date with its weekday, or a time, as she writes them."""
    return tr.weekday(date.fromisoformat(value)) if step.kind is Kind.DATE else tr.clock(value)


def _summary(flow: Flow, state: State, tr: Translator) -> Reply:
    lines = [tr.gettext(flow.summary_title), ""]
    for step in flow.applicable(state.answers):
        value = display(step, state.answers.get(step.field), state.answers, tr)
        lines.append(f"• {tr.gettext(step.label)}: {value}")
    buttons = (
        (Button(tr.gettext("✅ Confirm"), button(flow, state, "ok")),),
        (Button(tr.gettext("✏️ Change an answer"), button(flow, state, "ed")),),
    )
    return Reply("\n".join(lines), buttons)


def editable(flow: Flow, answers: Answers) -> list[Step]:
    """The answers the edit menu offers."""
    return [s for s in flow.applicable(answers) if s.field not in flow.fixed]


def _edit_menu(flow: Flow, state: State, tr: Translator) -> Reply:
    steps = editable(flow, state.answers)
    picks = [Button(tr.gettext(s.label), button(flow, state, "e", flow.steps.index(s))) for s in steps]
    back = tr.gettext("✖️ Change nothing") if flow.editing else tr.gettext("◀ Back")
    buttons = [*rows(picks, 2), (Button(back, button(flow, state, "b")),)]
    return Reply(tr.gettext("Which answer would you like to change?"), tuple(buttons))


def _previous(flow: Flow, state: State) -> str | None:
    """The step before the current one, for Back."""
    applicable = [s.field for s in flow.applicable(state.answers)]
    if state.step == SUMMARY:
        return applicable[-1] if applicable else None
    if state.step in applicable:
        index = applicable.index(state.step)
        return applicable[index - 1] if index > 0 else None
    return None


def handle(
    flow: Flow, state: State, event: Event, tr: Translator, *, phone_region: str, today: date
) -> Outcome:
    """Apply one event to the state; an unusable event explains itself and changes nothing."""
    work = State(state.step, state.rev, dict(state.answers), list(state.pending))
    if isinstance(event, Press):
        return _press(flow, work, event, tr)
    if isinstance(event, Command):
        ops = {"back": "b", "skip": "s"}
        if event.name in ops:
            return _operate(flow, work, ops[event.name], None, tr, pressed=False)
        return Outcome(state, changed=False)  # other commands are the caller's business
    if isinstance(event, Media):
        notice = tr.gettext(
            "I can only read text and button presses. Please type your answer or use the buttons."
        )
        return _refuse(flow, state, tr, notice)
    if work.step in (SUMMARY, EDIT_MENU):
        return _refuse(flow, state, tr, tr.gettext("Please use the buttons below."))
    step = flow.step(work.step)
    try:
        value = _typed(step, event.text, work.answers, tr, phone_region=phone_region, today=today)
    except Invalid as problem:
        if step.typed_other is None or len(event.text) > 200:
            return _refuse(flow, state, tr, tr.gettext(problem.msgid, **problem.params))
        other = flow.step(step.typed_other)
        try:  # words none of the choices match: "other", and her words kept as she wrote them
            work.answers[other.field] = clean_text(
                event.text, min_len=other.min or 1, max_len=other.max or 500
            )
        except Invalid as unusable:
            return _refuse(flow, state, tr, tr.gettext(unusable.msgid, **unusable.params))
        _asked(flow, work, other.field)
        value = "other"
    return _answer(flow, work, step, value, tr)


def _refuse(flow: Flow, state: State, tr: Translator, notice: str) -> Outcome:
    """Explain the problem and ask the same question again, changing nothing."""
    return Outcome(state, [ask(flow, state, tr, notice=f"⚠️ {notice}")], changed=False)


def stale(tr: Translator) -> str:
    """The polite answer to a button that no longer means anything."""
    return tr.gettext(
        "This button is from an earlier question. Please use the buttons on the latest message."
    )


def _press(flow: Flow, state: State, event: Press, tr: Translator) -> Outcome:
    match = _DATA.match(event.data)
    if not match or match["prefix"] != flow.prefix or int(match["rev"]) != state.rev:
        return Outcome(state, toast=stale(tr), changed=False)
    arg = int(match["arg"]) if match["arg"] else None
    return _operate(flow, state, match["op"], arg, tr, pressed=True)


def _operate(flow: Flow, state: State, op: str, arg: int | None, tr: Translator, *, pressed: bool) -> Outcome:
    """Carry out a button's operation (or /back, /skip) if it makes sense where she is."""
    before = ask(flow, state, tr) if pressed else None  # the pressed message, to take its buttons off
    if state.step == SUMMARY:
        if op == "ok":
            state.rev += 1
            return Outcome(state, edit=replace(before, buttons=()) if before else None, completed=True)
        if op == "ed":
            return _move(flow, state, EDIT_MENU, tr, before)
    elif state.step == EDIT_MENU:
        if (
            op == "e"
            and arg is not None
            and arg < len(flow.steps)
            and flow.steps[arg] in editable(flow, state.answers)
        ):
            state.answers["_editing"] = True
            return _move(flow, state, flow.steps[arg].field, tr, before)
        if op == "b" and flow.editing:  # nothing to change after all: complete, as it was
            state.rev += 1
            return Outcome(state, edit=replace(before, buttons=()) if before else None, completed=True)
        if op == "b":
            return _move(flow, state, SUMMARY, tr, before)
    else:
        step = flow.step(state.step)
        options = step.options(state.answers)
        if op == "p" and step.kind not in (Kind.MULTI, Kind.TEXT) and arg is not None and arg < len(options):
            value: Any = options[arg].value
            if step.typed_other is not None:  # the "other" button asks for her words afresh
                state.answers.pop(step.typed_other, None)
            return _answer(
                flow, state, step, value == "yes" if step.kind is Kind.YESNO else value, tr, pressed
            )
        if op == "t" and step.kind is Kind.MULTI and arg is not None and arg < len(options):
            return _toggle(flow, state, step, options[arg].value, tr)
        if op == "d" and step.kind is Kind.MULTI:
            if len(state.pending) < (step.min or 0):
                notice = tr.ngettext(
                    "Please choose at least {count}.", "Please choose at least {count}.", step.min or 0
                )
                return _refuse(flow, state, tr, notice)
            chosen = [c.value for c in options if c.value in state.pending]
            return _answer(flow, state, step, chosen, tr, pressed)
        if op == "s" and step.optional:
            return _answer(flow, state, step, None, tr, pressed)
        if op == "b":
            if state.answers.pop("_editing", None):
                return _move(flow, state, EDIT_MENU if flow.editing else SUMMARY, tr, before)
            previous = _previous(flow, state)
            if previous is not None:
                return _move(flow, state, previous, tr, before)
            if not pressed:
                return _refuse(
                    flow, state, tr, tr.gettext("This is the first question; there is nothing before it.")
                )
    if not pressed:
        return _refuse(flow, state, tr, tr.gettext("That does not work on this question."))
    return Outcome(state, toast=stale(tr), changed=False)


def _move(flow: Flow, state: State, to: str, tr: Translator, pressed_message: Reply | None) -> Outcome:
    state.step = to
    state.rev += 1
    state.pending = list(state.answers.get(to) or []) if _is_multi(flow, to) else []
    edit = replace(pressed_message, buttons=()) if pressed_message else None
    return Outcome(state, [ask(flow, state, tr)], edit=edit)


def _is_multi(flow: Flow, field_id: str) -> bool:
    return field_id not in (SUMMARY, EDIT_MENU) and flow.step(field_id).kind is Kind.MULTI


def _toggle(flow: Flow, state: State, step: Step, value: str, tr: Translator) -> Outcome:
    if value in state.pending:
        state.pending.remove(value)
    elif step.max is not None and len(state.pending) >= step.max:
        notice = tr.ngettext("You can choose at most {count}.", "You can choose at most {count}.", step.max)
        return Outcome(state, toast=notice, changed=False)
    else:
        state.pending.append(value)
    state.rev += 1
    # The same message is redrawn with the ticks, rather than a new one sent.
    return Outcome(state, edit=ask(flow, state, tr))


def _answer(
    flow: Flow, state: State, step: Step, value: Any, tr: Translator, pressed: bool = False
) -> Outcome:
    question = ask(flow, state, tr) if pressed else None
    state.answers[step.field] = value
    _asked(flow, state, step.field)
    if step.typed_other is not None and value != "other":
        state.answers.pop(step.typed_other, None)  # a place on the list needs no words of her own
    state.answers.pop("_editing", None)
    state.pending = []
    state.step = flow.next_field(state.answers)
    state.rev += 1
    edit = None
    if question is not None:
        edit = Reply(f"{question.text}\n\n✓ {display(step, value, state.answers, tr)}")
    if state.step == SUMMARY and not flow.confirm:
        return Outcome(state, edit=edit, completed=True)
    if state.step != SUMMARY:
        state.pending = list(state.answers.get(state.step) or []) if _is_multi(flow, state.step) else []
    return Outcome(state, [ask(flow, state, tr)], edit=edit)


def _asked(flow: Flow, state: State, field_id: str) -> None:
    """Note, in an editing flow, that this answer was given now."""
    if flow.editing and field_id not in (asked := state.answers.setdefault(ASKED, [])):
        asked.append(field_id)


def _typed(step: Step, text: str, answers: Answers, tr: Translator, *, phone_region: str, today: date) -> Any:
    """Read a typed answer for this step's kind."""
    kind = step.kind
    if kind is Kind.TEXT:
        return clean_text(text, min_len=step.min or 1, max_len=step.max or 500)
    if len(text) > 200:
        raise Invalid(__("That is too long for this question. Please answer briefly or use the buttons."))
    if kind in (Kind.CHOICE, Kind.YESNO):
        wanted = text.strip().casefold()
        recognised = step.recognise(text) if step.recognise is not None else None
        for index, choice in enumerate(step.options(answers), 1):
            if choice.value == recognised or wanted in (label(choice, tr).casefold(), str(index)):
                return choice.value == "yes" if kind is Kind.YESNO else choice.value
        raise Invalid(__("Please choose one of the buttons below."))
    if kind is Kind.MULTI:
        raise Invalid(__("Please choose with the buttons below, then press Done."))
    if kind is Kind.NUMBER:
        return parse_number(text, low=step.min, high=step.max)
    if kind is Kind.PHONE:
        return parse_phone(text, region=phone_region)
    if kind is Kind.EMAIL:
        return parse_email(text)
    if kind is Kind.TIME:
        return parse_time(text).strftime("%H:%M")
    earliest = today.fromordinal(today.toordinal() + step.min) if step.min is not None else None
    latest = today.fromordinal(today.toordinal() + step.max) if step.max is not None else None
    return parse_day(text, locale=tr.language, today=today, earliest=earliest, latest=latest).isoformat()
