"""Consultation rules: authoring (officials of the owning department), the working copy of
the draft, publishing immutable versions, and the public reads (lists, search, records).

Services authorize, validate and flush; the caller's transaction (``atomic()``) commits.
"""

from consult.consultations.services.authoring import (  # noqa: F401
    create_consultation,
    get_consultation_for_manage,
    get_for_manage,
    list_managed,
    managed_departments,
    publish_consultation,
    update_consultation,
    versions_of,
)
from consult.consultations.services.common import (  # noqa: F401
    LIMITS,
    MAX_CLAUSE_BODY,
    MAX_CLAUSES,
    MAX_TAGS,
    PER_PAGE,
    normalize_tags,
    tags_named,
)
from consult.consultations.services.drafts import (  # noqa: F401
    add_clause,
    article,
    chinese_number,
    delete_clause,
    get_working_clause,
    import_clauses,
    move_clause,
    parse_clauses,
    parse_draft,
    pending_changes,
    preview_version,
    publish_version,
    restore_working_copy,
    suggest_number,
    update_clause,
    working_copy,
)
from consult.consultations.services.reads import (  # noqa: F401
    compare,
    filter_choices,
    get_department,
    get_public_consultation,
    get_version,
    search_terms,
    version_clauses,
)
