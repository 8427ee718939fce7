"""Questionnaires: one per person, pair and kind, and their answers question by question."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from storage.models import Pair, Person, Survey, SurveyAnswer


def open_for(session: Session, *, pair: Pair, person: Person, kind: str, now: datetime) -> Survey:
    """Her questionnaire of this kind for this pair, made when first sent."""
    survey = session.exec(
        select(Survey).where(Survey.pair_id == pair.id, Survey.person_id == person.id, Survey.kind == kind)
    ).first()
    if survey is None:
        survey = Survey(pair_id=pair.id or 0, person_id=person.id or 0, kind=kind, sent_at=now)
        session.add(survey)
        session.flush()
    return survey


def save(session: Session, *, survey: Survey, answers: dict[str, Any], now: datetime) -> None:
    """Store each answer as its own row (a skipped question is stored as null)."""
    for question, value in answers.items():
        session.add(SurveyAnswer(survey_id=survey.id or 0, question=question, value=value))
    survey.answered_at = now
    session.add(survey)


def of_pair(session: Session, *, pair_id: int) -> Sequence[Survey]:
    """Every questionnaire sent to a pair, in the order sent."""
    return session.exec(select(Survey).where(Survey.pair_id == pair_id).order_by(col(Survey.id))).all()


def unanswered(session: Session) -> Sequence[Survey]:
    """Questionnaires sent and not answered, the oldest first."""
    return session.exec(
        select(Survey).where(col(Survey.answered_at).is_(None)).order_by(col(Survey.sent_at))
    ).all()


def answers_of(session: Session, *, survey_id: int) -> dict[str, Any]:
    """A questionnaire's answers by question."""
    rows = session.exec(select(SurveyAnswer).where(SurveyAnswer.survey_id == survey_id)).all()
    return {row.question: row.value for row in rows}
