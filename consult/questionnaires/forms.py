"""The form that defines a question, and the builder of the answer fields.

``QuestionForm`` serves the poll and the survey editors: a purpose that offers single and
multiple choice only asks "may people choose more than one answer?" (a checkbox); one that
offers more kinds lists them (radios). ``answer_form`` adds one field per question
(``q<id>``) to a form of the owner's own (the vote, the survey answer): each holds the raw
values sent, which the questionnaire service checks and explains in our words, so a
service error lands beside its question and in the error summary like any other.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any, TypeVar

from flask import request
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, Field, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from consult.questionnaires.models import (
    QUESTION_TEXT_MAX,
    RULES,
    Purpose,
    QuestionKind,
    QuestionnaireQuestion,
)
from consult.questionnaires.services import Answers
from consult.web import BaseForm


class QuestionForm(BaseForm):
    text = StringField(_l("Question"), validators=[
        DataRequired(_l("Enter the question.")),
        Length(max=QUESTION_TEXT_MAX, message=_l(
            "The question can have at most %(max)d characters.", max=QUESTION_TEXT_MAX))])
    kind = RadioField(_l("Kind of answer"), default=QuestionKind.SINGLE.value,
                      validate_choice=False,
                      validators=[DataRequired(_l("Choose the kind of question."))])
    multiple = BooleanField(_l("People may choose more than one answer"))
    options = TextAreaField(_l("Answers, one per line"))

    def __init__(self, *args: Any, purpose: Purpose,
                 question: QuestionnaireQuestion | None = None, **kwargs: Any) -> None:
        if question is not None and request.method == "GET":
            # The editing page starts from the question; a post brings what was typed.
            kwargs.setdefault("data", {
                "text": question.text, "kind": question.kind.value,
                "multiple": question.multiple,
                "options": "\n".join(o.text for o in question.options)
                if question.kind.has_options else ""})
        super().__init__(*args, **kwargs)
        self.rules = RULES[purpose]
        self.kind.choices = [(k.value, k.label) for k in self.rules.kinds]
        if self.rules.choice_only:
            self.options.description = _l(
                "Between 2 and 10 answers, each at most 120 characters.")
            self.options.flags.required = True
        else:
            self.options.description = _l(
                "For single and multiple choice: between 2 and 10 answers, each at most "
                "120 characters. Leave empty for a scale or free text.")

    def validate(self, extra_validators=None) -> bool:
        if self.rules.choice_only:  # every question has options: say so before the service
            extra_validators = dict(extra_validators or {})
            extra_validators.setdefault("options", []).append(
                DataRequired(_l("Give at least 2 answers, one per line.")))
        return super().validate(extra_validators=extra_validators)

    def question_data(self) -> dict[str, Any]:
        """The question's ``text``, ``kind`` and ``options`` for the editing services."""
        if self.rules.choice_only:
            kind = QuestionKind.MULTIPLE if self.multiple.data else QuestionKind.SINGLE
        else:
            kind = self.kind.data
        return {"text": self.text.data, "kind": kind, "options": self.options.data}


class AnswerField(Field):
    """What was sent for one question, as sent (a list: a forged second value for a
    single-choice question must reach the service, which refuses it)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.data = list(valuelist)


class AnsweringForm(BaseForm):
    """A form of the owner's own fields, to be built with its questions by ``answer_form``."""

    questions: list[QuestionnaireQuestion]

    def answer_field(self, question: QuestionnaireQuestion) -> AnswerField:
        return self[f"q{question.id}"]

    def service_data(self, *exclude: str) -> dict[str, Any]:
        """The form's own fields (the answers go separately: ``answers()``)."""
        return super().service_data(*exclude, *(f"q{q.id}" for q in self.questions))

    def answers(self) -> dict[int, list[str]]:
        """{question id: the values sent} for the questionnaire service."""
        return {q.id: list(self.answer_field(q).data or ()) for q in self.questions}

    def fill(self, answers: Answers) -> None:
        """Start the answer fields from saved answers (changing a vote or an answer)."""
        values = answers.values()
        for q in self.questions:
            self.answer_field(q).data = values.get(q.id, [])


F = TypeVar("F", bound=AnsweringForm)


def answer_form(form_class: type[F], questions: Iterable[QuestionnaireQuestion],
                **kwargs: Any) -> F:
    """A ``form_class`` with one answer field per question (``q<id>``, after its own
    fields). The class is made per request: the questions are the round's."""
    questions = list(questions)
    built = _answer_form_class(form_class, tuple((q.id, q.text) for q in questions))(**kwargs)
    built.questions = questions
    return built


@lru_cache(maxsize=256)
def _answer_form_class(form_class: type[F], fields: tuple[tuple[int, str], ...]) -> type[F]:
    """The class for these questions (ids and texts), made once: making a form class costs
    more than the rest of a vote's form (a round without a poll uses ``form_class``)."""
    if not fields:
        return form_class
    return type(form_class.__name__, (form_class,),
                {f"q{question_id}": AnswerField(text, default=list)
                 for question_id, text in fields})
