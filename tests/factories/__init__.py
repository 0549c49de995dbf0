"""Test data: a factory_boy factory per model the tests make directly, and named builders
for the bigger worlds. Everything is importable from ``tests.factories``.

- ``accounts``: departments, users with roles (``UserFactory(role="official",
  role__department=dept)``), one more role for a user (``RoleAssignmentFactory``),
  ``with_roles`` and ``fresh`` to reload a user;
- ``consultations``: consultations, versions with clauses, rounds in each state
  (traits ``scheduled``, ``closed``, ``overdue``), their participants and extensions, and
  the builders ``closed_round``, ``responded_round``, ``evaluated_round``;
- ``questionnaires``: a round's poll or survey questions (``add_poll``);
- ``participation``: comments, questions, answers and sensitive terms straight into the
  tables (``comment``, ``question``, ``add_word``);
- ``responses``: a published response, its errata and its follow-up actions;
- ``surveys``: a survey's row, participants and survey answers through the services,
  ``rate`` (which opens a rectification case), a department's deadline for such cases;
- ``suggestions``: ``make_suggestion`` through the services;
- ``channels``: the days the channels' forms take, hearings and applications to them, the
  private record of an opinion received offline;
- ``voting``: ballots; ``moderation``: flags and queue cases; ``notifications``: follows
  and digest choices; ``workspace``: reply templates; ``records``: audit entries and
  analysis jobs;
- ``worlds``: the moderation world (people in every role), the scores world and a draft
  with chapters (``chaptered_draft``, ``rechaptered_version``).
"""

from tests.factories.accounts import (
    DepartmentFactory,
    RoleAssignmentFactory,
    UserFactory,
    fresh,
    with_roles,
)
from tests.factories.base import PASSWORD, PASSWORD_HASH, Base
from tests.factories.channels import (
    HearingApplicationFactory,
    HearingFactory,
    OpinionRecordFactory,
    today,
    yesterday,
)
from tests.factories.consultations import (
    ConsultationFactory,
    DraftVersionFactory,
    RoundExtensionFactory,
    RoundFactory,
    RoundParticipantFactory,
    clause_ids,
    closed_round,
    evaluated_round,
    load_round,
    responded_round,
)
from tests.factories.moderation import FlagFactory, ModerationCaseFactory
from tests.factories.notifications import DigestSettingFactory, FollowFactory
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
from tests.factories.records import AnalysisResultFactory, AuditEntryFactory
from tests.factories.responses import (
    ErratumFactory,
    FollowUpActionFactory,
    RoundResponseFactory,
)
from tests.factories.suggestions import make_suggestion
from tests.factories.surveys import (
    RectificationPolicyFactory,
    SurveyFactory,
    participate,
    rate,
    survey_answer,
)
from tests.factories.voting import BallotFactory
from tests.factories.workspace import ReplyTemplateFactory
from tests.factories.worlds import (
    CHAPTERS_DRAFT,
    ModerationWorld,
    answer_question,
    ask_question,
    chaptered_draft,
    moderation_item,
    moderation_world,
    post_comment,
    rechaptered_version,
    scores_world,
)

__all__ = [
    "AnalysisResultFactory", "AnswerFactory", "AuditEntryFactory", "BallotFactory", "Base",
    "CHAPTERS_DRAFT", "CommentFactory", "ConsultationFactory", "DepartmentFactory",
    "DigestSettingFactory", "DraftVersionFactory", "ErratumFactory", "FlagFactory",
    "FollowFactory", "FollowUpActionFactory", "HearingApplicationFactory", "HearingFactory",
    "ModerationCaseFactory", "ModerationWorld", "OpinionRecordFactory", "PASSWORD",
    "PASSWORD_HASH", "POLL", "QuestionFactory", "ReplyTemplateFactory",
    "RectificationPolicyFactory", "RoleAssignmentFactory", "RoundExtensionFactory", "RoundFactory",
    "RoundParticipantFactory", "RoundResponseFactory", "SensitiveTermFactory", "SurveyFactory",
    "UserFactory", "add_poll", "add_questionnaire", "add_word", "answer_question",
    "ask_question", "chaptered_draft", "clause_ids", "closed_round", "comment",
    "evaluated_round", "fresh", "load_round", "make_suggestion", "moderation_item",
    "moderation_world", "participate", "post_comment", "question", "rate",
    "rechaptered_version", "responded_round", "scores_world", "survey_answer", "today",
    "with_roles", "yesterday",
]
