"""Satisfaction survey services: settings and the department's own questions
(questions.py: officials, until the response is published), who may answer and when
(eligibility.py), answers (answers.py: eligible users, while the round is responded),
results (results.py: after the survey closes, for everyone); shared helpers in _common.py."""

from consult.questionnaires.services import parse_options  # noqa: F401
from consult.surveys.services._common import (  # noqa: F401
    EDITABLE_STATES,
    ensure_survey,
    get_survey,
    require_editable,
    require_manage,
)
from consult.surveys.services.answers import (  # noqa: F401
    CleanAnswer,
    answers_of,
    clean_answer,
    get_answer,
    list_written,
    record_answer,
    submit_answer,
    void_answer,
)
from consult.surveys.services.eligibility import (  # noqa: F401
    ELIGIBILITY_MESSAGES,
    SURVEY_REFUSALS,
    Eligibility,
    eligibility,
    is_participant,
    require_open,
)
from consult.surveys.services.questions import (  # noqa: F401
    add_question,
    delete_question,
    get_question,
    list_questions,
    move_question,
    set_settings,
    update_question,
)
from consult.surveys.services.results import (  # noqa: F401
    HEARD_COLOURS,
    SATISFACTION_COLOURS,
    SMALL_SAMPLE,
    TOO_FEW,
    Bar,
    QuestionResult,
    Results,
    get_results,
    results_visible,
    satisfied_count,
)
from consult.surveys.services.sampling import (  # noqa: F401
    choose,
    digest,
    draw_sample,
    population_of,
    samples_of,
)
