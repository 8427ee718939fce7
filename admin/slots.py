"""Reading the coordinators' /addslot: one slot, or a weekly series of back-to-back slots.

    /addslot 2026-12-03 10:00 45 Nørregade 1            one 45-minute slot
    /addslot 2026-12-01 10:00-12:00 30 x4 Nørregade 1   every week for 4 weeks, 30-minute slots 10-12

Times are the coordinator's local time (the network's time zone); slots are stored in UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from conversations.i18n import __
from conversations.timeline import local_start
from conversations.validation import Invalid, parse_time

USAGE = __(
    "Write it like this:\n/addslot 2026-12-03 10:00 45 Nørregade 1\n(date, time, minutes, place), or for a weekly "
    "series of back-to-back slots:\n/addslot 2026-12-01 10:00-12:00 30 x4 Nørregade 1\n(from-to, minutes each, "
    "number of weeks, place). Send /addslot alone to be asked step by step."
)
_PATTERN = re.compile(
    r"^(?P<day>\d{4}-\d{2}-\d{2})\s+(?P<start>\d{1,2}:\d{2})(?:-(?P<end>\d{1,2}:\d{2}))?\s+(?P<minutes>\d{1,3})"
    r"(?:\s+x(?P<weeks>\d{1,2}))?\s+(?P<place>\S.*)$"
)


@dataclass(frozen=True)
class NewSlot:
    """A slot to add: its start in UTC, its length and its place."""

    starts_at: datetime
    minutes: int
    place: str


def parse_slots(text: str, *, zone: str, now: datetime) -> list[NewSlot]:
    """The slots an /addslot line asks for; Invalid explains what is wrong with it."""
    match = _PATTERN.match(" ".join(text.split()))
    if not match:
        raise Invalid(USAGE)
    try:
        day = date.fromisoformat(match["day"])
    except ValueError:
        raise Invalid(__("There is no date {date}."), date=match["day"]) from None
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
