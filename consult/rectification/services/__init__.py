"""Rectification services: opening and working a case (cases.py), appeal and review
(appeals.py), escalation of overdue cases (escalation.py), lists and figures (reads.py);
shared helpers in _common.py."""

from consult.rectification.services._common import (  # noqa: F401
    DEFAULT_DAYS,
    count_rated,
    days_for,
    due_at,
    load_case,
)
from consult.rectification.services.appeals import appeal, decide  # noqa: F401
from consult.rectification.services.cases import (  # noqa: F401
    count_rating,
    is_bad,
    open_case,
    record_follow_up,
    rerate,
    resolution_choices,
    resolve,
    suggestion_rated,
)
from consult.rectification.services.escalation import escalate_overdue  # noqa: F401
from consult.rectification.services.export import as_json, to_csv  # noqa: F401
from consult.rectification.services.policy import deadlines_of, set_due_days  # noqa: F401
from consult.rectification.services.reads import (  # noqa: F401
    PUBLIC_FILTERS,
    WORKSPACE_FILTERS,
    Figures,
    appeals_to_review,
    case_view,
    department_figures,
    monthly_figures,
    my_cases,
    public_cases,
    workspace_cases,
)
