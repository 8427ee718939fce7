"""The programme year, declared once: each step's stable name, the stored date it counts from, when it
falls due, the messages the bot sends, when it is overdue and what the coordinator sees.

The sweep, /overdue, the morning digest and the texts read it from here; nothing else knows the days
and months. Durations reach translated texts as placeholders, in words for the reader's language
(`Span.text`). A step's name is stored (sweep claims, questionnaires, handled marks), so it never
changes when its timing does.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.lists import format_list
from babel.units import format_unit

from conversations.i18n import __

# Telegram re-delivers an update for at most 24 hours; after two days its id can go.
KEEP_UPDATE_IDS = timedelta(days=2)
# Sent messages hold names and answers: kept a week for tracing problems, then deleted.
KEEP_SENT_MESSAGES = timedelta(days=7)
# Coordinators with anything overdue get a digest every morning at this hour, in the network's zone.
DIGEST_HOUR = 9


def local_start(day: date, at: time, zone: str) -> datetime:
    """A local date and time in a time zone, as UTC."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time some calendar months later (the 31st becomes the month's last day)."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@dataclass(frozen=True)
class Span:
    """A length of time as the programme states it: calendar months, then weeks, days and hours."""

    months: int = 0
    weeks: int = 0
    days: int = 0
    hours: int = 0

    @cached_property
    def _rest(self) -> timedelta:
        return timedelta(weeks=self.weeks, days=self.days, hours=self.hours)

    def after(self, moment: datetime) -> datetime:
        """The moment this long after another."""
        return (add_months(moment, self.months) if self.months else moment) + self._rest

    def before(self, moment: datetime) -> datetime:
        """The moment this long before another."""
        return (add_months(moment, -self.months) if self.months else moment) - self._rest

    def text(self, locale: Locale | str) -> str:
        """The span in words, in the units it was declared in, e.g. "14 days", "2 months" (Babel, plural-aware)."""
        return _in_words(self, str(locale))


@lru_cache(maxsize=512)
def _in_words(span: Span, locale: str) -> str:
    # Babel takes about 20 µs a unit, and every text that names a duration asks again.
    parts = [
        format_unit(abs(value), f"duration-{unit}", length="long", locale=locale)
        for unit, value in (
            ("month", span.months),
            ("week", span.weeks),
            ("day", span.days),
            ("hour", span.hours),
        )
        if value
    ]
    return format_list(parts, locale=locale) if parts else format_unit(0, "duration-day", locale=locale)


@dataclass(frozen=True)
class ProgrammeStep:
    """One step of the programme: what falls due when, what the bot sends, when the coordinator is shown it.

    Every span counts from the date the step falls due, which is `due` after the stored date named by
    `counts_from`; for a questionnaire, "overdue" counts from when it was actually sent.
    """

    name: str  # stable: stored in sweep claims, questionnaires and handled marks
    counts_from: str  # the stored date (an attribute of the pair, person, slot or conversation)
    due: Span = Span()
    messages: tuple[Span, ...] = ()  # each sent once: the question or the nudge, then reminders
    overdue: Span | None = None  # then it shows in /overdue and the morning digest
    heading: str = ""  # /overdue: what is late and what to do (placeholders: {due}, {overdue})
    short: str = ""  # its few words in the morning digest
    title: str = ""  # its name in a pair's record (placeholder: {due})
    followup: bool = False  # a follow-up questionnaire during the year

    def due_at(self, row: object) -> datetime | None:
        """When it falls due for a pair, person, slot or conversation (None: its date is not set)."""
        start = getattr(row, self.counts_from)
        return None if start is None else self.due.after(start)

    def sends_at(self, row: object) -> list[datetime]:
        """When each of its messages goes out."""
        due = self.due_at(row)
        return [] if due is None else self.sends_from(due)

    def sends_from(self, due: datetime) -> list[datetime]:
        """When each of its messages goes out, for a step that falls due then."""
        return [span.after(due) for span in self.messages]

    def overdue_for(self, row: object) -> datetime | None:
        """When it shows as overdue for a pair or person (None: its date is not set)."""
        due = self.due_at(row)
        return None if due is None else self.overdue_at(due)

    def overdue_at(self, due_at: datetime) -> datetime:
        """When it shows as overdue, for a step that fell due (or was sent) at due_at."""
        assert self.overdue is not None, self.name
        return self.overdue.after(due_at)

    def words(self, locale: Locale | str) -> dict[str, str]:
        """Its spans in words, for the placeholders of its texts."""
        return {"due": self.due.text(locale), "overdue": self.overdue.text(locale) if self.overdue else ""}


# The stable names. Never derive them from the timing: moving a step must not orphan what is stored.
REGISTRATION_NUDGE = "registration_nudge"
INTERVIEW_REMINDER = "interview_reminder"
BOOKING = "booking_reminder"
MEETING_DATE = "meeting_date_reminder"
FIRST_MEETING = "first_meeting"
DECISION = "decision"
AGREEMENT = "agreement_check"
FIRST_FOLLOWUP = "first_followup"
SECOND_FOLLOWUP = "second_followup"
EVALUATION = "evaluation"
END = "end"

