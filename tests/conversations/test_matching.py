"""The matching score and the overall assignment: plain arithmetic, checked by hand."""

from __future__ import annotations

import itertools

import pytest

from conversations.matching import (
    MatchWeights,
    Profile,
    assignment,
    best_mentors,
    best_possible,
    score,
    wished_ages,
)

W = MatchWeights()
YEAR = 2026
AMAL = Profile(
    1,
    line_of_work="health",
    education_field="Nursing",
    languages=("ar", "en"),
    city="Copenhagen",
    goals=("job", "language"),
    meetings_per_month=1,
    wishes="a woman of 40-50 who lives in Aarhus",
)


@pytest.mark.parametrize(
    ("mentor", "expected", "reasons"),
    [
        (Profile(10), 0.0, []),
        (Profile(11, line_of_work="health"), W.work, ["the same line of work: {work}"]),
        (Profile(12, line_of_work="other"), 0.0, []),
        (
            Profile(13, education_field="nursing and care"),
            W.education,
            ["a similar field of education: {field}"],
        ),
        (Profile(14, languages=("ar", "en", "da")), 2 * W.language, ["languages in common: {languages}"]),
        (Profile(15, languages=("da",)), 0.0, []),
        (Profile(16, city="copenhagen N"), W.place, ["both live in {city}"]),
        (Profile(17, offers=("jobsearch", "language")), 2 * W.goal, ["can help with her goals: {goals}"]),
        (Profile(18, offers=("business",)), 0.0, []),
        (Profile(19, birth_year=1980), W.wish, ["the age she wished for ({age})"]),
        (Profile(20, birth_year=1990), 0.0, []),
        (Profile(21, city="Aarhus"), W.wish, ["her wishes mention {words}"]),
        (Profile(22, meetings_per_month=2), W.availability, ["can meet: {meetings}"]),
        (Profile(23, pairs=2), -2 * W.load, ["pairs this year already: {count}"]),
    ],
)
def test_each_reason_counts_its_weight(mentor: Profile, expected: float, reasons: list[str]) -> None:
    got = score(AMAL, mentor, W, year=YEAR)
    assert got.score == pytest.approx(expected)
    assert [r.msgid for r in got.reasons] == reasons


def test_reasons_add_up_best_first() -> None:
    mentor = Profile(30, line_of_work="health", languages=("ar",), city="Copenhagen", offers=("language",))
    got = score(AMAL, mentor, W, year=YEAR)
    assert got.score == pytest.approx(W.work + W.language + W.place + W.goal)
    points = [r.points for r in got.reasons]
    assert points == sorted(points, reverse=True)


def test_weights_are_settings() -> None:
    heavy = MatchWeights(work=10)
    assert score(AMAL, Profile(31, line_of_work="health"), heavy, year=YEAR).score == 10


@pytest.mark.parametrize(
    ("wishes", "ages"),
    [
        ("40-50", (40, 50)),
        ("بين 50 – 40", (40, 50)),
        ("about 45 years", (40, 50)),
        ("someone with children", None),
        ("born 1970", None),
        (None, None),
    ],
)
def test_wished_ages_are_read_in_any_script(wishes: str | None, ages: tuple[int, int] | None) -> None:
    assert wished_ages(wishes) == ages


def test_best_mentors_never_offers_a_declined_pair() -> None:
    mentors = [Profile(40, line_of_work="health"), Profile(41), Profile(42, city="Copenhagen")]
    ranked = best_mentors(AMAL, mentors, W, year=YEAR, declined={(1, 40)}, limit=5)
    assert [s.mentor for s in ranked] == [42, 41]
    assert [s.mentor for s in best_mentors(AMAL, mentors, W, year=YEAR, limit=1)] == [40]


def test_assignment_finds_the_hand_computed_optimum() -> None:
    """Greedy would give mentee 1 the work match (3) and leave mentee 2 with 0: total 3.

    The optimum gives mentee 1 the place match (2) and mentee 2 the work match (3): total 5.
    """
    e1 = Profile(1, line_of_work="health", city="Odense")
    e2 = Profile(2, line_of_work="health")
    m1 = Profile(11, line_of_work="health")
    m2 = Profile(12, city="Odense")
    result = assignment([e1, e2], [m1, m2], W, year=YEAR)
    assert {(s.mentee, s.mentor) for s in result} == {(1, 12), (2, 11)}
    assert sum(s.score for s in result) == pytest.approx(W.place + W.work)


