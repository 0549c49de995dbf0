"""Participation forms. They only collect input; the services validate it (422 beside
the field), so the messages are the same for pages, htmx and every other caller."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, RadioField, SelectField, TextAreaField

from consult.participation.models import COMMENT_STANCE_LABELS, CommentStance
from consult.participation.services import (
    ANSWER_MAX,
    COMMENT_MAX,
    PROPOSAL_MAX,
    QUESTION_MAX,
)
from consult.security.params import parse_int
from consult.web import BaseForm


def _optional_int(value):
    return parse_int(value)


class CommentForm(BaseForm):
    clause_id = SelectField(_l("Which part is your comment about?"), coerce=_optional_int,
                            validate_choice=False, choices=[])
    body = TextAreaField(
        _l("Your comment"),
        description=_l("Plain text, up to %(limit)d characters. Links are shown as links.",
                       limit=COMMENT_MAX))
    proposed_text = TextAreaField(
        _l("Proposed wording for the clause (optional)"),
        description=_l("Write the whole clause as you would like it to read. Everyone will "
                       "see the changes marked against the current text."))
    stance = RadioField(
        _l("Your stance (optional)"), validate_choice=False, default="",
        choices=[("", _l("No stance"))]
        + [(s.value, COMMENT_STANCE_LABELS[s]) for s in CommentStance])
    parent_id = HiddenField(filters=[_optional_int])
    confidential = BooleanField(
        _l("Only for the department"),
        description=_l("Your opinion is counted and answered, but its text is not published."))

    proposal_prefilled = False

    def start_proposal_from(self, clause) -> None:
        """The proposed-wording box starts from the clause's current text (the service
        treats it left unchanged as no proposal)."""
        if clause is not None and not self.proposed_text.data:
            self.proposed_text.data = clause.body
            self.proposal_prefilled = True

    def set_clauses(self, clauses, counts=None) -> None:
        counts = counts or {}
        self.clause_id.choices = [("", str(_l("The whole draft")))] + [
            (str(c.id), f"{c.number} {c.heading}".strip()) for c in clauses]


class ReplyForm(BaseForm):
    body = TextAreaField(_l("Your reply"),
                         description=_l("Plain text, up to %(limit)d characters.",
                                        limit=COMMENT_MAX))
    parent_id = HiddenField(filters=[_optional_int])


class EditCommentForm(BaseForm):
    body = TextAreaField(_l("Your comment"))
    proposed_text = TextAreaField(_l("Proposed wording for the clause (optional)"),
                                  description=_l("Up to %(limit)d characters.",
                                                 limit=PROPOSAL_MAX))
    stance = RadioField(
        _l("Your stance (optional)"), validate_choice=False, default="",
        choices=[("", _l("No stance"))]
        + [(s.value, COMMENT_STANCE_LABELS[s]) for s in CommentStance])


class SupportForm(BaseForm):
    supported = HiddenField(filters=[lambda v: str(v) == "1"])


class QuestionForm(BaseForm):
    body = TextAreaField(
        _l("Your question to the department"),
        description=_l("Ask one thing at a time, up to %(limit)d characters. The department "
                       "answers in public.", limit=QUESTION_MAX))


class AnswerForm(BaseForm):
    body = TextAreaField(_l("The department's answer"),
                         description=_l("Published at once, under your department's name. "
                                        "Up to %(limit)d characters.", limit=ANSWER_MAX))


class ConfirmForm(BaseForm):
    pass
