"""Who may define a round's survey and who may answer it ("when" is the lifecycle's).

Eligibility beyond a verified address (participant of the round, or any verified user
when the officials opened the survey) needs the database, so the answer service checks it
with its own message after this rule.
"""

from __future__ import annotations

from consult.accounts.models import Role
from consult.security.permissions import can_act, has_role, is_official_of, rule


@rule("survey.manage")
def _manage(user, round_=None) -> bool:
    """Officials of the round's department set who may answer and the custom questions."""
    return round_ is not None and is_official_of(user, round_.consultation.department_id)


@rule("survey.answer")
def _answer(user, round_=None) -> bool:
    """Active users with a verified e-mail address, not suspended (then: eligible), who do
    not work for the department whose response the survey rates."""
    return can_act(user) and user.is_verified and not (
        round_ is not None and is_official_of(user, round_.consultation.department_id))


@rule("survey.sample")
def _sample(user, round_=None) -> bool:
    """Evaluators (and admins) draw random follow-up samples (随机回访)."""
    return has_role(user, Role.EVALUATOR) or has_role(user, Role.ADMIN)
