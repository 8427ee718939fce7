"""A small, believable mentor network for the sandbox, so matching has people to work with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from conversations import cities
from storage import interviews, queries
from storage.db import Database
from storage.models import Account, Person, Platform, Role, Status

DEMO_IDS = range(2001, 2021)  # Telegram ids of their own, apart from people who try the sandbox
SLOT_PLACE = "Nørregade 1, København"
SLOT_TIMES = (time(10, 0), time(13, 30))
SLOT_WEEKDAYS = (1, 3)  # Tuesdays and Thursdays
SLOT_MINUTES = 45


@dataclass(frozen=True)
class DemoPerson:
    """One person of the demo network, with her profile as registration would have stored it."""

    telegram_id: int
    name: str
    language: str  # the language she writes to the bot in
    role: str
    city: str
    birth_year: int
    education: str
    education_field: str | None
    work_experience: str
    line_of_work: str
    languages: tuple[str, ...]
    wants: tuple[str, ...]  # a mentee's goals, a mentor's offers
    meetings_per_month: int
    share_channels: tuple[str, ...]
    status: str = Status.READY_TO_BE_MATCHED
    goals_text: str | None = None
    wishes: str | None = None
    username: str | None = field(default=None)


_MENTOR, _MENTEE = Role.MENTOR, Role.MENTEE
_INVITED = Status.AWAITING_INTERVIEW

DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson(2001, "Karen Holm", "da", _MENTOR, "København", 1968, "master", "Nursing", "gt10", "health",
               ("da", "en"), ("network", "workplace", "jobsearch"), 2, ("telegram", "phone")),
    DemoPerson(2002, "Mette Sørensen", "da", _MENTOR, "Aarhus", 1975, "bachelor", "Teacher training", "gt10",
               "education", ("da", "en", "de"), ("education", "language", "society"), 2, ("telegram", "email"),
               wishes="Someone who would like to teach children"),
    DemoPerson(2003, "Line Andersen", "da", _MENTOR, "Odense", 1982, "master", "Computer science", "5to10", "it",
               ("da", "en"), ("network", "jobsearch", "workplace"), 1, ("email",)),
    DemoPerson(2004, "Hanne Kristensen", "da", _MENTOR, "Aalborg", 1960, "bachelor", "Accounting", "gt10",
               "business", ("da", "en"), ("business", "network", "jobsearch"), 2, ("phone",)),
    DemoPerson(2005, "Sofie Larsen", "en", _MENTOR, "København", 1990, "master", "Civil engineering", "5to10",
               "engineering", ("da", "en", "fr"), ("workplace", "network"), 4, ("telegram",)),
    DemoPerson(2006, "Nadia Rahimi", "da", _MENTOR, "København", 1985, "bachelor", "Social work", "5to10",
               "social", ("da", "fa", "en"), ("society", "language", "education"), 2, ("telegram", "phone")),
    DemoPerson(2007, "Birgitte Madsen", "da", _MENTOR, "Vejle", 1958, "master", "Law", "gt10", "law",
               ("da", "en", "de"), ("society", "jobsearch", "network"), 1, ("email",)),
    DemoPerson(2008, "Amina Yusuf", "en", _MENTOR, "Aarhus", 1979, "bachelor", "Pharmacy", "gt10", "health",
               ("da", "en", "so", "ar"), ("workplace", "language", "education"), 2, ("telegram",),
               status=_INVITED),
    DemoPerson(2009, "Louise Nielsen", "da", _MENTOR, "Roskilde", 1987, "bachelor", "Journalism", "5to10",
               "culture", ("da", "en", "es"), ("network", "language"), 2, ("telegram", "email")),
    DemoPerson(2010, "Elif Kaya", "tr", _MENTOR, "København", 1983, "master", "Biochemistry", "5to10", "science",
               ("da", "en", "tr", "de"), ("education", "network", "jobsearch"), 1, ("telegram",), status=_INVITED),
    DemoPerson(2011, "Amal Haddad", "ar", _MENTEE, "Aarhus", 1990, "bachelor", "Nursing", "2to5", "health",
               ("ar", "en", "da"), ("job", "language"), 2, ("telegram", "phone"),
               goals_text="Work as a nurse in Denmark"),
    DemoPerson(2012, "Shirin Ahmadi", "fa", _MENTEE, "København", 1988, "master", "Software engineering", "5to10",
               "it", ("fa", "en"), ("job", "network"), 4, ("telegram",)),
    DemoPerson(2013, "Olena Kovalenko", "uk", _MENTEE, "Odense", 1985, "master", "Mathematics teaching", "gt10",
               "education", ("uk", "ru", "en"), ("job", "language", "society"), 2, ("telegram", "email")),
    DemoPerson(2014, "Hodan Abdi", "so", _MENTEE, "Aalborg", 1995, "secondary", None, "lt2", "social",
               ("so", "ar", "da"), ("education", "confidence"), 2, ("phone",)),
    DemoPerson(2015, "Zeynep Demir", "tr", _MENTEE, "København", 1992, "bachelor", "Economics", "2to5", "business",
               ("tr", "en", "de"), ("business", "network"), 1, ("telegram",),
               wishes="A mentor who has started her own business"),
    DemoPerson(2016, "Marya Ivanova", "ru", _MENTEE, "Aarhus", 1980, "master", "Mechanical engineering", "gt10",
               "engineering", ("ru", "en"), ("job", "language"), 2, ("telegram", "email")),
    DemoPerson(2017, "Rania Khalil", "ar", _MENTEE, "København", 1998, "vocational", "Childcare", "lt2",
               "education", ("ar", "da"), ("education", "language", "society"), 4, ("telegram",), status=_INVITED),
    DemoPerson(2018, "Maryam Hosseini", "fa", _MENTEE, "Vejle", 1993, "bachelor", "Midwifery", "2to5", "health",
               ("fa", "ku", "en"), ("job", "language"), 2, ("telegram", "phone")),
    DemoPerson(2019, "Iryna Shevchenko", "uk", _MENTEE, "København", 1990, "master", "Law", "5to10", "law",
               ("uk", "en", "ru"), ("job", "network", "society"), 2, ("telegram",), status=_INVITED),
    DemoPerson(2020, "Faduma Ali", "so", _MENTEE, "Odense", 1987, "primary", None, "5to10", "service",
               ("so", "en"), ("business", "confidence"), 1, ("phone",)),
)  # fmt: skip


@dataclass
class DemoReport:
    """What loading the demo network did."""

    people_added: int = 0
    slots_added: int = 0
    people: list[tuple[int, str, str]] = field(default_factory=list)  # (telegram id, name, language)


def load_demo(db: Database, *, now: datetime, coordinator: int, timezone: str) -> DemoReport:
    """Add the demo people who are not there yet and free interview slots in the coming two weeks."""
    report = DemoReport(people=[(p.telegram_id, p.name, p.language) for p in DEMO_PEOPLE])
    with db.session() as session:
        known = queries.people_by_accounts(session, platform=Platform.TELEGRAM, addresses=map(str, DEMO_IDS))
        for number, demo in enumerate(DEMO_PEOPLE):
            if str(demo.telegram_id) not in known:
                # Registered three to six weeks ago; the few still to be interviewed invited this week.
                registered_at = now - timedelta(days=40 - number)
                invited_at = registered_at + timedelta(days=3)
                if demo.status == Status.AWAITING_INTERVIEW:
                    invited_at = now - timedelta(days=1 + number % 4)
                _add_person(session, demo, registered_at, invited_at)
                report.people_added += 1
        report.slots_added = _add_slots(session, now=now, coordinator=coordinator, timezone=timezone)
    return report


def _add_person(session: Session, demo: DemoPerson, registered_at: datetime, invited_at: datetime) -> None:
    """Store one demo person as if she had registered and (mostly) been interviewed."""
    person = queries.create_person(
        session,
        platform=Platform.TELEGRAM,
        address=str(demo.telegram_id),
        language=demo.language,
        now=registered_at,
    )
    person.consent_at = person.registered_at = registered_at
    person.role, person.name, person.birth_year = demo.role, demo.name, demo.birth_year
    person.city = cities.code_for(demo.city) or cities.OTHER  # as registration stores it: a code
    person.city_other = None if person.city != cities.OTHER else demo.city
    person.education, person.education_field = demo.education, demo.education_field
    person.work_experience, person.line_of_work = demo.work_experience, demo.line_of_work
    person.languages, person.share_channels = list(demo.languages), list(demo.share_channels)
    if demo.role == Role.MENTEE:
        person.goals, person.goals_text = list(demo.wants), demo.goals_text
    else:
        person.offers = list(demo.wants)
    person.meetings_per_month, person.wishes = demo.meetings_per_month, demo.wishes
    first = demo.name.split()[0].lower()
    if "telegram" in demo.share_channels:
        person.telegram_username = f"{first}_{demo.telegram_id}"
    if "phone" in demo.share_channels:
        person.phone = f"+45{20_000_000 + demo.telegram_id * 137:08d}"
    if "email" in demo.share_channels:
        person.email = f"{first}@example.dk"
    queries.set_status(session, person=person, status=Status.REGISTERED, now=registered_at)
    person.invited_at = invited_at
    queries.set_status(session, person=person, status=Status.AWAITING_INTERVIEW, now=invited_at)
    if demo.status == Status.READY_TO_BE_MATCHED:
        queries.set_status(session, person=person, status=demo.status, now=invited_at + timedelta(days=9))


def _add_slots(session: Session, *, now: datetime, coordinator: int, timezone: str) -> int:
    """Tuesday and Thursday interview times in the coming two weeks, unless such a time is there already."""
    zone, added = ZoneInfo(timezone), 0
    today = now.astimezone(zone).date()
    for day in (today + timedelta(days=n) for n in range(1, 15)):
        if day.weekday() not in SLOT_WEEKDAYS:
            continue
        for at in SLOT_TIMES:
            starts_at = datetime.combine(day, at, zone)
            if interviews.overlapping(session, place=SLOT_PLACE, starts_at=starts_at, minutes=SLOT_MINUTES):
                continue
            interviews.add_slot(
                session, starts_at=starts_at, minutes=SLOT_MINUTES, place=SLOT_PLACE, by=coordinator, now=now
            )
            added += 1
    return added


def telegram_people(session: Session) -> list[tuple[int, Person]]:
    """Every person with a Telegram account, as (Telegram user id, person), by user id."""
    rows = session.exec(
        select(Account.address, Person)
        .join(Person, col(Person.id) == col(Account.person_id))
        .where(Account.platform == Platform.TELEGRAM)
    ).all()
    return sorted(((int(address), person) for address, person in rows), key=lambda row: row[0])


def everyone(db: Database) -> list[tuple[int, str, str]]:
    """Every person the database knows, as (telegram id, name, language), for the emulator's people list."""
    with db.session() as session:
        return [(uid, p.name or f"User {uid}", p.language) for uid, p in telegram_people(session)]
