"""Participation services: comments (comments.py) and questions (questions.py)."""

from consult.participation.services._common import (  # noqa: F401
    ANSWER_MAX,
    COMMENT_MAX,
    PROPOSAL_MAX,
    QUESTION_MAX,
)
from consult.participation.services.comments import (  # noqa: F401
    SORTS,
    STANCES,
    can_still_edit,
    clause_comment_counts,
    clause_of,
    comments_stmt,
    edit_comment,
    edit_window,
    get_comment,
    list_comments,
    post_comment,
    set_comment_support,
    sort_of,
    stance_counts,
    supported_ids,
    thread_context,
    top_proposals,
    withdraw_comment,
)
from consult.participation.services.questions import (  # noqa: F401
    FILTERS,
    INBOX_SORTS,
    answer_question,
    ask_question,
    get_question,
    list_questions,
    question_inbox,
    questions_stmt,
    set_question_support,
    supported_question_ids,
    waited,
)
