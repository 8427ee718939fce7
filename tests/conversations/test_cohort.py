"""A cohort of 24 pairs through a whole programme year, moved day by day with the fake clock.

Scripts, in several languages: some complete everything, some decline after the first meeting,
some end early with a month's notice, some never answer a follow-up or the evaluation. Every
day at 10:30 in Copenhagen the sweep runs; what each woman receives, and what /overdue lists,
is checked on its day.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from conversations import overdue, pairing, timeline, year
from conversations.sweep import sweep
from storage import pairs
from storage.models import Pair
from tests.conftest import COORDINATOR, Harness
from tests.conversations.test_pairing import ready

START = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
MENTEE_LANGUAGES = ("ar", "fa", "uk", "so", "tr", "en")
MENTOR_LANGUAGES = ("da", "ru", "en", "da", "ar", "uk")
COMPLETE, DECLINE, EARLY, SILENT = "complete", "decline", "early", "silent"
SCRIPTS = (COMPLETE, DECLINE, EARLY, SILENT)
NOTICE_DAY = 100


@dataclass
class Member:
    pair_id: int
    script: str
    mentee: int  # Telegram ids
    mentor: int
    meeting_day: int
    confirmed: datetime | None = None


def day_of(moment: datetime) -> int:
    return (moment - START).days


class Cohort:
    def __init__(self, h: Harness) -> None:
        self.h = h
        self.inbox: dict[int, list[tuple[int, str]]] = defaultdict(list)  # chat -> (day, text)
        self.overdue: dict[str, int] = {}  # overdue item -> the first day it was listed
        self.members: list[Member] = []

    def tr(self, chat: int):  # type: ignore[no-untyped-def]
        return self.h.i18n.translator(self.h.users[chat].language_code)

    async def setup(self, count: int) -> None:
        h = self.h
        await h.send(COORDINATOR, "/start", language="en")
        for i in range(count):
            mentee = ready(h, 20000 + i, f"Mentee{i}", MENTEE_LANGUAGES[i % 6], "mentee")
            mentor = ready(h, 30000 + i, f"Mentor{i}", MENTOR_LANGUAGES[i % 6], "mentor")
            await h.send(COORDINATOR, f"/propose {mentee.short_id} {mentor.short_id}")
            self.members.append(Member(i + 1, SCRIPTS[i % 4], 20000 + i, 30000 + i, meeting_day=5 + i % 3))
        with h.db.session() as session:  # the first meetings, agreed (the path is tested in test_pairing.py)
            for member in self.members:
                pair = pairs.get(session, pair_id=member.pair_id)
                pair.meeting_at = START + timedelta(days=member.meeting_day, hours=-1)
                pair.meeting_agreed_at = START + timedelta(days=1)
        await h.sender.drain()

    async def day(self, number: int) -> None:
        """One day: the sweep, then what the women do that day."""
        h = self.h
        h.clock.advance(START + timedelta(days=number) - h.clock.now())
        before = len(h.session.calls)
        sweep(h.db, h.clock, h.i18n, h.coordinators)
        await h.sender.drain()
        self._record(number, before)
        before = len(h.session.calls)
        for member in self.members:
            await self._act(member, number)
        self._record(number, before)
        with h.db.session() as session:
            for item in overdue.items(session, now=h.clock.now()):
                self.overdue.setdefault(item.key, number)

    def _record(self, number: int, since: int) -> None:
        for call in self.h.session.calls[since:]:
            if type(call).__name__ == "SendMessage":
                self.inbox[call.chat_id].append((number, call.text))

    async def _act(self, member: Member, number: int) -> None:
        h = self.h
        for chat in (member.mentee, member.mentor):
            if not self.inbox[chat] or self.inbox[chat][-1][0] != number:
                continue  # nothing new today
            tr = self.tr(chat)
            last = h.messages(chat)[-1]
            labels = last.labels
            if tr.gettext(pairing.CONTINUE) in labels:
                wants = not (member.script == DECLINE and chat == member.mentee)
                await h.tap(chat, tr.gettext(pairing.CONTINUE if wants else pairing.STOP))
                if not wants:
                    await h.tap(chat, tr.gettext("Skip ▶"))
                if member.confirmed is None and self._pair(member).status == "confirmed":
                    member.confirmed = h.clock.now()
            elif {tr.gettext(year.ANSWER), tr.gettext(year.ANSWER_EVALUATION)} & set(
                labels
            ) and member.script != SILENT:
                await self._answer(chat, tr, labels[0])
            elif tr.gettext("📣 Stay in the network and hear about events") in labels:
                await h.tap(chat, tr.gettext("📣 Stay in the network and hear about events"))
        if member.script == EARLY and number == NOTICE_DAY:
            tr = self.tr(member.mentor)
            await h.send(member.mentor, "/endmatch")
            await h.tap(member.mentor, tr.gettext("The relationship has no more to give"))
            await h.done(member.mentor)
            await h.tap(member.mentor, "✅")

    async def _answer(self, chat: int, tr, button: str) -> None:  # type: ignore[no-untyped-def]
        h = self.h
        await h.tap(chat, button)
        question = h.last_with_buttons(chat)
        if tr.gettext("Some progress") in question.labels:  # a follow-up
            await h.tap(chat, tr.gettext("Some progress"))
            await h.tap(chat, tr.gettext("Once a month or more"))
            await h.tap(chat, tr.gettext("Skip ▶"))
            await h.tap(chat, tr.gettext("No"))
        else:  # the evaluation: the first choice of each question, no comment
            while not any("✅" in label for label in h.last_with_buttons(chat).labels):
                current = h.last_with_buttons(chat)
                if tr.gettext("Done") in current.labels:
                    await h.press(chat, current.buttons[0][0][1], current.message_id)
                    await h.done(chat)
                elif tr.gettext("Skip ▶") in current.labels and len(current.labels) <= 2:
                    await h.tap(chat, tr.gettext("Skip ▶"))
                else:
                    await h.press(chat, current.buttons[0][0][1], current.message_id)
        await h.tap(chat, "✅")

    def _pair(self, member: Member) -> Pair:
        with self.h.db.session() as session:
            return pairs.get(session, pair_id=member.pair_id)

    def days_with(self, chat: int, text: str) -> list[int]:
        """The days on which she received this message."""
        return [day for day, got in self.inbox[chat] if got == text]


async def test_a_cohort_year(harness: Harness) -> None:
    h = harness
    cohort = Cohort(h)
    await cohort.setup(20)
    for number in range(0, 420):
        await cohort.day(number)

    for member in cohort.members:
        both = (member.mentee, member.mentor)
        pair = cohort._pair(member)
        for chat in both:
            tr = cohort.tr(chat)
            asked = tr.gettext(
                "How was your first meeting with {partner}? Would you like to continue as mentor and mentee?\n\n"
                "Your answer goes only to the coordinator; {partner} will not see it.",
                partner=("Mentor" if chat == member.mentee else "Mentee") + str(member.pair_id - 1),
            )
            assert cohort.days_with(chat, asked) == [member.meeting_day + 1], (member, "asked the day after")
        if member.script == DECLINE:
            assert pair.status == "declined"
            for chat in both:
                after = [day for day, _ in cohort.inbox[chat] if day > member.meeting_day + 1]
                assert after == [], (member, "nothing more after the decline")
            continue
        assert member.confirmed is not None and day_of(member.confirmed) == member.meeting_day + 1
        c = member.confirmed
        three = day_of(timeline.add_months(c, 3))
        nine = day_of(timeline.add_months(c, 9))
        twelve = day_of(timeline.add_months(c, 12))
        for chat in both:
            tr = cohort.tr(chat)
            partner = ("Mentor" if chat == member.mentee else "Mentee") + str(member.pair_id - 1)
            followup3 = year.followup_text(tr, timeline.step(timeline.FIRST_FOLLOWUP), partner)
            followup9 = year.followup_text(tr, timeline.step(timeline.SECOND_FOLLOWUP), partner)
            reminder = tr.gettext(year.FOLLOWUP_REMINDER)
            evaluation_reminder = tr.gettext(year.EVALUATION_REMINDER)
            assert cohort.days_with(chat, followup3) == [three], (member, chat)
            if member.script == EARLY:
                ends = timeline.add_months(START + timedelta(days=NOTICE_DAY), 1)
                early = tr.gettext(year.EARLY_END_TEXT, partner=partner, day=tr.date(ends))
                assert cohort.days_with(chat, followup9) == [], "no 9-month follow-up after notice"
                assert cohort.days_with(chat, early) == [day_of(ends - timedelta(weeks=1))]
                assert (
                    pair.status == "ended"
                    and pair.ended_at is not None
                    and day_of(pair.ended_at) == day_of(ends)
                )
                continue
            assert cohort.days_with(chat, followup9) == [nine]
            end_text = tr.gettext(year.END_TEXT, partner=partner, **timeline.in_words(tr.locale))
            assert cohort.days_with(chat, end_text) == [twelve]
            if member.script == SILENT:
                assert cohort.days_with(chat, reminder) == [three + 14, nine + 14]
                assert cohort.days_with(chat, evaluation_reminder) == [twelve + 14, twelve + 21]
            else:
                assert (
                    cohort.days_with(chat, reminder) == []
                    and cohort.days_with(chat, evaluation_reminder) == []
                )
                assert cohort.days_with(chat, tr.gettext(year.WHAT_NEXT)) == [twelve]
        assert pair.status == "ended"
        if member.script == SILENT:
            with h.db.session() as session:
                keys = {s.kind: s.id for s in year.surveys.of_pair(session, pair_id=member.pair_id)}
            assert keys, "her questionnaires were stored"
            followups = [key for key in cohort.overdue if key.startswith("first_followup:")]
            assert any(cohort.overdue[key] == three + 21 for key in followups)
            assert cohort.overdue[f"evaluation:{member.pair_id}"] == twelve + 28, (
                "call the pair, four weeks after"
            )
        else:
            assert f"evaluation:{member.pair_id}" not in cohort.overdue
    languages = {h.users[m.mentee].language_code for m in cohort.members}
    assert len(cohort.members) >= 20 and len(languages) >= 5


async def test_follow_ups_moved_to_4_and_8_months_in_one_place(harness: Harness, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The programme says when; nothing else knows the months, and nothing stored needs migrating."""
    moved = timeline.moved(
        timeline.PROGRAMME,
        first_followup=timeline.Span(months=4),
        second_followup=timeline.Span(months=8),
    )
    monkeypatch.setattr(timeline, "PROGRAMME", moved)  # the one place
    h = harness
    cohort = Cohort(h)
    await cohort.setup(8)
    for number in range(0, 405):  # to the evaluation overdue of the last pair
        await cohort.day(number)

    first, second = timeline.followups()
    for member in cohort.members:
        if member.script == DECLINE:
            continue
        assert member.confirmed is not None
        c = member.confirmed
        four, eight = day_of(timeline.add_months(c, 4)), day_of(timeline.add_months(c, 8))
        for chat in (member.mentee, member.mentor):
            tr = cohort.tr(chat)
            partner = ("Mentor" if chat == member.mentee else "Mentee") + str(member.pair_id - 1)
            at_four = year.followup_text(tr, first, partner)
            at_eight = year.followup_text(tr, second, partner)
            assert tr.gettext(timeline.Span(months=4).text(tr.locale)) in at_four, "in her words"
            if member.script == EARLY:  # notice on day 100: the evaluation (day 124) comes before 4 months
                assert cohort.days_with(chat, at_four) == cohort.days_with(chat, at_eight) == []
                continue
            assert cohort.days_with(chat, at_four) == [four], (member, chat)
            assert cohort.days_with(chat, at_eight) == [eight], (member, chat)
            if member.script == SILENT:
                reminder = tr.gettext(year.FOLLOWUP_REMINDER)
                assert cohort.days_with(chat, reminder) == [four + 14, eight + 14]
            nothing_at = {day_of(timeline.add_months(c, 3)), day_of(timeline.add_months(c, 9))}
            assert not [day for day, _ in cohort.inbox[chat] if day in nothing_at], "nothing at 3 or 9 months"
        with h.db.session() as session:
            kinds = {s.kind for s in year.surveys.of_pair(session, pair_id=member.pair_id)}
        everything = {"first_followup", "second_followup", "evaluation"}
        expected = {"evaluation"} if member.script == EARLY else everything
        assert kinds == expected, "stored under the stable names"
        if member.script == SILENT:
            assert f"evaluation:{member.pair_id}" in cohort.overdue
            assert any(
                cohort.overdue[key] == four + 21
                for key in cohort.overdue
                if key.startswith("first_followup:")
            )
    # The coordinator's view reads the same declaration.
    text = (await h.send(COORDINATOR, "/pair M-1"))[-1].text
    assert "Follow-up at 4 months" in text and "Follow-up at 8 months" in text
