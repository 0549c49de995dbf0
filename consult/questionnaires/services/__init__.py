"""Questionnaire services: reading a round's questions (_common.py), defining them
(editing.py), answering them (answering.py) and their results (results.py).

They hold the mechanics and the checks of what was typed; the domain that owns a
questionnaire (voting, surveys) decides who may and when, then calls them."""

from consult.questionnaires.services._common import (  # noqa: F401
    get_question,
    list_questions,
)
from consult.questionnaires.services.answering import (  # noqa: F401
    Answers,
    Counts,
    clean_answers,
    move_counts,
    read_answers,
    save_answers,
    summarize,
)
from consult.questionnaires.services.editing import (  # noqa: F401
    add_question,
    clean_kind,
    clean_question_text,
    delete_question,
    ensure_questionnaire,
    move_question,
    parse_options,
    update_question,
)
from consult.questionnaires.services.results import (  # noqa: F401
    Bar,
    QuestionResult,
    question_results,
    share,
)
