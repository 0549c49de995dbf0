"""Imports every domain's models and permission rules (for Alembic, the shell and tests).

Each domain adds its own lines in its own block, in the import order of the
architecture guide (core, accounts, consultations, rounds, participation, ...).
"""

# core and accounts
from consult.accounts import permissions as _accounts_permissions  # noqa: F401
from consult.accounts.models import Department, Role, RoleAssignment, User  # noqa: F401
from consult.audit.models import AuditEntry  # noqa: F401

# consultations
from consult.consultations import permissions as _consultations_permissions  # noqa: F401
from consult.consultations.models import (  # noqa: F401
    Clause,
    ClauseLineage,
    Consultation,
    DraftVersion,
    Tag,
    WorkingClause,
)

# rounds
from consult.rounds import permissions as _rounds_permissions  # noqa: F401
from consult.rounds.models import Round, RoundExtension, RoundParticipant  # noqa: F401

# participation
from consult.participation import permissions as _participation_permissions  # noqa: F401
from consult.participation.models import (  # noqa: F401
    Answer,
    Comment,
    CommentSupport,
    Question,
    QuestionSupport,
)

# questionnaires
from consult.questionnaires.models import (  # noqa: F401
    AnswerChoice,
    AnswerText,
    Questionnaire,
    QuestionnaireOption,
    QuestionnaireQuestion,
)

# voting
from consult.voting import permissions as _voting_permissions  # noqa: F401
from consult.voting.models import Ballot, VoteTally  # noqa: F401

# notifications
from consult.notifications import permissions as _notifications_permissions  # noqa: F401
from consult.notifications.models import (  # noqa: F401
    Follow,
    Notification,
    NotificationPreference,
)

# suggestions
from consult.suggestions import permissions as _suggestions_permissions  # noqa: F401, E402
from consult.suggestions.models import (  # noqa: F401, E402
    Suggestion,
    SuggestionAssignment,
    SuggestionComment,
    SuggestionEvent,
    SuggestionPolicy,
    SuggestionRating,
    SuggestionSupport,
)

# responses
from consult.responses import permissions as _responses_permissions  # noqa: F401
from consult.responses.models import (  # noqa: F401
    ActionUpdate,
    Erratum,
    FollowUpAction,
    RoundResponse,
    Theme,
    Triage,
)

# surveys
from consult.surveys import permissions as _surveys_permissions  # noqa: F401, E402
from consult.surveys.models import Survey, SurveyAnswer  # noqa: F401, E402

# moderation
from consult.moderation import permissions as _moderation_permissions  # noqa: F401, E402
from consult.moderation.models import (  # noqa: F401, E402
    Flag,
    ModerationCase,
    SensitiveTerm,
)

# analytics: opinion analysis
from consult.analytics.opinions import permissions as _analysis_permissions  # noqa: F401, E402
from consult.analytics.opinions.models import AnalysisResult  # noqa: F401, E402

# evaluation
from consult.evaluation import permissions as _evaluation_permissions  # noqa: F401, E402
