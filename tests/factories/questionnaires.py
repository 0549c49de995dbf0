"""A round's poll or survey questions."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.extensions import db
from consult.questionnaires.models import (
    Purpose,
    QuestionKind,
    Questionnaire,
    QuestionnaireOption,
    QuestionnaireQuestion,
)

POLL = [("您认为本办法最需要优先落实哪一项？", False, ["资金保障", "服务质量监管", "信息公开"]),
        ("您通过哪些渠道了解政策？", True, ["政府网站", "微信公众号", "社区公告栏"])]


def add_questionnaire(round_id: int, purpose, questions) -> list[tuple[int, list[int]]]:
    """A round's poll or survey questions straight into the tables (the services refuse
    once a round is open), committed: ``questions`` = [(text, kind, [option texts])].
    Returns [(question id, [option ids])] in order."""
    questionnaire = db.session.scalar(select(Questionnaire).where(
        Questionnaire.round_id == round_id, Questionnaire.purpose == purpose))
    if questionnaire is None:
        questionnaire = Questionnaire(round_id=round_id, purpose=purpose)
        db.session.add(questionnaire)
        db.session.flush()
    start = db.session.scalar(select(func.count(QuestionnaireQuestion.id)).where(
        QuestionnaireQuestion.questionnaire_id == questionnaire.id))
    out = []
    for position, (text, kind, options) in enumerate(questions, start=start + 1):
        question = QuestionnaireQuestion(
            questionnaire_id=questionnaire.id, position=position, text=text, kind=kind,
            options=[QuestionnaireOption(position=i + 1, text=t)
                     for i, t in enumerate(options)])
        db.session.add(question)
        db.session.flush()
        out.append((question.id, [o.id for o in question.options]))
    db.session.commit()
    return out


def add_poll(round_) -> None:
    """A single- and a multiple-choice question on a vote round (``POLL``), committed."""
    add_questionnaire(round_.id, Purpose.POLL, [
        (text, QuestionKind.MULTIPLE if multiple else QuestionKind.SINGLE, options)
        for text, multiple, options in POLL])
