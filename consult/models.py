"""Every domain's models and permission rules, imported in one place, so that the app
(``create_app``), Alembic, the shell and the tests see the whole schema and every rule.
A new domain adds its two lines here."""

from consult import uploads
from consult.accounts import models as accounts_models
from consult.accounts import permissions as accounts_permissions
from consult.analysis import models as analysis_models
from consult.analysis import permissions as analysis_permissions
from consult.audit import models as audit_models
from consult.channels import models as channels_models
from consult.channels import permissions as channels_permissions
from consult.consultations import models as consultations_models
from consult.consultations import permissions as consultations_permissions
from consult.evaluation import permissions as evaluation_permissions
from consult.moderation import models as moderation_models
from consult.moderation import permissions as moderation_permissions
from consult.notifications import models as notifications_models
from consult.notifications import permissions as notifications_permissions
from consult.participation import models as participation_models
from consult.participation import permissions as participation_permissions
from consult.questionnaires import models as questionnaires_models
from consult.rectification import models as rectification_models
from consult.rectification import permissions as rectification_permissions
from consult.responses import models as responses_models
from consult.responses import permissions as responses_permissions
from consult.rounds import models as rounds_models
from consult.rounds import permissions as rounds_permissions
from consult.statutory import models as statutory_models
from consult.suggestions import models as suggestions_models
from consult.suggestions import permissions as suggestions_permissions
from consult.surveys import models as surveys_models
from consult.surveys import permissions as surveys_permissions
from consult.voting import models as voting_models
from consult.voting import permissions as voting_permissions
from consult.workspace import models as workspace_models
from consult.workspace import permissions as workspace_permissions

MODULES = (uploads, accounts_models, accounts_permissions, analysis_models,
           analysis_permissions, audit_models, channels_models, channels_permissions,
           consultations_models, consultations_permissions,
           evaluation_permissions, moderation_models, moderation_permissions,
           notifications_models, notifications_permissions, participation_models,
           participation_permissions, questionnaires_models, responses_models,
           responses_permissions, rounds_models, rounds_permissions, suggestions_models,
           suggestions_permissions, surveys_models, surveys_permissions, voting_models,
           voting_permissions, rectification_models, rectification_permissions,
           workspace_models, workspace_permissions, statutory_models)
