"""Agenda suggestions: submit, support, comment, answer, transfer, route, rate.

Services authorize with the named rules of ``permissions.py`` (403), check state
(409), validate (422 with ``field=``), flush but never commit. Deadlines live in
``suggestions/deadlines.py``; the notifications domain hears of answers through
``signals.suggestion_answered``.

One module per concern: ``reading``, ``submitting``, ``answering``, sharing ``_common``."""

from consult.suggestions.services._common import (  # noqa: F401
    COMMENTS_PER_PAGE,
    LIMITS,
    MAX_LINK_LENGTH,
    MAX_LINKS,
    MIN_TITLE,
    PER_PAGE,
    SIMILAR_LIMIT,
    SIMILAR_MAX_TERMS,
    SORTS,
    UNROUTED,
    clean_links,
    get_department_by_slug,
    get_suggestion,
    managed_departments,
    require_submitter,
)
from consult.suggestions.services.answering import (  # noqa: F401
    ANSWERS,
    TRANSFER,
    answer_suggestion,
    open_for_official,
    policies,
    rate_answer,
    route_suggestion,
    set_reply_days,
    unrouted,
    void_rating,
)
from consult.suggestions.services.reading import (  # noqa: F401
    Detail,
    SuggestionRecord,
    active_departments,
    answer_consultations,
    department_suggestion_record,
    filter_choices,
    has_supported,
    list_suggestions,
    similar_suggestions,
    suggestion_detail,
    suggestions_answered_by,
    title_terms,
)
from consult.suggestions.services.submitting import (  # noqa: F401
    add_comment,
    add_support,
    start_clock,
    submit_suggestion,
    toggle_support,
)
