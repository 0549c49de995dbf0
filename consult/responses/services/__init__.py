"""Response services: triage (triage.py), the response document (documents.py), follow-up
actions (actions.py) and public reads (public.py)."""

from consult.responses.services.actions import (  # noqa: F401
    add_action,
    get_action,
    record_progress,
    remove_action,
    today,
)
from consult.responses.services.documents import (  # noqa: F401
    add_erratum,
    compute_stats,
    draft_fingerprint,
    get_public_response,
    get_response,
    later_versions,
    publish_response,
    response_for_page,
    save_response,
    share,
)
from consult.responses.services.public import (  # noqa: F401
    Outcome,
    Outcomes,
    department_accountability,
    list_actions,
    list_overdue_rounds,
    my_opinions,
    outcomes_for,
    public_actions_stmt,
    published_triage,
)
from consult.responses.services.triage import (  # noqa: F401
    KEEP,
    STATUS_FILTERS,
    TriageFilters,
    bulk_triage,
    clauses_of,
    create_theme,
    get_theme,
    get_triage,
    lineage_choices,
    list_triage,
    merge_themes,
    progress_of,
    rename_theme,
    start_triage,
    themes_of,
    top_proposals,
    triage_opinion,
)
