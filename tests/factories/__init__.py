"""Test data: a factory_boy factory per model the tests make directly, and named builders
for the bigger worlds. Everything is importable from ``tests.factories``.

- ``accounts``: departments, users with roles (``UserFactory(role="official",
  role__department=dept)``), ``with_roles`` and ``fresh`` to reload a user;
- ``consultations``: consultations, versions with clauses, rounds in each state
  (traits ``scheduled``, ``closed``, ``overdue``) and the builders ``closed_round``,
  ``responded_round``, ``evaluated_round``;
- ``questionnaires``: a round's poll or survey questions (``add_poll``);
- ``participation``: comments, questions, answers and sensitive terms straight into the
  tables (``comment``, ``question``, ``add_word``);
- ``responses``: a published response and its follow-up actions;
- ``surveys``: participants and survey answers through the services, ``rate`` (which opens
  a rectification case);
- ``suggestions``: ``make_suggestion`` through the services;
- ``channels``: the days the channels' forms take;
- ``worlds``: the moderation world (people in every role) and the scores world.
"""

from tests.factories.accounts import DepartmentFactory, UserFactory, fresh, with_roles
from tests.factories.base import PASSWORD, PASSWORD_HASH, Base
from tests.factories.channels import today, yesterday
from tests.factories.consultations import (
    ConsultationFactory,
    DraftVersionFactory,
    RoundFactory,
    clause_ids,
    closed_round,
    evaluated_round,
    load_round,
    responded_round,
)
from tests.factories.participation import (
    AnswerFactory,
    CommentFactory,
    QuestionFactory,
    SensitiveTermFactory,
    add_word,
    comment,
    question,
)
from tests.factories.questionnaires import POLL, add_poll, add_questionnaire
from tests.factories.responses import FollowUpActionFactory, RoundResponseFactory
from tests.factories.suggestions import make_suggestion
from tests.factories.surveys import participate, rate, survey_answer
from tests.factories.worlds import (
    ModerationWorld,
    answer_question,
    ask_question,
    moderation_item,
    moderation_world,
    post_comment,
    scores_world,
)

__all__ = [
    "PASSWORD", "PASSWORD_HASH", "POLL", "AnswerFactory", "Base", "CommentFactory",
    "ConsultationFactory", "DepartmentFactory", "DraftVersionFactory", "FollowUpActionFactory",
    "ModerationWorld", "QuestionFactory", "RoundFactory", "RoundResponseFactory",
    "SensitiveTermFactory", "UserFactory", "add_poll", "add_questionnaire", "add_word",
    "answer_question", "ask_question", "clause_ids", "closed_round", "comment",
    "evaluated_round", "fresh", "load_round", "make_suggestion", "moderation_item",
    "moderation_world", "participate", "post_comment", "question", "rate",
    "responded_round", "scores_world", "survey_answer", "today", "with_roles", "yesterday",
]
