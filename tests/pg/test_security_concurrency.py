"""PostgreSQL: the same action sent many times at once by one user (double clicks, two
tabs, a script): duplicate votes, supports, survey answers and registrations.
Zero duplicates, counters equal a recount, zero 500s."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from consult.accounts.models import User
from consult.clock import now
from consult.extensions import db
from consult.participation.models import Comment, CommentSupport, Question, QuestionSupport
from consult.rounds.models import Round
from consult.suggestions.models import Suggestion, SuggestionSupport
from consult.surveys.models import Survey, SurveyAnswer
from consult.voting.models import Ballot, VoteTally
from tests.factories import DepartmentFactory, RoundFactory, RoundParticipantFactory, UserFactory
from tests.threads import run_all

pytestmark = pytest.mark.pg
THREADS = 12


def hammer(app, login_id, method, url, data, *, threads=THREADS) -> Counter:
    """``threads`` clients send the same request at the same moment."""
    statuses: Counter[int] = Counter()
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(threads)

    def worker():
        client = app.test_client()
        if login_id:
            with client.session_transaction() as session:
                session["_user_id"], session["_fresh"] = login_id, True
        try:
            barrier.wait(timeout=30)
            response = client.open(url, method=method, data=data)
            with lock:
                statuses[response.status_code] += 1
        except BaseException as exc:
            with lock:
                errors.append(exc)

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    run_all(pool, errors)
    assert statuses.total() == threads
    assert not any(s >= 500 for s in statuses), statuses
    return statuses


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_duplicates_sent_at_once_stay_single(app):
    from consult.db import atomic
    from consult.participation.services.comments import post_comment
    from consult.participation.services.questions import ask_question
    from consult.suggestions.services import submit_suggestion
    from tests.security.world import fresh

    dept = DepartmentFactory()
    r = RoundFactory(version__consultation__department=dept)
    author, voter = fresh(UserFactory()), UserFactory()
    with atomic():
        round_ = db.session.get(Round, r.id)
        comment = post_comment(author, round_, body="并发测试的评论。")
        question = ask_question(author, round_, body="并发测试的问题？")
        suggestion = submit_suggestion(author, department_id=dept.id, title="并发测试的建议标题",
                                       problem="问题描述。", proposal="建议内容。")
    ids = dict(round=r.id, comment=comment.id, question=question.id, suggestion=suggestion.id)
    login = voter.get_id()
    report = {}

    report["ballot"] = hammer(app, login, "POST", f"/rounds/{ids['round']}/vote",
                              {"stance": "support"})
    assert count(Ballot, Ballot.user_id == voter.id) == 1
    tally = db.session.scalar(select(VoteTally).where(VoteTally.round_id == ids["round"]))
    assert tally.support == 1 and db.session.get(Round, ids["round"]).ballot_count == 1

    report["comment support"] = hammer(app, login, "POST", f"/comments/{ids['comment']}/support",
                                       {"supported": "1"})
    assert count(CommentSupport, CommentSupport.user_id == voter.id) == 1
    assert db.session.get(Comment, ids["comment"]).support_count == 1

    report["question support"] = hammer(app, login, "POST",
                                        f"/questions/{ids['question']}/support",
                                        {"supported": "1"})
    assert count(QuestionSupport, QuestionSupport.user_id == voter.id) == 1
    assert db.session.get(Question, ids["question"]).support_count == 1

    # a toggle: whatever the interleaving, at most one row and the counter equals it
    report["suggestion support"] = hammer(app, login, "POST",
                                          f"/suggestions/{ids['suggestion']}/support", {})
    rows = count(SuggestionSupport, SuggestionSupport.suggestion_id == ids["suggestion"])
    assert rows <= 1 and db.session.get(Suggestion, ids["suggestion"]).support_count == rows

    print("\n" + "; ".join(f"{k}: {dict(v)}" for k, v in report.items())
          + " - no duplicates, no 500s")


def test_survey_answers_sent_at_once_stay_single(app):
    published = now() - timedelta(days=1)
    r = RoundFactory(closed=True, version__consultation__department=DepartmentFactory(),
                     response_published_at=published,
                     survey_closes_at=published + timedelta(days=14),
                     recorded_state="responded")
    user = UserFactory()
    RoundParticipantFactory(round_id=r.id, user_id=user.id)
    statuses = hammer(app, user.get_id(), "POST", f"/rounds/{r.id}/survey",
                      {"satisfaction": "satisfied", "rating": "4", "clarity": "5",
                       "heard": "yes", "comment": "很好"})
    assert count(SurveyAnswer, SurveyAnswer.user_id == user.id) == 1
    survey = db.session.scalar(select(Survey).where(Survey.round_id == r.id))
    assert survey is not None and survey.respondents == 1
    print(f"\nsurvey answer x{THREADS}: {dict(statuses)} - one answer, no 500s")


def test_registrations_sent_at_once_make_one_account(app):
    statuses = hammer(app, None, "POST", "/auth/register",
                      {"email": "twin@example.org", "display_name": "双胞胎",
                       "password": "a-fine-long-passphrase", "confirm": "a-fine-long-passphrase"})
    assert count(User, User.email == "twin@example.org") == 1
    # the winner and those that saw its account answered alike (200); one that raced it
    # inside the same instant is refused with 409
    assert statuses[200] >= 1 and set(statuses) <= {200, 409}, statuses
    print(f"\nregistration x{THREADS}: {dict(statuses)} - one account, no 500s")
