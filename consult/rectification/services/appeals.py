"""Appeal and review (申诉复核): the department appeals a rating it thinks mistaken or
abusive; an evaluator (never of that department) upholds it or voids it, with a public
reason. A voided rating leaves the survey's counters (so the scores) in the same
transaction, and is listed with the reason."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l

from consult import audit
from consult.accounts.models import Actor
from consult.clock import now
from consult.db import db
from consult.errors import Conflict, ValidationFailed
from consult.rectification.models import NOTE_MAX, CaseStatus, Outcome, RectificationCase
from consult.rectification.services._common import count, require_status
from consult.security.input import clean_text
from consult.security.permissions import authorize
from consult.suggestions.services import void_rating
from consult.surveys.services import void_answer


def appeal(actor: Actor, case: RectificationCase, *, reason: str | None,
           at: datetime | None = None) -> RectificationCase:
    """Once per case, while it awaits follow-up; the deadline keeps running."""
    authorize(actor, "rectification.manage", case)
    if case.appealed_at is not None:
        raise Conflict(_l("This rating has been appealed already: a rating is reviewed "
                          "once."))
    require_status(case, CaseStatus.OPEN,
                   message=_l("Only a case awaiting follow-up can be appealed."))
    reason = clean_text(reason, field="reason", limit=NOTE_MAX,
                        empty=_l("Say why the rating is mistaken or abusive."))
    case.appeal_reason, case.appealed_at, case.appealed_by_id = reason, at or now(), actor.id
    case.status = CaseStatus.APPEALED
    count(case.department_id, case.month, appealed=1)
    audit.record(actor, "rectification.appeal", case, reason=reason)
    db.session.flush()
    return case


def decide(actor: Actor, case: RectificationCase, *, outcome: Any,
           reason: str | None, at: datetime | None = None) -> RectificationCase:
    """Uphold (the case goes on where it was) or void (the rating leaves the scores)."""
    authorize(actor, "rectification.review", case)
    require_status(case, CaseStatus.APPEALED,
                   message=_l("This case has no appeal waiting for a decision."))
    try:
        result = Outcome(str(outcome or ""))
    except ValueError:
        raise ValidationFailed(_l("Choose whether the rating stands or is voided."),
                               field="outcome") from None
    reason = clean_text(reason, field="reason", limit=NOTE_MAX,
                        empty=_l("Give the public reason for the decision."))
    at = at or now()
    case.appeal_outcome, case.decision_reason = result, reason
    case.decided_at, case.decided_by_id = at, actor.id
    if result == Outcome.VOIDED:
        case.status = CaseStatus.VOIDED
        if case.answer_id is not None:
            void_answer(case.answer_id, at=at)
        elif case.suggestion_id is not None:
            void_rating(case.suggestion_id, case.suggestion_answer_id, at=at)
        count(case.department_id, case.month, voided=1)
    else:
        case.status = CaseStatus.OPEN
    audit.record(actor, "rectification.decide", case, outcome=result.value, reason=reason)
    db.session.flush()
    return case
