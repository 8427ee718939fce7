"""The programme timeline: what falls due when. Plain functions of stored dates and the time now."""

from __future__ import annotations

from datetime import datetime, timedelta

# Telegram re-delivers an update for at most 24 hours; after two days its id can go.
KEEP_UPDATE_IDS = timedelta(days=2)
# Sent messages hold names and answers: kept a week for tracing problems, then deleted.
KEEP_SENT_MESSAGES = timedelta(days=7)

# An interview is recalled the day before.
INTERVIEW_REMINDER = timedelta(days=1)

# Invited a week ago and no interview time chosen: one reminder (two weeks: overdue).
BOOKING_REMINDER = timedelta(days=7)

# An abandoned registration: one gentle nudge after a day, another after a week, then none.
REGISTRATION_NUDGES = ((1, timedelta(hours=24)), (2, timedelta(days=7)))


def registration_nudge_due(idle_since: datetime, now: datetime) -> int:
    """The latest registration nudge due after this much silence (0: none yet)."""
    due = 0
    for seq, after in REGISTRATION_NUDGES:
        if now - idle_since >= after:
            due = seq
    return due
