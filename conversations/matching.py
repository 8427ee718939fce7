"""Suggesting mentors for a mentee: a plain score with its reasons in words (docs/matching.md).

Pure functions of two profiles, so the coordinator's list, the overall assignment and the
tests all use the same arithmetic. The weights are settings; the coordinator decides.
"""

from __future__ import annotations

from pydantic import BaseModel


class MatchWeights(BaseModel):
    """How much each reason counts; MENTORBOT_MATCH_WEIGHTS__<NAME> sets one."""

    work: float = 3.0  # the same line of work
    education: float = 2.0  # a word in common in their fields of education
    language: float = 1.0  # per language in common, at most two
    place: float = 2.0  # the same city or region
    goal: float = 1.5  # per goal of hers that the mentor offers help with
    wish: float = 1.5  # per wish of hers the mentor meets (an age, a place, a field)
    availability: float = 1.0  # the mentor can meet as often as she would like
    load: float = 1.0  # taken off per pair the mentor already has
