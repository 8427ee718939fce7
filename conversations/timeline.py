"""The programme timeline: what falls due when. Plain functions of stored dates and the time now."""

from __future__ import annotations

from datetime import datetime, timedelta

# An abandoned registration: one gentle nudge after a day, another after a week, then none.
REGISTRATION_NUDGES = ((1, timedelta(hours=24)), (2, timedelta(days=7)))


def registration_nudge_due(idle_since: datetime, now: datetime) -> int:
    """The latest registration nudge due after this much silence (0: none yet)."""
    due = 0
    for seq, after in REGISTRATION_NUDGES:
        if now - idle_since >= after:
            due = seq
    return due
