"""Voting through the test client: the vote page (no-JS post/redirect and htmx swap),
results (hidden, live, final; HTML and JSON), the poll editor, every forbidden action,
and constant query budgets."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import func, insert, select, update

from consult.accounts.models import User
from consult.audit.models import AuditEntry
from consult.clock import now
from consult.extensions import db
from consult.questionnaires.models import (
    AnswerChoice,
    Purpose,
    QuestionKind,
    QuestionnaireOption,
    QuestionnaireQuestion,
)
from consult.rounds.models import Round, RoundKind
from consult.voting.models import Ballot, VoteTally
from tests.factories import (
    PASSWORD_HASH,
    DepartmentFactory,
    RoundFactory,
    UserFactory,
    add_questionnaire,
)

HX = {"HX-Request": "true"}


pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def rows(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))




def make_round(dept, **kw):
    kw.setdefault("kind", RoundKind.VOTE)
    return RoundFactory(version__consultation__department=dept, **kw)


def add_poll(round_id, questions=((False, ["日间照料", "助餐服务", "上门护理"]),
                                  (True, ["更多床位", "延长开放时间", "志愿者服务"]))):
    """Poll rows straight into the table (the service refuses once a round is open)."""
    return add_questionnaire(round_id, Purpose.POLL, [
        (f"问题{position}", QuestionKind.MULTIPLE if multiple else QuestionKind.SINGLE, options)
        for position, (multiple, options) in enumerate(questions, start=1)])


def vote_url(round_id):
    return f"/rounds/{round_id}/vote"


def close(round_id, **values):
    db.session.execute(update(Round).where(Round.id == round_id)
                       .values(**(values or {"closed_at": now()})))
    db.session.commit()


@pytest.fixture
def open_poll(dept):
    r = make_round(dept)
    return r.id, add_poll(r.id)


# ---------------------------------------------------------------- the vote page


def test_visitor_sees_the_questions_and_a_login_link(client, open_poll):
    round_id, _ = open_poll
    response = client.get(vote_url(round_id))
    assert response.status_code == 200
    assert "Log in to vote" in text(response) and 'name="stance"' not in text(response)
    assert f"/auth/login?next=/rounds/{round_id}/vote" in text(response).replace("%2F", "/")


def test_visitor_post_redirects_to_login_and_saves_nothing(client, open_poll):
    round_id, _ = open_poll
    response = client.post(vote_url(round_id), data={"stance": "support"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert rows(Ballot) == 0


def test_vote_without_javascript_redirects_and_shows_you_voted(client, login_as, open_poll):
    round_id, [(single, s_opts), (multi, m_opts)] = open_poll
    login_as(UserFactory())
    page = client.get(vote_url(round_id))
    assert page.status_code == 200 and 'name="stance"' in text(page)
    assert f'type="radio" id="q{single}"' in text(page)
    assert f'type="checkbox" id="q{multi}"' in text(page)
    response = client.post(vote_url(round_id), data={
        "stance": "support_with_changes", "reason": "建议增加夜间照护。",
        f"q{single}": str(s_opts[1]), f"q{multi}": [str(m_opts[0]), str(m_opts[2])]})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(vote_url(round_id))
    page = text(client.get(vote_url(round_id)))
    assert "Your vote is saved" in page
    assert "You voted" in page and "Support with changes" in page
    assert "助餐服务" in page and "更多床位, 志愿者服务" in page
    assert "Change my vote" in page and "建议增加夜间照护。" in page
    db.session.expire_all()
    assert db.session.get(Round, round_id).ballot_count == 1
    assert db.session.get(VoteTally, round_id).support_with_changes == 1


def test_vote_with_htmx_swaps_the_panel_and_announces(client, login_as, open_poll):
    round_id, [(single, s_opts), _] = open_poll
    login_as(UserFactory())
    response = client.post(vote_url(round_id), headers=HX, data={
        "stance": "oppose", f"q{single}": str(s_opts[0])})
    assert response.status_code == 200
    body = text(response)
    assert "<html" not in body and "<section" not in body
    assert 'data-announce="You voted: Oppose, 日间照料"' in body
    assert "data-autofocus" in body and "Your vote is saved" not in body
    assert "HX-Request" in response.headers.get("Vary", "")
    # "Change my vote" fetches the form into the panel, prefilled
    form = text(client.get(vote_url(round_id) + "?change=1", headers=HX))
    assert "<html" not in form and 'value="oppose" checked' in form
    assert f'value="{s_opts[0]}" checked' in form
    assert "Save my changed vote" in form


def test_change_ballot_updates_counters_exactly(client, login_as, open_poll):
    round_id, [(single, s_opts), (multi, m_opts)] = open_poll
    login_as(UserFactory())
    client.post(vote_url(round_id), data={"stance": "support", f"q{single}": str(s_opts[0]),
                                          f"q{multi}": [str(m_opts[0]), str(m_opts[1])]})
    client.post(vote_url(round_id), data={"stance": "oppose", f"q{single}": str(s_opts[2]),
                                          f"q{multi}": [str(m_opts[1])]})
    db.session.expire_all()
    tally = db.session.get(VoteTally, round_id)
    assert (tally.support, tally.oppose, tally.abstain, tally.support_with_changes) == (0, 1, 0, 0)
    counts = dict(db.session.execute(
        select(QuestionnaireOption.id, QuestionnaireOption.answer_count)).all())
    assert [counts[i] for i in s_opts] == [0, 0, 1]
    assert [counts[i] for i in m_opts] == [0, 1, 0]
    assert db.session.get(Round, round_id).ballot_count == 1 and rows(Ballot) == 1
    assert rows(AnswerChoice) == 2


def test_double_submit_is_still_one_ballot(client, login_as, open_poll):
    round_id, [(single, s_opts), _] = open_poll
    login_as(UserFactory())
    data = {"stance": "support", f"q{single}": str(s_opts[0])}
    assert client.post(vote_url(round_id), data=data).status_code == 303
    assert client.post(vote_url(round_id), data=data, headers=HX).status_code == 200
    assert client.post(vote_url(round_id), data=data).status_code == 303
    assert rows(Ballot) == 1
    db.session.expire_all()
    assert db.session.get(Round, round_id).ballot_count == 1
    assert db.session.get(VoteTally, round_id).support == 1
    assert db.session.get(QuestionnaireOption, s_opts[0]).answer_count == 1


@pytest.mark.parametrize("state", ["scheduled", "closed"])
def test_wrong_state_is_409_and_nothing_saved(client, login_as, dept, state):
    r = make_round(dept, **{state: True})
    login_as(UserFactory())
    response = client.post(vote_url(r.id), data={"stance": "support"})
    assert response.status_code == 409
    message = ("This round is not open yet." if state == "scheduled"
               else "This round is closed.")
    assert message in text(response)
    response = client.post(vote_url(r.id), data={"stance": "support"}, headers=HX)
    assert response.status_code == 409 and message in text(response)
    assert "<html" not in text(response)
    assert rows(Ballot) == 0 and rows(VoteTally) == 0


def test_form_opened_before_close_and_sent_after_gets_a_message(client, login_as, open_poll):
    round_id, _ = open_poll
    login_as(UserFactory())
    assert "Cast my vote" in text(client.get(vote_url(round_id)))
    close(round_id)
    response = client.post(vote_url(round_id), data={"stance": "support"})
    assert response.status_code == 409 and "This round is closed." in text(response)
    assert rows(Ballot) == 0


def test_unverified_user_gets_403(client, login_as, open_poll):
    round_id, _ = open_poll
    login_as(UserFactory(unverified=True))
    assert "Verify your e-mail address to vote" in text(client.get(vote_url(round_id)))
    response = client.post(vote_url(round_id), data={"stance": "support"})
    assert response.status_code == 403 and rows(Ballot) == 0


@pytest.mark.parametrize("case", ["no-stance", "bad-stance", "foreign", "two-in-single",
                                  "not-a-number", "long-reason"])
def test_invalid_input_is_422_beside_the_field(client, login_as, open_poll, case):
    round_id, [(single, s_opts), (multi, m_opts)] = open_poll
    login_as(UserFactory())
    data = {"stance": "support", f"q{single}": str(s_opts[0])}
    field, message = f"q{single}", "Choose one of the answers shown."
    if case == "no-stance":
        del data["stance"]
        field, message = "stance", "Choose your stance on the draft."
    elif case == "bad-stance":
        data["stance"] = "maybe"
        field, message = "stance", "Choose your stance on the draft."
    elif case == "foreign":
        data[f"q{single}"] = str(m_opts[0])
    elif case == "two-in-single":
        data[f"q{single}"] = [str(s_opts[0]), str(s_opts[1])]
        message = "Choose only one answer to this question."
    elif case == "not-a-number":
        data[f"q{multi}"] = "abc"
        field = f"q{multi}"
    else:
        data["reason"] = "长" * 2001
        field, message = "reason", "The reason can have at most 2000 characters."
    for headers in ({}, HX):
        response = client.post(vote_url(round_id), data=data, headers=headers)
        assert response.status_code == 422
        body = text(response)
        assert message in body
        assert f'href="#{field}"' in body  # the error summary links to the field
        assert f'id="{field}-error"' in body  # and the message sits beside it
    assert rows(Ballot) == 0 and rows(AnswerChoice) == 0
    # what was entered is kept
    if case == "foreign":
        assert 'value="support" checked' in body


def test_comments_round_has_no_vote_page(client, login_as, dept):
    r = make_round(dept, kind=RoundKind.COMMENTS)
    login_as(UserFactory())
    assert client.get(vote_url(r.id)).status_code == 404
    assert client.post(vote_url(r.id), data={"stance": "support"}).status_code == 404
    assert client.get(f"/rounds/{r.id}/results").status_code == 404


def test_unpublished_consultation_is_not_found(client, dept):
    r = RoundFactory(kind=RoundKind.VOTE, version__consultation__department=dept,
                     version__consultation__unpublished=True)
    assert client.get(vote_url(r.id)).status_code == 404
    assert client.get(f"/rounds/{r.id}/results").status_code == 404
    assert client.get("/rounds/999999/vote").status_code == 404


# ---------------------------------------------------------------- results


def cast_rows(round_id, n, poll=None, start=0):
    """``n`` ballots as rows with their counters (fast; the counters are what pages read)."""
    users = [{"email": f"bulk{start + i}@example.org", "display_name": f"选民{start + i}",
              "password_hash": PASSWORD_HASH, "email_verified_at": now()} for i in range(n)]
    db.session.execute(insert(User), users)
    ids = db.session.scalars(select(User.id).where(User.email.like("bulk%"))
                             .order_by(User.id)).all()[start:start + n]
    stances = ["support", "support_with_changes", "oppose", "abstain"]
    db.session.execute(insert(Ballot), [
        {"round_id": round_id, "user_id": uid, "stance": stances[i % 4],
         "created_at": now(), "updated_at": now()} for i, uid in enumerate(ids)])
    if db.session.get(VoteTally, round_id) is None:
        db.session.add(VoteTally(round_id=round_id))
        db.session.flush()
    db.session.execute(update(VoteTally).where(VoteTally.round_id == round_id).values(
        **{s: getattr(VoteTally, s) + sum(1 for i in range(n) if i % 4 == k)
           for k, s in enumerate(stances)}))
    db.session.execute(update(Round).where(Round.id == round_id)
                       .values(ballot_count=Round.ballot_count + n))
    if poll:
        (qid, opts) = poll[0]
        ballot_ids = db.session.scalars(select(Ballot.id).where(Ballot.user_id.in_(ids))).all()
        db.session.execute(insert(AnswerChoice), [
            {"purpose": Purpose.POLL, "owner_id": b, "option_id": opts[i % len(opts)],
             "question_id": qid} for i, b in enumerate(ballot_ids)])
        for k, o in enumerate(opts):
            db.session.execute(update(QuestionnaireOption).where(QuestionnaireOption.id == o)
                               .values(answer_count=QuestionnaireOption.answer_count + sum(
                                   1 for i in range(n) if i % len(opts) == k)))
        db.session.execute(update(QuestionnaireQuestion)
                           .where(QuestionnaireQuestion.id == qid).values(
            respondent_count=QuestionnaireQuestion.respondent_count + n))
    db.session.commit()


def test_results_hidden_until_close_in_html_and_json(client, open_poll):
    round_id, poll = open_poll
    cast_rows(round_id, 7, poll)
    response = client.get(f"/rounds/{round_id}/results")
    body = text(response)
    assert response.status_code == 200
    assert "Results are shown when the round closes on" in body
    assert "<svg" not in body and "<table" not in body and "ballots cast" not in body
    assert "日间照料" not in body
    data = client.get(f"/rounds/{round_id}/results",
                      headers={"Accept": "application/json"}).get_json()
    assert data["visible"] is False and "stances" not in data and "questions" not in data


def test_results_after_close_are_charts_and_tables(client, open_poll):
    round_id, poll = open_poll
    cast_rows(round_id, 8, poll)
    close(round_id)
    body = text(client.get(f"/rounds/{round_id}/results"))
    assert "8 ballots cast" in body
    assert body.count('role="img"') == 2  # stance chart and the answered question
    assert '<title id="chart-stance-title">Stance on the draft</title>' in body
    assert "Support: 2 (25%)" in body  # the chart's description carries every number
    assert re.search(r"<th scope=\"row\">Oppose</th><td class=\"num\">2</td>"
                     r"<td class=\"num\">25%", body)
    assert "3 people answered" not in body and "8 people answered this question." in body
    assert "0 people answered this question." in body
    data = client.get(f"/rounds/{round_id}/results",
                      headers={"Accept": "application/json"}).get_json()
    assert data["ballots"] == 8 and data["stances"]["support"] == 2
    assert [o["count"] for o in data["questions"][0]["options"]] == [3, 3, 2]


def test_live_results_show_while_open(client, dept):
    r = make_round(dept, show_live_results=True)
    poll = add_poll(r.id)
    body = text(client.get(f"/rounds/{r.id}/results"))
    assert "No one has voted yet." in body
    cast_rows(r.id, 1, poll)
    body = text(client.get(f"/rounds/{r.id}/results"))
    assert "Live results" in body and "1 ballot cast" in body


def test_closed_round_without_ballots_says_so(client, dept):
    r = make_round(dept, closed=True)
    assert "No one voted in this round." in text(client.get(f"/rounds/{r.id}/results"))


# ---------------------------------------------------------------- the poll editor


def poll_url(round_id, *rest):
    return "/".join([f"/manage/rounds/{round_id}/poll", *map(str, rest)])


def test_official_adds_edits_and_deletes_a_question(client, login_as, dept, official):
    r = make_round(dept, scheduled=True)
    login_as(official)
    resp = client.get(poll_url(r.id))
    page = text(resp)
    assert "No poll questions yet." in page and "Add a question" in page
    html = resp.get_data(as_text=True)  # the shared editor's form, with its fields
    assert f'action="{poll_url(r.id)}"' in html and 'name="options"' in html
    response = client.post(poll_url(r.id), data={
        "text": "您最需要哪项服务？", "options": "日间照料\r\n助餐服务\r\n\r\n上门护理"})
    assert response.status_code == 303
    q = db.session.scalar(select(QuestionnaireQuestion))
    assert response.headers["Location"].endswith(f"/poll#question-{q.id}")
    page = text(client.get(poll_url(r.id)))
    assert "您最需要哪项服务？" in page and "Single choice" in page and "上门护理" in page
    edit = text(client.get(poll_url(r.id, q.id)))
    assert "日间照料\n助餐服务\n上门护理" in edit
    response = client.post(poll_url(r.id, q.id), data={
        "text": "您希望增加哪些服务？", "multiple": "y", "options": "夜间照护\n康复训练"})
    assert response.status_code == 303
    db.session.expire_all()
    q = db.session.scalar(select(QuestionnaireQuestion))
    assert q.multiple and q.text == "您希望增加哪些服务？"
    assert rows(QuestionnaireOption) == 2
    assert client.post(poll_url(r.id, q.id, "delete")).status_code == 303
    assert rows(QuestionnaireQuestion) == 0 and rows(QuestionnaireOption) == 0
    assert list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id))) == [
        "poll.question_added", "poll.question_changed", "poll.question_deleted"]


def test_poll_editor_errors_are_422_beside_the_field(client, login_as, dept, official):
    r = make_round(dept, scheduled=True)
    login_as(official)
    response = client.post(poll_url(r.id), data={"text": "问题", "options": "只有一个"})
    assert response.status_code == 422
    assert "Give at least 2 answers, one per line." in text(response)
    assert 'id="options-error"' in text(response)
    response = client.post(poll_url(r.id), data={"text": "", "options": "甲\n乙"})
    assert response.status_code == 422 and "Enter the question." in text(response)
    assert rows(QuestionnaireQuestion) == 0


def test_official_of_another_department_gets_403(client, login_as, dept):
    r = make_round(dept, scheduled=True)
    (qid, _), = add_poll(r.id, [(False, ["甲", "乙"])])
    login_as(UserFactory(role="official", role__department=DepartmentFactory()))
    assert client.get(poll_url(r.id)).status_code == 403
    assert client.post(poll_url(r.id), data={"text": "问", "options": "甲\n乙"}).status_code == 403
    assert client.post(poll_url(r.id, qid), data={"text": "改", "options": "甲\n乙"}
                       ).status_code == 403
    assert client.post(poll_url(r.id, qid, "delete")).status_code == 403
    db.session.expire_all()
    assert db.session.get(QuestionnaireQuestion, qid).text == "问题1"
    assert rows(QuestionnaireQuestion) == 1


def test_citizen_gets_403_and_visitor_goes_to_login(client, login_as, dept):
    r = make_round(dept, scheduled=True)
    response = client.post(poll_url(r.id), data={"text": "问", "options": "甲\n乙"})
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    login_as(UserFactory())
    assert client.get(poll_url(r.id)).status_code == 403
    assert rows(QuestionnaireQuestion) == 0


def test_poll_cannot_change_once_open_409(client, login_as, dept, official):
    r = make_round(dept)
    (qid, _), = add_poll(r.id, [(False, ["甲", "乙"])])
    login_as(official)
    page = text(client.get(poll_url(r.id)))
    assert "can only be changed before the round opens" in page and "Add a question" not in page
    response = client.post(poll_url(r.id), data={"text": "问", "options": "甲\n乙"})
    assert response.status_code == 409 and "This round is not open yet." not in text(response)
    assert "This round is still open." in text(response)
    assert client.post(poll_url(r.id, qid), data={"text": "改", "options": "甲\n乙"}
                       ).status_code == 409
    assert client.post(poll_url(r.id, qid, "delete")).status_code == 409
    assert rows(QuestionnaireQuestion) == 1 and rows(AuditEntry) == 0


def test_poll_only_for_vote_rounds_422(client, login_as, dept, official):
    r = make_round(dept, scheduled=True, kind=RoundKind.COMMENTS)
    login_as(official)
    assert "This round has no vote" in text(client.get(poll_url(r.id)))
    response = client.post(poll_url(r.id), data={"text": "问", "options": "甲\n乙"})
    assert response.status_code == 422 and rows(QuestionnaireQuestion) == 0


# ---------------------------------------------------------------- query budgets


@pytest.mark.parametrize("path", ["vote", "results"])
def test_query_budget_is_constant(client, login_as, count_queries, dept, path):
    small, big = make_round(dept), make_round(dept)
    polls = {small.id: add_poll(small.id), big.id: add_poll(big.id)}
    cast_rows(small.id, 5, polls[small.id])
    cast_rows(big.id, 1000, polls[big.id], start=5)
    voter = UserFactory()
    login_as(voter)
    for rid in (small.id, big.id):  # the viewer has voted in both (the fullest page)
        client.post(vote_url(rid), data={"stance": "support"})
    db.session.execute(update(Round).values(show_live_results=True))
    db.session.commit()
    counts = []
    for rid in (small.id, big.id):
        with count_queries() as seen:
            response = client.get(f"/rounds/{rid}/{path}")
        assert response.status_code == 200
        assert ("You voted" if path == "vote" else "ballots cast") in text(response)
        counts.append(list(seen))
    assert len(counts[0]) == len(counts[1]) <= 10, "\n".join(counts[1])


def test_poll_editor_query_budget_is_constant(client, login_as, count_queries, dept, official):
    small, big = make_round(dept, scheduled=True), make_round(dept, scheduled=True)
    add_poll(small.id, [(False, ["甲", "乙"])])
    add_poll(big.id, [(i % 2 == 1, [f"选项{j}" for j in range(10)]) for i in range(10)])
    login_as(official)
    counts = []
    for rid in (small.id, big.id):
        with count_queries() as seen:
            response = client.get(poll_url(rid))
        assert response.status_code == 200
        counts.append(list(seen))
    assert len(counts[0]) == len(counts[1]) <= 8, "\n".join(counts[1])


# ---------------------------------------------------------------- statements per vote

def test_statements_per_vote(app, client, login_as, count_queries, dept):
    """What one vote sends the database (bench P2's request), cast, changed and sent
    again unchanged: counted, so that a new round trip on the busiest write path is a
    decision. Each: the voter, the round, the poll. On PostgreSQL the round's state is held
    (its advisory lock) before the round is read, so it is not read again; the ballot is
    locked and written (with the participant row of a new one) in one statement; then the
    shared counters, a new ballot's round and tally in one statement. On SQLite the round's
    dates are read again; the ballot is locked, then written, the participant recorded, and
    the shared counters moved one statement per table. A voter new to the round's
    department and month also counts once there (rounds.participants): one statement, and
    two at commit moving the distinct participants' counters."""
    from consult.rounds import participants
    r = make_round(dept)
    participants.mark(r.id, UserFactory().id)  # the round's first one places it (once)
    db.session.commit()
    url = vote_url(r.id)
    login_as(UserFactory())
    counts = []
    for stance in ("support", "oppose", "oppose"):  # new, changed, the same again
        with count_queries() as seen:
            assert client.post(url, data={"stance": stance, "reason": ""}).status_code == 303
        counts.append([q.split()[0] + " " + q.split()[1] for q in seen])
    expected = [9, 6, 5] if db.engine.dialect.name == "postgresql" else [12, 7, 6]
    assert [len(c) for c in counts] == expected, counts
    tally = db.session.get(VoteTally, r.id)
    assert (tally.support, tally.oppose) == (0, 1)
