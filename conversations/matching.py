"""Suggesting mentors for a mentee: a plain score with its reasons in words (docs/matching.md).

Pure functions of two profiles, so the coordinator's list, the overall assignment and the
tests all use the same arithmetic. The weights are settings; the coordinator decides.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from pydantic import BaseModel
from scipy.optimize import linear_sum_assignment

from conversations import cities
from conversations.i18n import __


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


@dataclass(frozen=True)
class Profile:
    """What matching reads of a person (built from storage.Person, or by hand in tests)."""

    id: int
    line_of_work: str | None = None
    education_field: str | None = None
    languages: tuple[str, ...] = ()
    city: str | None = None  # a code from the network's list (conversations/cities.py), or "other"
    city_other: str | None = None  # her words for a place not on the list
    birth_year: int | None = None
    goals: tuple[str, ...] = ()  # a mentee's
    offers: tuple[str, ...] = ()  # a mentor's
    meetings_per_month: int | None = None
    wishes: str | None = None
    pairs: int = 0  # a mentor's pairs in the last year
    waiting_since: datetime | None = (
        None  # a mentor's registration: the longer she waits, the sooner she is chosen
    )


@dataclass(frozen=True)
class Reason:
    """One reason in words: a msgid and what fills it."""

    msgid: str
    params: dict[str, Any] = field(default_factory=dict)
    points: float = 0.0


@dataclass(frozen=True)
class Scored:
    """A mentor for a mentee: the total and its reasons, best first."""

    mentee: int
    mentor: int
    score: float
    reasons: tuple[Reason, ...]


# Which of a mentor's offers serve which of a mentee's goals (registration's choice values).
HELPS_WITH: dict[str, frozenset[str]] = {
    "job": frozenset({"jobsearch", "network", "workplace"}),
    "education": frozenset({"education"}),
    "language": frozenset({"language"}),
    "network": frozenset({"network"}),
    "society": frozenset({"society", "workplace"}),
    "business": frozenset({"business"}),
    "confidence": frozenset({"jobsearch", "workplace", "network"}),
}
_WORD = re.compile(r"\w{4,}")
_AGE_RANGE = re.compile(r"(?<!\d)([1-9]\d)\s*[-–]\s*([1-9]\d)(?!\d)")
_AGE = re.compile(r"(?<!\d)([1-9]\d)(?!\d)")
AGE_MARGIN = 5  # "about 40" means 35 to 45


def _words(text: str | None) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text or "")}


def _place(profile: Profile) -> tuple[str, str | frozenset[str]] | None:
    """Where she lives, to compare: a code from the list, or the words of a place not on it.

    Words typed for "another place" that name a place on the list (typed before it was added)
    count as that place.
    """
    if cities.by_code(profile.city) is not None:
        return ("code", profile.city or "")
    typed = (
        profile.city_other if profile.city == cities.OTHER else profile.city
    )  # or free text from before the list
    code = cities.code_for(typed)
    if code is not None:
        return ("code", code)
    words = frozenset(_words(cities.fold(typed or "")))
    return ("words", words) if words else None


def _same_place(a: Profile, b: Profile) -> bool:
    """The same city or region: the same code, however she wrote or chose it; for two places not
    on the list, a word in common ("Helsingør" and "Helsingør C")."""
    here, there = _place(a), _place(b)
    if here is None or there is None or here[0] != there[0]:
        return False
    if here[0] == "code":
        return here[1] == there[1]
    return bool(set(here[1]) & set(there[1]))


def _place_words(profile: Profile) -> set[str]:
    """Every word she might use in a wish for this place, in any language."""
    place = _place(profile)
    names = cities.all_names(str(place[1])) if place and place[0] == "code" else ()
    typed = profile.city_other if profile.city == cities.OTHER else profile.city
    return set().union(*(_words(n) for n in (*names, typed or "")))


def wished_ages(wishes: str | None) -> tuple[int, int] | None:
    """The ages a wish names in digits, in any language: "40-50" or "about 40" (±5)."""
    if not wishes:
        return None
    if found := _AGE_RANGE.search(wishes):
        low, high = sorted((int(found[1]), int(found[2])))
        return low, high
    if (single := _AGE.search(wishes)) and 18 <= int(single[1]) <= 90:
        return int(single[1]) - AGE_MARGIN, int(single[1]) + AGE_MARGIN
    return None


def score(mentee: Profile, mentor: Profile, weights: MatchWeights, *, year: int) -> Scored:
    """How well a mentor fits a mentee, and why; every point comes with its reason."""
    reasons: list[Reason] = []

    def add(points: float, msgid: str, **params: Any) -> None:
        if points:
            reasons.append(Reason(msgid, params, points))

    if mentee.line_of_work and mentee.line_of_work == mentor.line_of_work and mentee.line_of_work != "other":
        add(weights.work, __("the same line of work: {work}"), work=mentee.line_of_work)
    common_fields = _words(mentee.education_field) & _words(mentor.education_field)
    if common_fields:
        add(weights.education, __("a similar field of education: {field}"), field=sorted(common_fields)[0])
    shared = [code for code in mentee.languages if code in mentor.languages and code != "other"]
    if shared:
        add(weights.language * min(len(shared), 2), __("languages in common: {languages}"), languages=shared)
    if _same_place(mentee, mentor):
        place = mentor.city if mentor.city != cities.OTHER else mentor.city_other
        add(weights.place, __("both live in {city}"), city=place)
    helped = [g for g in mentee.goals if HELPS_WITH.get(g, frozenset()) & set(mentor.offers)]
    if helped:
        add(weights.goal * len(helped), __("can help with her goals: {goals}"), goals=helped)
    ages = wished_ages(mentee.wishes)
    if ages and mentor.birth_year and ages[0] <= year - mentor.birth_year <= ages[1]:
        add(weights.wish, __("the age she wished for ({age})"), age=year - mentor.birth_year)
    wished_words = _words(mentee.wishes) & (_place_words(mentor) | _words(mentor.education_field))
    if wished_words:
        add(weights.wish, __("her wishes mention {words}"), words=sorted(wished_words)[:3])
    if mentor.meetings_per_month and mentor.meetings_per_month >= (mentee.meetings_per_month or 1):
        add(
            weights.availability,
            __("can meet: {meetings}"),
            meetings=str(mentor.meetings_per_month),
        )
    if mentor.pairs:
        add(-weights.load * mentor.pairs, __("pairs this year already: {count}"), count=mentor.pairs)
    ordered = tuple(sorted(reasons, key=lambda r: -r.points))
    return Scored(mentee.id, mentor.id, round(sum(r.points for r in reasons), 2), ordered)


def best_possible(mentee: Profile, weights: MatchWeights) -> float:
    """The most any mentor could score for her (every reason in full, no pairs yet): the scale scores are shown on."""
    return round(
        weights.work
        + weights.education
        + 2 * weights.language
        + weights.place
        + weights.goal * len(mentee.goals)
        + 2 * weights.wish
        + weights.availability,
        2,
    )


def _tie_break(mentee: Profile, mentor: Profile) -> tuple[int, datetime, int]:
    """Between equal scores: more languages in common (not capped, as in the score), then the mentor waiting
    longest (registered first), then the lower id, so that the order never depends on the database's."""
    common = sum(1 for code in mentee.languages if code in mentor.languages and code != "other")
    return -common, mentor.waiting_since or datetime.max.replace(tzinfo=UTC), mentor.id