# The length of the programme year, the notice either of a pair may give, and when before the end the
# evaluation comes (at the end itself when the year simply runs out).
YEAR = Span(months=12)
NOTICE = Span(months=1)
EVALUATION_BEFORE_END = Span(weeks=1)

PROGRAMME: tuple[ProgrammeStep, ...] = (
    # An abandoned registration: one gentle nudge after a day, another after a week, then none.
    ProgrammeStep(REGISTRATION_NUDGE, "updated_at", messages=(Span(hours=24), Span(days=7))),
    # Invited, no interview time chosen: a reminder after a week; after two the coordinator sees it.
    ProgrammeStep(
        BOOKING,
        "invited_at",
        messages=(Span(days=7),),
        overdue=Span(days=14),
        heading=__("Invited {overdue} ago or more, no interview booked – call her or /invite again:"),
        short=__("interviews not booked"),
    ),
    # An interview is recalled the day before.
    ProgrammeStep(INTERVIEW_REMINDER, "starts_at", due=Span(days=-1), messages=(Span(),)),
    # A proposed pair: a first-meeting date within 14 days (then the mentee is reminded and the
    # coordinator sees it), the meeting itself within two months (then the proposal has expired).
    ProgrammeStep(
        MEETING_DATE,
        "proposed_at",
        messages=(Span(days=14),),
        overdue=Span(days=14),
        heading=__("No first meeting date {overdue} after the proposal – remind the mentee or call her:"),
        short=__("first meetings without a date"),
    ),
    ProgrammeStep(
        FIRST_MEETING,
        "proposed_at",
        overdue=Span(months=2),
        heading=__(
            "No first meeting {overdue} after the proposal (expired) – ask them, or propose another match:"
        ),
        short=__("expired proposals"),
    ),
    # After the first meeting each is asked the next day, reminded at a week; overdue at two.
    ProgrammeStep(
        DECISION,
        "meeting_at",
        messages=(Span(days=1), Span(days=7)),
        overdue=Span(days=14),
        heading=__("No decision {overdue} after the first meeting – call the one who has not answered:"),
        short=__("decisions missing"),
    ),
    # After the confirmation the agreement within three weeks, then both are asked about it; a week
    # after that question the coordinator sees it.
    ProgrammeStep(
        AGREEMENT,
        "confirmed_at",
        messages=(Span(weeks=3),),
        overdue=Span(weeks=4),
        heading=__("No mentor agreement {overdue} after the confirmation – ask how they are doing:"),
        short=__("agreements missing"),
    ),
    # The follow-ups, at 3 and 9 months: a reminder after 14 days, overdue after 21.
    *(
        ProgrammeStep(
            name,
            "confirmed_at",
            due=Span(months=months),
            messages=(Span(), Span(days=14)),
            overdue=Span(days=21),
            heading=__("Follow-up at {due} not answered in {overdue} – remind her again or call her:"),
            short=__("follow-ups not answered"),
            title=__("Follow-up at {due}"),
            followup=True,
        )
        for name, months in ((FIRST_FOLLOWUP, 3), (SECOND_FOLLOWUP, 9))
    ),
    # The evaluation, at the end of the year or in the last week of a notice: reminders after two
    # weeks and one more week, overdue after four weeks (call the pair). Then the pair ends.
    ProgrammeStep(
        EVALUATION,
        "evaluation_at",
        messages=(Span(), Span(weeks=2), Span(weeks=3)),
        overdue=Span(weeks=4),
        heading=__("Evaluation not returned {overdue} after the end – call the pair:"),
        short=__("evaluations not returned"),
        title=__("Evaluation"),
    ),
    ProgrammeStep(END, "ends_at", messages=(Span(),)),
)


def in_words(locale: Locale | str) -> dict[str, str]:
    """The programme's durations that texts mention, in words for a reader: pass them with any such text."""
    return {
        "year": YEAR.text(locale),
        "notice": NOTICE.text(locale),
        "before_end": EVALUATION_BEFORE_END.text(locale),
        "date_within": step(MEETING_DATE).messages[0].text(locale),
        "meeting_within": (step(FIRST_MEETING).overdue or Span()).text(locale),
        "agreement_within": step(AGREEMENT).messages[0].text(locale),
        "first_followup": followups()[0].due.text(locale),
    }


def step(name: str) -> ProgrammeStep:
    """The declared step of this name."""
    return next(s for s in PROGRAMME if s.name == name)


def followups() -> tuple[ProgrammeStep, ...]:
    """The follow-up questionnaires of the year, in order."""
    return tuple(s for s in PROGRAMME if s.followup)


def moved(programme: tuple[ProgrammeStep, ...], **due: Span) -> tuple[ProgrammeStep, ...]:
    """The programme with some steps falling due at other times, by name (e.g. first_followup=Span(months=4))."""
    assert set(due) <= {s.name for s in programme}, set(due)
    return tuple(replace(s, due=due[s.name]) if s.name in due else s for s in programme)


def registration_nudge_due(idle_since: datetime, now: datetime) -> int:
    """The latest registration nudge due after this much silence (0: none yet)."""
    return sum(1 for span in step(REGISTRATION_NUDGE).messages if span.after(idle_since) <= now)
