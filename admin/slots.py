"""Reading the coordinators' /addslot: one slot, or a weekly series of back-to-back slots.

    /addslot 2026-12-03 10:00 45 Nørregade 1            one 45-minute slot
    /addslot 3.12.2026 10.00-12.00 30 x4 Nørregade 1    every week for 4 weeks, 30-minute slots 10-12

The date is read as every date the bot asks for (conversations.validation.parse_day), in the
coordinator's locale. Times are her local time (the network's time zone); slots are stored in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from conversations.i18n import __
from conversations.timeline import local_start
from conversations.validation import Invalid, example_day, parse_day, parse_time

USAGE = __(
    "Write it like this:\n/addslot {date} 10:00 45 Nørregade 1\n(date, time, minutes, place), or for a weekly "
    "series of back-to-back slots:\n/addslot {date} 10:00-12:00 30 x4 Nørregade 1\n(from-to, minutes each, "
    "number of weeks, place). Send /addslot alone to be asked step by step."
)
# The date is whatever comes before the time (it may hold spaces: "3. dec. 2026"); 10:00 or 10.00.
_PATTERN = re.compile(
    r"^(?P<day>\S.*?)\s+(?P<start>\d{1,2}[:.]\d{2})(?:\s*-\s*(?P<end>\d{1,2}[:.]\d{2}))?\s+(?P<minutes>\d{1,3})"
    r"(?:\s+[xX×](?P<weeks>\d{1,2}))?\s+(?P<place>\S.*)$"
)


@dataclass(frozen=True)
class NewSlot:
    """A slot to add: its start in UTC, its length and its place."""

    starts_at: datetime
    minutes: int
    place: str


def usage(today: date, locale: str) -> Invalid:
    """How to write /addslot, with an example date from the clock, as her locale writes dates."""
    return Invalid(USAGE, date=example_day(today, locale))


def parse_slots(text: str, *, zone: str, now: datetime, locale: str = "en") -> list[NewSlot]:
    """The slots an /addslot line asks for; Invalid explains what is wrong with it."""
    today = now.astimezone(ZoneInfo(zone)).date()
    match = _PATTERN.match(" ".join(text.split()))
    if not match:
        raise usage(today, locale)
    day = parse_day(match["day"], locale=locale, today=today)
    minutes = int(match["minutes"])
    if not 10 <= minutes <= 240:
        raise Invalid(__("An interview slot lasts between 10 and 240 minutes."))
    place = match["place"].strip()
    if len(place) > 200:
        raise Invalid(__("The place is too long: at most 200 characters."))
    start, end = parse_time(match["start"]), match["end"]
    weeks = int(match["weeks"] or 1)
    if not 1 <= weeks <= 12:
        raise Invalid(__("A series runs for 1 to 12 weeks."))
    starts: list[datetime] = []
    for week in range(weeks):
        first = local_start(day + timedelta(weeks=week), start, zone)
        last = (
            local_start(day + timedelta(weeks=week), parse_time(end), zone)
            if end
            else first + timedelta(minutes=minutes)
        )
        if last <= first:
            raise Invalid(__("The end of the series must be after its start."))
        moment = first
        while moment + timedelta(minutes=minutes) <= last:
            starts.append(moment)
            moment += timedelta(minutes=minutes)
    if not starts:
        raise Invalid(__("No slot of that length fits between those times."))
    if starts[0] <= now:
        raise Invalid(__("That time has already passed."))
    return [NewSlot(moment, minutes, place) for moment in starts]