def best_mentors(
    mentee: Profile,
    mentors: Sequence[Profile],
    weights: MatchWeights,
    *,
    year: int,
    declined: Collection[tuple[int, int]] = (),
    limit: int = 5,
) -> list[Scored]:
    """The best mentors for one mentee, never one she was proposed with and declined; ties broken by _tie_break."""
    scored = [
        (score(mentee, m, weights, year=year), _tie_break(mentee, m))
        for m in mentors
        if (mentee.id, m.id) not in declined
    ]
    return [s for s, _ in sorted(scored, key=lambda pair: (-pair[0].score, pair[1]))][:limit]


def assignment(
    mentees: Sequence[Profile],
    mentors: Sequence[Profile],
    weights: MatchWeights,
    *,
    year: int,
    declined: Collection[tuple[int, int]] = (),
) -> list[Scored]:
    """The one-to-one assignment of mentees to mentors with the highest total score.

    The Hungarian method (scipy's linear_sum_assignment); a declined pair is never assigned.
    With more mentees than mentors some wait; with more mentors some are left free.
    """
    if not mentees or not mentors:
        return []
    table = [[score(e, m, weights, year=year) for m in mentors] for e in mentees]
    forbidden = -1e6
    matrix = np.array(
        [
            [forbidden if (e.id, m.id) in declined else s.score for m, s in zip(mentors, row, strict=True)]
            for e, row in zip(mentees, table, strict=True)
        ]
    )
    rows, columns = linear_sum_assignment(matrix, maximize=True)
    chosen = [table[r][c] for r, c in zip(rows, columns, strict=True) if matrix[r, c] > forbidden]
    return sorted(chosen, key=lambda s: (-s.score, s.mentee))