def test_assignment_is_optimal_against_every_permutation() -> None:
    mentees = [
        Profile(1, line_of_work="it", languages=("ar",), city="Aarhus"),
        Profile(2, line_of_work="health", languages=("fa", "en")),
        Profile(3, languages=("uk",), city="Odense", goals=("language",)),
    ]
    mentors = [
        Profile(11, line_of_work="it", city="Odense", languages=("en",)),
        Profile(12, line_of_work="health", languages=("ar", "uk")),
        Profile(13, city="Aarhus", offers=("language",), languages=("fa",)),
        Profile(14, languages=("uk",), city="Odense"),
    ]
    best = max(
        sum(score(e, m, W, year=YEAR).score for e, m in zip(mentees, chosen, strict=True))
        for chosen in itertools.permutations(mentors, len(mentees))
    )
    result = assignment(mentees, mentors, W, year=YEAR)
    assert len(result) == 3 and len({s.mentor for s in result}) == 3
    assert sum(s.score for s in result) == pytest.approx(best)


def test_assignment_leaves_out_declined_pairs_even_if_nothing_else_is_left() -> None:
    result = assignment([Profile(1)], [Profile(11)], W, year=YEAR, declined={(1, 11)})
    assert result == []


@pytest.mark.parametrize(
    ("mentee", "mentor", "same"),
    [
        (Profile(1, city="copenhagen"), Profile(2, city="copenhagen"), True),
        (Profile(1, city="copenhagen"), Profile(2, city="aalborg"), False),
        # words typed for a place not on the list that name one on it
        (Profile(1, city="other", city_other="كوبنهاغن"), Profile(2, city="copenhagen"), True),
        (
            Profile(1, city="other", city_other="Helsingør"),
            Profile(2, city="other", city_other="helsingør C"),
            True,
        ),
        (Profile(1, city="other", city_other="Helsingør"), Profile(2, city="copenhagen"), False),
        (
            Profile(1, city="other", city_other="Nakskov"),
            Profile(2, city="other", city_other="Helsingør"),
            False,
        ),
        (Profile(1), Profile(2, city="copenhagen"), False),
    ],
)
def test_places_are_compared_by_code_not_spelling(mentee: Profile, mentor: Profile, same: bool) -> None:
    reasons = [r.msgid for r in score(mentee, mentor, W, year=YEAR).reasons]
    assert ("both live in {city}" in reasons) is same


def test_a_wish_names_the_mentors_city_in_her_own_language() -> None:
    mentee = Profile(1, wishes="شخص يعيش في كوبنهاغن")
    found = score(mentee, Profile(2, city="copenhagen"), W, year=YEAR).reasons
    assert [r.params for r in found if r.msgid == "her wishes mention {words}"] == [{"words": ["كوبنهاغن"]}]


def test_equal_scores_go_to_more_languages_in_common_then_the_mentor_waiting_longest() -> None:
    from datetime import UTC, datetime

    mentee = Profile(1, languages=("ar", "en", "fr"), city="Odense")
    early, late = datetime(2025, 3, 1, tzinfo=UTC), datetime(2025, 9, 1, tzinfo=UTC)
    mentors = [
        Profile(40, languages=("ar", "en"), city="Odense", waiting_since=late),
        Profile(41, languages=("ar", "en", "fr"), city="Odense", waiting_since=late),  # three in common
        Profile(42, languages=("ar", "en"), city="Odense", waiting_since=early),
        Profile(43, languages=("en", "fr"), city="Odense"),
    ]
    ranked = best_mentors(mentee, mentors, W, year=YEAR)
    assert {s.score for s in ranked} == {W.place + 2 * W.language}, "a four-way tie"
    assert [s.mentor for s in ranked] == [41, 42, 40, 43]


def test_the_best_possible_score_counts_every_goal_of_hers() -> None:
    best = W.work + W.education + 2 * W.language + W.place + 2 * W.goal + 2 * W.wish + W.availability
    assert best_possible(AMAL, W) == best
    perfect = Profile(
        50,
        line_of_work="health",
        education_field="nursing",
        languages=("ar", "en"),
        city="Copenhagen",
        birth_year=YEAR - 45,
        offers=("jobsearch", "language"),
        meetings_per_month=2,
    )
    assert score(AMAL, perfect, W, year=YEAR).score <= best
