"""PostgreSQL: threads giving and changing survey answers for the same users at once (two
tabs, double clicks, many respondents). Answers stay one per user, every counter equals a
recount of the rows, and no request fails with a 500."""

from __future__ import annotations

import random
import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult.clock import now
from consult.extensions import db
from consult.questionnaires.models import (
    AnswerChoice,
    AnswerText,
    Purpose,
    QuestionnaireOption,
    QuestionnaireQuestion,
)
from consult.surveys.models import Survey, SurveyAnswer
from tests.factories import (
    DepartmentFactory,
    RoundFactory,
    RoundParticipantFactory,
    UserFactory,
    add_questionnaire,
)
from tests.threads import run_all

pytestmark = pytest.mark.pg

SATISFACTION = ["satisfied", "basically_satisfied", "dissatisfied"]
HEARD = ["yes", "partly", "no"]


def test_concurrent_answers_and_changes_keep_one_answer_and_exact_counters(app):
    published = now() - timedelta(days=1)
    r = RoundFactory(closed=True, version__consultation__department=DepartmentFactory(),
                     response_published_at=published,
                     survey_closes_at=published + timedelta(days=14),
                     recorded_state="responded")
    round_id = r.id
    specs = [("single", 3), ("multiple", 4), ("text", 0)]
    made = add_questionnaire(round_id, Purpose.SURVEY, [
        (f"问题{position}", kind, [f"选项{i}" for i in range(n)])
        for position, (kind, n) in enumerate(specs, start=1)])
    poll = [(qid, kind, options) for (qid, options), (kind, _) in zip(made, specs, strict=True)]
    users = [UserFactory() for _ in range(6)]
    for u in users:
        RoundParticipantFactory(round_id=round_id, user_id=u.id)
    logins = [u.get_id() for u in users]

    threads_per_user, posts_per_thread = 3, 10
    statuses: Counter[int] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(logins) * threads_per_user)

    def worker(seed: int, login_id: str) -> None:
        rng = random.Random(seed)
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"], session["_fresh"] = login_id, True
        try:
            barrier.wait(timeout=30)
            for _ in range(posts_per_thread):
                data: dict = {"satisfaction": rng.choice(SATISFACTION),
                              "rating": str(rng.randint(1, 5)),
                              "clarity": str(rng.randint(1, 5)), "heard": rng.choice(HEARD)}
                if rng.random() < 0.5:
                    data["comment"] = "意见" * rng.randint(1, 5)
                for qid, kind, options in poll:
                    if rng.random() < 0.25:
                        continue
                    if kind == "text":
                        data[f"q{qid}"] = "回答"
                    elif kind == "multiple":
                        data[f"q{qid}"] = [str(o) for o in rng.sample(options, rng.randint(1, 3))]
                    else:
                        data[f"q{qid}"] = str(rng.choice(options))
                headers = {"HX-Request": "true"} if rng.random() < 0.5 else {}
                response = client.post(f"/rounds/{round_id}/survey", data=data,
                                       headers=headers)
                with lock:
                    statuses[response.status_code] += 1
        except BaseException as exc:
            with lock:
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(i * 100 + k, login_id))
               for i, login_id in enumerate(logins) for k in range(threads_per_user)]
    run_all(threads, errors)
    assert set(statuses) <= {200, 303}, statuses
    assert sum(statuses.values()) == len(threads) * posts_per_thread

    db.session.expire_all()
    answers = list(db.session.scalars(select(SurveyAnswer).where(
        SurveyAnswer.round_id == round_id)))
    assert len(answers) == len({a.user_id for a in answers}) == len(users)
    s = db.session.get(Survey, round_id)
    assert s.respondents == s.participant_respondents == len(users)
    recount = Counter()
    for a in answers:
        recount[a.satisfaction.value] += 1
        recount[f"heard_{a.heard.value}"] += 1
        recount[f"rating_{a.rating}"] += 1
        recount[f"clarity_{a.clarity}"] += 1
        recount["rating_sum"] += a.rating
        recount["clarity_sum"] += a.clarity
        recount["comments"] += 1 if a.comment else 0
    for column in ("satisfied", "basically_satisfied", "dissatisfied", "heard_yes",
                   "heard_partly", "heard_no", "rating_sum", "clarity_sum", "comments",
                   *(f"rating_{v}" for v in range(1, 6)), *(f"clarity_{v}" for v in range(1, 6))):
        assert getattr(s, column) == recount[column], column
    chosen = Counter(db.session.scalars(select(AnswerChoice.option_id)))
    for _qid, _kind, options in poll:
        for o in options:
            assert db.session.get(QuestionnaireOption, o).answer_count == chosen.get(o, 0)
    for qid, kind, _options in poll:
        if kind == "text":
            answered = db.session.scalar(select(func.count()).select_from(AnswerText)
                                         .where(AnswerText.question_id == qid))
        else:
            answered = db.session.scalar(
                select(func.count(func.distinct(AnswerChoice.owner_id)))
                .where(AnswerChoice.question_id == qid))
        assert db.session.get(QuestionnaireQuestion, qid).respondent_count == answered
        if kind == "single":
            per_answer = Counter(db.session.scalars(
                select(AnswerChoice.owner_id).where(AnswerChoice.question_id == qid)))
            assert all(n == 1 for n in per_answer.values())
