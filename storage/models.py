"""Table models: people and their accounts, their conversations, the outbox, sweep claims and processed updates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Text,
    TypeDecorator,
    UniqueConstraint,
    event,
    text,
)
from sqlmodel import Field, SQLModel

from storage.search import SEARCH_KEY_LENGTH, search_key


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use the clock")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _when(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(default: Any) -> Any:
    return Field(default_factory=default, sa_column=Column(JSON, nullable=False))


class Role(StrEnum):
    MENTEE = "mentee"
    MENTOR = "mentor"


class Status(StrEnum):
    REGISTERED = "registered"
    AWAITING_INTERVIEW = "awaiting_interview"
    READY_TO_BE_MATCHED = "ready_to_be_matched"
    IN_RELATIONSHIP = "in_relationship"
    NETWORK_PARTICIPANT = "network_participant"
    WITHDRAWN = "withdrawn"


class Person(SQLModel, table=True):
    """Someone who wrote to the bot; before consent only her account and language."""

    id: int | None = Field(default=None, primary_key=True)
    language: str = Field(max_length=8)
    created_at: datetime = _when(nullable=False)
    reachable: bool = True
    unreachable_at: datetime | None = _when()
    last_seen_at: datetime | None = _when()  # when she last wrote (kept to the hour)
    consent_at: datetime | None = _when()
    registered_at: datetime | None = _when()
    invited_at: datetime | None = _when()
    status: str | None = Field(default=None, max_length=32, index=True)
    role: str | None = Field(default=None, max_length=16)
    name: str | None = Field(default=None, max_length=120)
    telegram_username: str | None = Field(default=None, max_length=64)
    share_channels: list[str] = _json(list)
    phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    city: str | None = Field(default=None, max_length=120)
    birth_year: int | None = None
    education: str | None = Field(default=None, max_length=32)
    education_field: str | None = Field(default=None, max_length=200)
    work_experience: str | None = Field(default=None, max_length=32)
    line_of_work: str | None = Field(default=None, max_length=32)
    languages: list[str] = _json(list)
    goals: list[str] = _json(list)
    goals_text: str | None = Field(default=None, max_length=1000)
    offers: list[str] = _json(list)
    meetings_per_month: int | None = None
    wishes: str | None = Field(default=None, max_length=1000)
    # `city` holds a code from the network's list (conversations/cities.py) or "other", and then
    # city_other her own words for the place.
    city_other: str | None = Field(default=None, max_length=120)
    line_of_work_other: str | None = Field(default=None, max_length=200)
    # Her name, e-mail and phone digits without case or accents, for /find (storage.search);
    # kept up to date by the mapper events at the end of this module, whatever changes them.
    search: str | None = Field(default=None, max_length=SEARCH_KEY_LENGTH, index=True)
    news_stopped_at: datetime | None = _when()  # she asked for no more announcements and events

    @property
    def short_id(self) -> str:
        """The id coordinators type, like P-12."""
        return f"P-{self.id}"


class Platform(StrEnum):
    TELEGRAM = "telegram"


class Account(SQLModel, table=True):
    """A person's address on one messaging platform (a Telegram user id, later a phone number)."""

    __table_args__ = (UniqueConstraint("platform", "address"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    platform: str = Field(max_length=16)
    address: str = Field(max_length=64)


class StatusChange(SQLModel, table=True):
    """One step in a person's status history."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    status: str = Field(max_length=32)
    at: datetime = _when(nullable=False)


class Conversation(SQLModel, table=True):
    """Where a person is in one guided conversation, so she can resume after days or a restart."""

    __table_args__ = (UniqueConstraint("person_id", "flow"),)

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    flow: str = Field(max_length=32)
    step: str = Field(max_length=64)
    rev: int = 0
    answers: dict[str, Any] = _json(dict)
    context: dict[str, Any] = _json(dict)
    started_at: datetime = _when(nullable=False)
    # Not indexed: every answer changes it, while the sweep reads it once a minute over
    # one row per person, which a plain scan does in well under a millisecond.
    updated_at: datetime = _when(nullable=False)
    completed_at: datetime | None = _when()


class OutboxMessage(SQLModel, table=True):
    """A message (or other Bot API call) waiting to be sent, written with the change that caused it."""

    # Only unsent messages are indexed for the sender: the index stays small as the table grows,
    # and each message written dirties one page fewer (see docs/performance.md).
    __table_args__ = (
        Index("ix_outboxmessage_account", "platform", "address"),
        Index(
            "ix_outboxmessage_pending",
            "not_before",
            sqlite_where=text("sent_at IS NULL AND failed_at IS NULL"),
            postgresql_where=text("sent_at IS NULL AND failed_at IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(max_length=16)
    address: str = Field(max_length=64)  # her account on that platform (a Telegram chat id)
    kind: str = Field(max_length=16)  # message | edit | commands
    payload: dict[str, Any] = _json(dict)
    created_at: datetime = _when(nullable=False)
    not_before: datetime = _when(nullable=False)
    attempts: int = 0
    claimed_until: datetime | None = _when()
    sent_at: datetime | None = _when()
    failed_at: datetime | None = _when()
    error: str | None = Field(default=None, max_length=500)
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    # Every piece a long text was sent as, so that an edit can change each of them.
    message_ids: list[int] = _json(list)


class SweepAction(SQLModel, table=True):
    """A scheduled action taken once: the unique key is what makes a second sweep send nothing."""

    __table_args__ = (UniqueConstraint("subject", "kind", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=64)
    kind: str = Field(max_length=64)
    seq: int
    done_at: datetime = _when(nullable=False)


class ProcessedUpdate(SQLModel, table=True):
    """An update from one platform already handled; a repeat of it changes nothing."""

    # WITHOUT ROWID on SQLite: the primary key is the table itself, one B-tree to write, not two.
    __table_args__ = {"sqlite_with_rowid": False}

    platform: str = Field(max_length=16, primary_key=True)
    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    processed_at: datetime = _when(nullable=False)


class InboxUpdate(SQLModel, table=True):
    """An update received and not yet handled: kept until its turn commits, retried when it fails.

    Telegram's update is acknowledged (the next getUpdates offset, or the webhook's 200) only
    after it is stored here, so a crash, a locked database or a bug loses nothing; one that
    keeps failing is set aside, with the person told, instead of blocking her later messages.
    """

    __table_args__ = (UniqueConstraint("platform", "update_id"),)

    id: int | None = Field(default=None, primary_key=True)
    platform: str = Field(default="telegram", max_length=16)
    update_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    address: str | None = Field(default=None, max_length=64)  # who wrote it: her turn order, her apology
    payload: dict[str, Any] = _json(dict)
    received_at: datetime = _when(nullable=False)
    attempts: int = 0
    not_before: datetime = _when(nullable=False)
    claimed_until: datetime | None = _when()
    set_aside_at: datetime | None = _when(index=True)
    error: str | None = Field(default=None, max_length=300)  # the error's kind and place, never its text


class InterviewSlot(SQLModel, table=True):
    """A time a coordinator offers for interviews, stored in UTC."""

    id: int | None = Field(default=None, primary_key=True)
    starts_at: datetime = _when(nullable=False, index=True)
    minutes: int
    place: str = Field(max_length=200)
    created_by: int  # the coordinator's person id
    created_at: datetime = _when(nullable=False)
    removed_at: datetime | None = _when()

    @property
    def short_id(self) -> str:
        """The id coordinators type, like S-3."""
        return f"S-{self.id}"

    @property
    def ends_at(self) -> datetime:
        """When the interview is over."""
        return self.starts_at + timedelta(minutes=self.minutes)


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    ATTENDED = "attended"
    NO_SHOW = "no_show"


class Booking(SQLModel, table=True):
    """A person's booking of a slot; at most one active booking per slot."""

    # The unique partial index is what lets exactly one of two simultaneous presses win.
    __table_args__ = (
        Index(
            "ix_booking_active_slot",
            "slot_id",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    slot_id: int = Field(foreign_key="interviewslot.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    status: str = Field(default=BookingStatus.BOOKED, max_length=16)
    created_at: datetime = _when(nullable=False)
    confirmed_at: datetime | None = _when()
    ended_at: datetime | None = _when()


class InterviewNote(SQLModel, table=True):
    """A coordinator's notes from one interview, sealed (storage.crypto); never logged."""

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    interviewer: int  # the coordinator's person id
    sealed: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = _when(nullable=False)


class PairStatus(StrEnum):
    PROPOSED = "proposed"  # proposed by a coordinator; first meeting and decision to come
    CONFIRMED = "confirmed"  # both said yes: the programme year runs
    DECLINED = "declined"  # one said no after the first meeting; never proposed again
    ENDED = "ended"


ACTIVE_PAIR = ("proposed", "confirmed")
_ACTIVE_PAIR_SQL = text("status IN ('proposed', 'confirmed')")


class Pair(SQLModel, table=True):
    """A mentee and a mentor a coordinator proposed, and everything due for them, as stored dates.

    The two unique partial indexes keep each person in at most one active pair: of two
    coordinators proposing the same woman at the same moment, exactly one insert succeeds.
    """

    __table_args__ = (
        Index(
            "ix_pair_active_mentee",
            "mentee_id",
            unique=True,
            sqlite_where=_ACTIVE_PAIR_SQL,
            postgresql_where=_ACTIVE_PAIR_SQL,
        ),
        Index(
            "ix_pair_active_mentor",
            "mentor_id",
            unique=True,
            sqlite_where=_ACTIVE_PAIR_SQL,
            postgresql_where=_ACTIVE_PAIR_SQL,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    mentee_id: int = Field(foreign_key="person.id", index=True)
    mentor_id: int = Field(foreign_key="person.id", index=True)
    coordinator: int = Field(index=True)  # the proposing coordinator's person id
    status: str = Field(default=PairStatus.PROPOSED, max_length=16, index=True)
    proposed_at: datetime = _when(nullable=False)
    # The first meeting: proposed by one (meeting_by), fixed when the other agrees.
    meeting_at: datetime | None = _when()
    meeting_by: int | None = None
    meeting_rev: int = 0  # grows with every new time, so a button for an older time is refused
    meeting_agreed_at: datetime | None = _when()
    # The blind decision after the first meeting; the reasons for a no are sealed.
    mentee_decision: bool | None = None
    mentor_decision: bool | None = None
    decision_reasons: str | None = Field(default=None, sa_column=Column(Text))
    decided_at: datetime | None = _when()
    confirmed_at: datetime | None = _when()
    # The mentor agreement and activity plan, and who has confirmed it (roles).
    agreement: dict[str, Any] = _json(dict)
    agreement_confirmed: list[str] = _json(list)
    agreement_done_at: datetime | None = _when()
    # The end: a year after the confirmation, a month after one of them gave notice, or at once
    # when a coordinator ends it. The evaluation is sent at evaluation_at (the last week).
    ends_at: datetime | None = _when()
    evaluation_at: datetime | None = _when()
    end_reasons: list[str] = _json(list)
    end_note: str | None = Field(default=None, sa_column=Column(Text))  # sealed: a coordinator's reason
    ended_by: int | None = None  # who gave notice (person id)
    ended_at: datetime | None = _when()

    @property
    def short_id(self) -> str:
        """The id coordinators type, like M-5."""
        return f"M-{self.id}"

    def decision_of(self, role: str) -> bool | None:
        """What the mentee or the mentor answered after the first meeting."""
        return self.mentee_decision if role == Role.MENTEE else self.mentor_decision


class Meeting(SQLModel, table=True):
    """A meeting one of a pair reported ("we met") and the other confirmed; statistics count these."""

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="pair.id", index=True)
    held_on: date
    reported_by: int = Field(foreign_key="person.id")
    reported_at: datetime = _when(nullable=False)
    confirmed_at: datetime | None = _when()
    disputed_at: datetime | None = _when()


class Survey(SQLModel, table=True):
    """One questionnaire sent to one of a pair: a follow-up or the evaluation at the end."""

    __table_args__ = (UniqueConstraint("pair_id", "person_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="pair.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(max_length=16)  # the programme step's stable name (conversations.timeline)
    sent_at: datetime = _when(nullable=False)
    answered_at: datetime | None = _when()


class SurveyAnswer(SQLModel, table=True):
    """One answer to one question, so that reports can count them question by question."""

    __table_args__ = (UniqueConstraint("survey_id", "question"),)

    id: int | None = Field(default=None, primary_key=True)
    survey_id: int = Field(foreign_key="survey.id", index=True)
    question: str = Field(max_length=32)
    value: Any = Field(default=None, sa_column=Column(JSON))


class Handled(SQLModel, table=True):
    """A coordinator marked an overdue item handled, with a note; it stays hidden until it is due again."""

    id: int | None = Field(default=None, primary_key=True)
    item: str = Field(max_length=64, index=True)  # the overdue item's key: its step and id, e.g. "decision:5"
    due_at: datetime = _when(nullable=False)  # the due date it was handled for
    by: int  # the coordinator's person id
    note: str | None = Field(default=None, sa_column=Column(Text))  # sealed
    at: datetime = _when(nullable=False)


class ProfileChange(SQLModel, table=True):
    """One answer of a person's profile changed after registration: which, by whom, when.

    The values are not kept, old or new: the new one is on her profile, and the old one is what
    she (or a coordinator for her) corrected, often because it was wrong or no longer hers to
    share (a phone number, a city she left). Keeping it would undo the correction; the history
    only has to show that the profile changed and who changed it.
    """

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    field: str = Field(max_length=32)  # the registration question's field id
    changed_by: int  # a person id: hers, or the coordinator's
    at: datetime = _when(nullable=False)


class Handover(SQLModel, table=True):
    """A pair moved from one coordinator to another (/handover): the pair's history shows it."""

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="pair.id", index=True)
    from_coordinator: int  # person ids
    to_coordinator: int
    by: int  # the coordinator who moved it
    at: datetime = _when(nullable=False)


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _keep_search_key(mapper: Any, connection: Any, person: Person) -> None:
    """Every change of a name, phone or e-mail through the ORM refreshes what /find searches."""
    person.search = search_key(person.name, person.phone, person.email)


_OPEN_THREAD_SQL = text("closed_at IS NULL")


class Thread(SQLModel, table=True):
    """A participant's conversation with the coordinators, open until she or a coordinator closes it.

    The unique partial index keeps one open thread per person: two messages of hers arriving at
    once both land in it.
    """

    __table_args__ = (
        Index(
            "ix_thread_open_person",
            "person_id",
            unique=True,
            sqlite_where=_OPEN_THREAD_SQL,
            postgresql_where=_OPEN_THREAD_SQL,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    coordinator: int | None = Field(default=None, index=True)  # who holds it; None: the first to answer
    opened_at: datetime = _when(nullable=False)
    waiting_since: datetime | None = _when()  # her oldest message not answered yet
    answer_due: datetime | None = _when()  # when the answer promised to her falls due
    closed_at: datetime | None = _when()
    closed_by: int | None = None  # person id: she, or a coordinator

    @property
    def short_id(self) -> str:
        """The id shown to coordinators, like T-4."""
        return f"T-{self.id}"


class ThreadMessage(SQLModel, table=True):
    """One message of a thread, sealed (storage.crypto): her words, a voice note's file id, an answer."""

    id: int | None = Field(default=None, primary_key=True)
    thread_id: int = Field(foreign_key="thread.id", index=True)
    author: int  # person id
    from_coordinator: bool = False
    sealed: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime = _when(nullable=False)


class Writing(SQLModel, table=True):
    """Someone about to write one message aside: a coordinator's answer to a thread, or a
    participant's message to the coordinator while a question of hers is open."""

    person_id: int = Field(foreign_key="person.id", primary_key=True)
    thread_id: int | None = None  # the thread a coordinator answers; None: the participant's own
    since: datetime = _when(nullable=False)


class Event(SQLModel, table=True):
    """A network meeting or workshop a coordinator announced; `coming` counts the seats taken.

    A seat is taken by a conditional UPDATE (coming < capacity) in the same transaction as her
    reply, so two people pressing for the last seat at once, in two processes, cannot both get it.
    """

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    starts_at: datetime = _when(nullable=False, index=True)
    place: str = Field(max_length=200)
    capacity: int
    coming: int = 0
    created_by: int  # the coordinator's person id
    created_at: datetime = _when(nullable=False)

    @property
    def short_id(self) -> str:
        """The id coordinators type, like E-3."""
        return f"E-{self.id}"


class EventReply(SQLModel, table=True):
    """Her answer to one event: coming or not; she may change her mind."""

    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="event.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    coming: bool = False
    at: datetime = _when(nullable=False)


class Announcement(SQLModel, table=True):
    """A message (or an event) a coordinator sends to a group: a draft until she confirms it.

    Once sent, a background step enqueues it a chunk at a time (AnnouncementDelivery) and edits
    her message with the progress, then the report.
    """

    id: int | None = Field(default=None, primary_key=True)
    created_by: int  # the coordinator's person id
    kind: str = Field(max_length=16)  # announce | event
    answers: dict[str, Any] = _json(dict)  # the group, its filters, the texts (and the event)
    rev: int = 0  # grows with every change of the draft, so an older Send button is refused
    event_id: int | None = Field(default=None, foreign_key="event.id")
    # Where the progress is shown: the preview message she pressed Send under (in her chat).
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    total: int = 0  # recipients counted when she pressed Send
    cursor: int = 0  # the highest person id already considered
    created_at: datetime = _when(nullable=False)
    sent_at: datetime | None = _when()
    filled_at: datetime | None = _when()  # everyone in the group has a delivery row
    progress_at: datetime | None = _when()
    progress_shown: int = 0
    progress_outbox: int | None = None  # the last progress edit's outbox row: replaced if still unsent
    done_at: datetime | None = _when()

    @property
    def short_id(self) -> str:
        """The id coordinators see, like A-4."""
        return f"A-{self.id}"


class DeliveryState(StrEnum):
    QUEUED = "queued"  # in the outbox: outbox_id says how it went
    OPTED_OUT = "opted_out"  # she had stopped news and events
    UNREACHABLE = "unreachable"  # she had blocked the bot


class AnnouncementDelivery(SQLModel, table=True):
    """One recipient of one announcement; the unique key is what makes a restart send nothing twice."""

    __table_args__ = (UniqueConstraint("announcement_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    announcement_id: int = Field(foreign_key="announcement.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    state: str = Field(max_length=16)
    outbox_id: int | None = Field(default=None, index=True)  # no foreign key: sent messages are forgotten
    at: datetime = _when(nullable=False)
