"""The programme timeline: what falls due when. Plain functions of stored dates and the time now."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Telegram re-delivers an update for at most 24 hours; after two days its id can go.
KEEP_UPDATE_IDS = timedelta(days=2)
# Sent messages hold names and answers: kept a week for tracing problems, then deleted.
KEEP_SENT_MESSAGES = timedelta(days=7)

# An interview is recalled the day before.
INTERVIEW_REMINDER = timedelta(days=1)

# Invited a week ago and no interview time chosen: one reminder (two weeks: overdue).
BOOKING_REMINDER = timedelta(days=7)
BOOKING_OVERDUE = timedelta(days=14)

# An abandoned registration: one gentle nudge after a day, another after a week, then none.
REGISTRATION_NUDGES = ((1, timedelta(hours=24)), (2, timedelta(days=7)))


def registration_nudge_due(idle_since: datetime, now: datetime) -> int:
    """The latest registration nudge due after this much silence (0: none yet)."""
    due = 0
    for seq, after in REGISTRATION_NUDGES:
        if now - idle_since >= after:
            due = seq
    return due


# A proposed pair: a first-meeting date within 14 days (then a reminder to the mentee, and the
# coordinator sees it), the meeting itself within two months (then it shows as expired).
MEETING_DATE_DUE = timedelta(days=14)
MEETING_DUE_MONTHS = 2
# After the first meeting: each is asked the next day; a reminder at 7 days, overdue at 14.
DECISION_ASK = timedelta(days=1)
DECISION_REMINDER = timedelta(days=7)
DECISION_OVERDUE = timedelta(days=14)
# After the confirmation: the agreement within three weeks, then both are asked about it;
# a week after that question the coordinator sees it overdue. The first follow-up in 3 months.
AGREEMENT_CHECK = timedelta(weeks=3)
AGREEMENT_OVERDUE = timedelta(weeks=4)
FIRST_CHECKUP_MONTHS = 3


def local_start(day: date, at: time, zone: str) -> datetime:
    """A local date and time in a time zone, as UTC."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time some calendar months later (the 31st becomes the month's last day)."""
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


# The programme year after the confirmation: follow-ups at 3 and 9 months (a reminder after
# 14 days, overdue after 21), the end and the evaluation at 12 months (reminders after two
# weeks and one more week, overdue after four weeks: call the pair). Either of them may give a
# month's notice; the evaluation then comes in the last week.
FOLLOWUP_MONTHS = (3, 9)
FOLLOWUP_REMINDER = timedelta(days=14)
FOLLOWUP_OVERDUE = timedelta(days=21)
YEAR_MONTHS = 12
NOTICE_MONTHS = 1
EVALUATION_BEFORE_END = timedelta(weeks=1)
EVALUATION_REMINDERS = (timedelta(weeks=2), timedelta(weeks=3))
EVALUATION_OVERDUE = timedelta(weeks=4)
# Coordinators with anything overdue get a digest every morning at this hour, in the network's zone.
DIGEST_HOUR = 9
