"""The satisfaction survey through the test client: who may answer (participants, opened
surveys, unverified users, visitors), when (state guards with a moving clock), the one
answer per user and its counters, custom question validation, the officials' editor, the
results with their small-sample flags, and constant query budgets."""

from __future__ import annotations

from datetime import timedelta
from html import unescape

import pytest
import time_machine
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from consult.clock import now
from consult.extensions import db
from consult.questionnaires.models import (
    AnswerChoice,
    AnswerText,
    Purpose,
    QuestionnaireOption,
    QuestionnaireQuestion,
)
from consult.rounds.models import Round
from consult.surveys.models import Survey, SurveyAnswer
from tests.factories import (
    DepartmentFactory,
    RoundFactory,
    RoundParticipantFactory,
    SurveyFactory,
    UserFactory,
    add_questionnaire,
)

HX = {"HX-Request": "true"}
GOOD = {"satisfaction": "basically_satisfied", "rating": "4", "clarity": "3", "heard": "partly"}


pytestmark = pytest.mark.usefixtures("english")  # messages are asserted in English


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


def rows(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))




def responded_round(dept, *, published_days_ago=2, survey_days=14, **kw):
    published = now() - timedelta(days=published_days_ago)
    return RoundFactory(closed=True, version__consultation__department=dept,
                        response_published_at=published, survey_days=survey_days,
                        survey_closes_at=published + timedelta(days=survey_days),
                        recorded_state="responded", **kw)


def add_participants(round_id, users):
    for user in users:
        RoundParticipantFactory(round_id=round_id, user_id=user.id)
    db.session.execute(update(Round).where(Round.id == round_id).values(
        participant_count=Round.participant_count + len(users)))
    db.session.commit()


def add_questions(round_id):
    """A single-choice, a multiple-choice, a scale and a text question, straight in."""
    specs = [("single", ["更清楚", "差不多", "更模糊"]), ("multiple", ["网站", "社区", "微信"]),
             ("scale", ["1", "2", "3", "4", "5"]), ("text", [])]
    made = add_questionnaire(round_id, Purpose.SURVEY, [
        (f"问题{position}", kind, options)
        for position, (kind, options) in enumerate(specs, start=1)])
    return {kind: ids for (kind, _), ids in zip(specs, made, strict=True)}


def url(round_id, suffix=""):
    return f"/rounds/{round_id}/survey{suffix}"


def survey_row(round_id) -> Survey:
    db.session.expire_all()
    return db.session.get(Survey, round_id)


@pytest.fixture
def responded(dept):
    r = responded_round(dept)
    participant = UserFactory()
    add_participants(r.id, [participant])
    return r.id, participant


# ---------------------------------------------------------------- who may answer

def test_participant_answers_without_javascript(client, login_as, responded):
    round_id, participant = responded
    login_as(participant)
    page = client.get(url(round_id))
    assert page.status_code == 200 and 'name="satisfaction"' in text(page)
    response = client.post(url(round_id), data={**GOOD, "comment": "答复很认真。"})
    assert response.status_code == 303 and response.headers["Location"].endswith(url(round_id))
    page = text(client.get(url(round_id)))
    assert "Thank you — your answer is saved. You can change it until" in page
    assert "Basically satisfied" in page and "4 of 5" in page and "答复很认真。" in page
    assert "Change my answer" in page
    survey = survey_row(round_id)
    assert (survey.respondents, survey.participant_respondents) == (1, 1)
    assert (survey.basically_satisfied, survey.rating_4, survey.rating_sum) == (1, 1, 4)
    assert (survey.clarity_3, survey.heard_partly, survey.comments) == (1, 1, 1)


def test_htmx_submit_swaps_the_thank_you_panel_and_announces(client, login_as, responded):
    round_id, participant = responded
    login_as(participant)
    response = client.post(url(round_id), data=GOOD, headers=HX)
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert 'data-announce="Thank you — your answer is saved (you can change it until' in body
    assert "data-autofocus" in body
    assert "HX-Request" in response.headers.get("Vary", "")
    form = text(client.get(url(round_id, "?change=1"), headers=HX))
    assert "<html" not in form and 'value="basically_satisfied" checked' in form
    assert 'name="rating" value="4" checked' in form and "Save my changed answer" in form


def test_non_participant_is_refused_with_who_may_answer(client, login_as, responded):
    round_id, _ = responded
    login_as(UserFactory())
    page = client.get(url(round_id))
    assert page.status_code == 403
    assert "Only people who took part in this round" in text(page)
    assert 'name="satisfaction"' not in text(page)
    response = client.post(url(round_id), data=GOOD)
    assert response.status_code == 403
    assert "Only people who took part in this round" in text(response)
    assert rows(SurveyAnswer) == 0


def test_opened_survey_lets_any_verified_user_answer(client, login_as, dept, responded):
    round_id, _ = responded
    SurveyFactory(round_id=round_id, open_to_all=True)
    login_as(UserFactory())
    assert client.post(url(round_id), data=GOOD).status_code == 303
    survey = survey_row(round_id)
    assert (survey.respondents, survey.participant_respondents) == (1, 0)
    assert db.session.scalar(select(SurveyAnswer.is_participant)) is False


def test_unverified_user_is_refused_even_when_opened(client, login_as, responded):
    round_id, _ = responded
    SurveyFactory(round_id=round_id, open_to_all=True)
    login_as(UserFactory(unverified=True))
    page = client.get(url(round_id))
    assert page.status_code == 403 and "Verify your e-mail address" in text(page)
    response = client.post(url(round_id), data=GOOD)
    assert response.status_code == 403 and "Verify your e-mail address" in text(response)
    assert rows(SurveyAnswer) == 0


def test_visitor_sees_a_login_link_and_post_redirects_to_login(client, responded):
    round_id, _ = responded
    page = client.get(url(round_id))
    assert page.status_code == 200 and "Log in to answer" in text(page)
    assert f"/auth/login?next=/rounds/{round_id}/survey" in text(page).replace("%2F", "/")
    response = client.post(url(round_id), data=GOOD)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert rows(SurveyAnswer) == 0


def test_unpublished_consultation_survey_is_404(client, login_as, dept):
    r = responded_round(dept, version__consultation__unpublished=True)
    assert client.get(url(r.id)).status_code == 404
    assert client.get(url(r.id, "/results")).status_code == 404


# ---------------------------------------------------------------- when

def test_before_the_response_is_published_it_is_409(client, login_as, dept):
    r = RoundFactory(closed=True, version__consultation__department=dept)
    user = UserFactory()
    add_participants(r.id, [user])
    login_as(user)
    page = client.get(url(r.id))
    assert page.status_code == 200 and "The survey opens when the department publishes" \
        in text(page)
    response = client.post(url(r.id), data=GOOD)
    assert response.status_code == 409
    assert "The survey opens when the department publishes its response" in text(response)
    response = client.post(url(r.id), data=GOOD, headers=HX)
    assert response.status_code == 409 and "<html" not in text(response)
    assert rows(SurveyAnswer) == 0


def test_clock_moving_past_close_does_not_open_the_survey(client, login_as, dept):
    r = RoundFactory(version__consultation__department=dept)  # open now
    user = UserFactory()
    add_participants(r.id, [user])
    login_as(user)
    assert client.post(url(r.id), data=GOOD).status_code == 409
    with time_machine.travel(r.closes_at + timedelta(days=1), tick=False):
        response = client.post(url(r.id), data=GOOD)
        assert response.status_code == 409
        assert "The survey opens when the department publishes its response" \
            in text(response)
    assert rows(SurveyAnswer) == 0


def test_after_the_window_it_is_409_and_the_answer_stays(client, login_as, responded):
    round_id, participant = responded
    login_as(participant)
    assert client.post(url(round_id), data=GOOD).status_code == 303
    closes = db.session.get(Round, round_id).survey_closes_at
    with time_machine.travel(closes - timedelta(minutes=1), tick=False):
        assert client.post(url(round_id), data={**GOOD, "rating": "5"}).status_code == 303
    with time_machine.travel(closes + timedelta(seconds=1), tick=False):
        response = client.post(url(round_id), data={**GOOD, "rating": "1"})
        assert response.status_code == 409
        assert "The survey has closed: answers can no longer be given or changed." \
            in text(response)
        page = text(client.get(url(round_id)))
        assert "The survey closed on" in page and "Change my answer" not in page
    survey = survey_row(round_id)
    assert (survey.respondents, survey.rating_5, survey.rating_1, survey.rating_sum) == \
        (1, 1, 0, 5)


# ---------------------------------------------------------------- one answer, counters

def test_changes_keep_one_answer_and_exact_counters(client, login_as, responded):
    round_id, participant = responded
    qs = add_questions(round_id)
    (single, s_opts), (multi, m_opts) = qs["single"], qs["multiple"]
    (scale, sc_opts), (free, _) = qs["scale"], qs["text"]
    login_as(participant)
    first = {**GOOD, f"q{single}": str(s_opts[0]), f"q{multi}": [str(m_opts[0]), str(m_opts[1])],
             f"q{scale}": str(sc_opts[4]), f"q{free}": "多开几场说明会。", "comment": "好"}
    assert client.post(url(round_id), data=first).status_code == 303
    second = {"satisfaction": "dissatisfied", "rating": "2", "clarity": "5", "heard": "no",
              f"q{single}": str(s_opts[2]), f"q{multi}": [str(m_opts[1]), str(m_opts[2])],
              f"q{scale}": "", f"q{free}": ""}
    assert client.post(url(round_id), data=second, headers=HX).status_code == 200
    assert client.post(url(round_id), data=second).status_code == 303  # same again
    assert rows(SurveyAnswer) == 1
    s = survey_row(round_id)
    assert (s.respondents, s.satisfied, s.basically_satisfied, s.dissatisfied) == (1, 0, 0, 1)
    assert (s.rating_4, s.rating_2, s.rating_sum, s.clarity_3, s.clarity_5, s.clarity_sum) \
        == (0, 1, 2, 0, 1, 5)
    assert (s.heard_partly, s.heard_no, s.comments) == (0, 1, 0)
    counts = dict(db.session.execute(
        select(QuestionnaireOption.id, QuestionnaireOption.answer_count)).all())
    assert [counts[o] for o in s_opts] == [0, 0, 1]
    assert [counts[o] for o in m_opts] == [0, 1, 1]
    assert [counts[o] for o in sc_opts] == [0] * 5
    answered = dict(db.session.execute(
        select(QuestionnaireQuestion.id, QuestionnaireQuestion.respondent_count)).all())
    assert answered == {single: 1, multi: 1, scale: 0, free: 0}
    assert rows(AnswerChoice) == 3 and rows(AnswerText) == 0


def test_counters_equal_a_recount_for_many_users(client, login_as, dept):
    r = responded_round(dept)
    users = [UserFactory() for _ in range(6)]
    add_participants(r.id, users)
    answers = [("satisfied", 5, 4, "yes"), ("satisfied", 4, 4, "yes"),
               ("dissatisfied", 1, 2, "no"), ("basically_satisfied", 3, 3, "partly"),
               ("basically_satisfied", 4, 5, "yes"), ("dissatisfied", 2, 1, "partly")]
    for user, (sat, rating, clarity, heard) in zip(users, answers, strict=True):
        login_as(user)
        data = {"satisfaction": sat, "rating": str(rating), "clarity": str(clarity),
                "heard": heard}
        assert client.post(url(r.id), data={**data, "rating": "3"}).status_code == 303
        assert client.post(url(r.id), data=data).status_code == 303
    s = survey_row(r.id)
    assert s.respondents == 6 and s.rating_sum == sum(a[1] for a in answers)
    assert s.clarity_sum == sum(a[2] for a in answers)
    assert (s.satisfied, s.basically_satisfied, s.dissatisfied) == (2, 2, 2)
    assert (s.heard_yes, s.heard_partly, s.heard_no) == (3, 2, 1)
    assert [getattr(s, f"rating_{v}") for v in range(1, 6)] == [1, 1, 1, 2, 1]
    # The rows themselves let SQL compute what the counters say.
    assert db.session.scalar(select(func.sum(SurveyAnswer.rating))) == s.rating_sum


def test_unique_constraint_holds_in_the_schema(app, responded):
    round_id, participant = responded
    values = dict(round_id=round_id, user_id=participant.id, satisfaction="satisfied",
                  rating=5, clarity=5, heard="yes", created_at=now(), updated_at=now())
    db.session.execute(insert(SurveyAnswer).values(**values))
    with pytest.raises(IntegrityError) as info:
        db.session.execute(insert(SurveyAnswer).values(**values))
    assert "unique" in str(info.value).lower()
    db.session.rollback()


# ---------------------------------------------------------------- validation

def test_missing_standard_answers_are_422_beside_each_field(client, login_as, responded):
    round_id, participant = responded
    login_as(participant)
    response = client.post(url(round_id), data={"rating": "4"})
    body = text(response)
    assert response.status_code == 422
    for message in ("Choose how satisfied you are with the response.",
                    "Choose how clear the response is, from 1 to 5.",
                    "Say whether you felt heard."):
        assert body.count(message) == 2  # summary and beside the field
    assert 'name="rating" value="4" checked' in body and rows(SurveyAnswer) == 0


@pytest.mark.parametrize("field, value, message", [
    ("satisfaction", "delighted", "Choose how satisfied you are with the response."),
    ("rating", "6", "Choose a rating from 1 to 5."),
    ("clarity", "0", "Choose how clear the response is, from 1 to 5."),
    ("heard", "maybe", "Say whether you felt heard."),
    ("comment", "长" * 2001, "Your comment can have at most 2000 characters."),
])
def test_invalid_standard_answers_are_422(client, login_as, responded, field, value, message):
    round_id, participant = responded
    login_as(participant)
    response = client.post(url(round_id), data={**GOOD, field: value})
    assert response.status_code == 422 and message in text(response)
    assert f'id="{field}-error"' in text(response)
    assert rows(SurveyAnswer) == 0 and rows(Survey) == 0
    assert survey_row(round_id) is None


def test_invalid_custom_option_is_422_beside_the_question(client, login_as, dept, responded):
    round_id, participant = responded
    qs = add_questions(round_id)
    (single, s_opts), (multi, m_opts) = qs["single"], qs["multiple"]
    other = responded_round(dept)
    other_qs = add_questions(other.id)
    login_as(participant)
    for data, key, message in [
        ({f"q{single}": str(other_qs["single"][1][0])}, f"q{single}",
         "Choose one of the answers shown."),
        ({f"q{single}": "abc"}, f"q{single}", "Choose one of the answers shown."),
        ({f"q{single}": [str(s_opts[0]), str(s_opts[1])]}, f"q{single}",
         "Choose only one answer to this question."),
        ({f"q{multi}": [str(m_opts[0]), str(s_opts[0])]}, f"q{multi}",
         "Choose one of the answers shown."),
        ({f"q{qs['text'][0]}": "长" * 1001}, f"q{qs['text'][0]}",
         "Your answer can have at most 1000 characters."),
    ]:
        response = client.post(url(round_id), data={**GOOD, **data})
        body = text(response)
        assert response.status_code == 422, data
        assert f'id="{key}-error"' in body and message in body
        assert f'href="#{key}"' in body  # the error summary links to the question
    assert rows(SurveyAnswer) == 0 and rows(AnswerChoice) == 0
    assert db.session.scalar(select(func.sum(QuestionnaireOption.answer_count))) == 0


# ---------------------------------------------------------------- officials

def test_official_defines_questions_until_the_response_is_published(client, login_as, dept,
                                                                     official):
    r = RoundFactory(closed=True, version__consultation__department=dept)
    login_as(official)
    manage = f"/manage/rounds/{r.id}/survey"
    assert client.get(manage).status_code == 200
    response = client.post(manage, data={"text": "答复是否回应了您的关切？", "kind": "single",
                                         "options": "完全回应\n部分回应\n\n没有回应"})
    assert response.status_code == 303
    assert client.post(manage, data={"text": "请打分", "kind": "scale"}).status_code == 303
    assert client.post(manage, data={"text": "还有什么建议？", "kind": "text",
                                     "options": "ignored"}).status_code == 303
    questions = list(db.session.scalars(select(QuestionnaireQuestion)
                                        .order_by(QuestionnaireQuestion.position)))
    assert [q.kind.value for q in questions] == ["single", "scale", "text"]
    options = db.session.scalars(select(QuestionnaireOption.text).where(
        QuestionnaireOption.question_id == questions[0].id)
        .order_by(QuestionnaireOption.position)).all()
    assert options == ["完全回应", "部分回应", "没有回应"]
    assert rows(QuestionnaireOption) == 3 + 5
    # one option only: 422 beside the options field
    response = client.post(manage, data={"text": "问题", "kind": "multiple", "options": "一个"})
    assert response.status_code == 422
    assert "Give at least 2 answers, one per line." in text(response)
    assert 'id="options-error"' in text(response)
    response = client.post(manage, data={"text": "问题", "kind": "ranking", "options": "a\nb"})
    assert response.status_code == 422 and "Choose the kind of question." in text(response)
    # settings
    response = client.post(f"{manage}/settings", data={"settings-open_to_all": "y"})
    assert response.status_code == 303 and survey_row(r.id).open_to_all is True
    # edit and delete
    edit = f"{manage}/{questions[0].id}"
    assert client.post(edit, data={"text": "改过的问题", "kind": "multiple",
                                   "options": "甲\n乙"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(QuestionnaireQuestion, questions[0].id).text == "改过的问题"
    assert client.post(f"{edit}/delete").status_code == 303
    assert rows(QuestionnaireQuestion) == 2
    # after publication: 409, nothing changes
    published = now() - timedelta(hours=1)
    db.session.execute(update(Round).where(Round.id == r.id).values(
        response_published_at=published, survey_closes_at=published + timedelta(days=14)))
    db.session.commit()
    response = client.post(manage, data={"text": "太晚了", "kind": "text"})
    assert response.status_code == 409
    assert "The survey can no longer be changed" in text(response)
    assert client.post(f"{manage}/settings", data={}).status_code == 409
    assert client.post(f"{manage}/{questions[1].id}", data={
        "text": "x", "kind": "text"}).status_code == 409
    assert client.post(f"{manage}/{questions[1].id}/delete").status_code == 409
    assert rows(QuestionnaireQuestion) == 2 and survey_row(r.id).open_to_all is True


def test_at_most_ten_questions(client, login_as, dept, official):
    r = RoundFactory(version__consultation__department=dept)
    login_as(official)
    for i in range(10):
        assert client.post(f"/manage/rounds/{r.id}/survey",
                           data={"text": f"问题{i}", "kind": "text"}).status_code == 303
    response = client.post(f"/manage/rounds/{r.id}/survey", data={"text": "11", "kind": "text"})
    assert response.status_code == 422
    assert "A survey can have at most 10 questions of your own." in text(response)
    assert rows(QuestionnaireQuestion) == 10


@pytest.mark.parametrize("who", ["visitor", "citizen", "other_official"])
def test_survey_manage_is_officials_of_the_department_only(client, login_as, dept, who):
    r = RoundFactory(closed=True, version__consultation__department=dept)
    if who == "citizen":
        login_as(UserFactory())
    elif who == "other_official":
        login_as(UserFactory(role="official", role__department=DepartmentFactory()))
    manage = f"/manage/rounds/{r.id}/survey"
    expected = 302 if who == "visitor" else 403
    assert client.get(manage).status_code == expected
    assert client.post(manage, data={"text": "x", "kind": "text"}).status_code == expected
    assert client.post(f"{manage}/settings", data={"settings-open_to_all": "y"}).status_code \
        == expected
    assert rows(QuestionnaireQuestion) == 0 and rows(Survey) == 0


# ---------------------------------------------------------------- results

def _answers(round_id, n, *, participants=True):
    """n answers straight into the table plus matching counters."""
    users = UserFactory.build_batch(n)  # in one transaction: some tests need a thousand
    db.session.add_all(users)
    db.session.flush()
    rows_ = []
    for i, u in enumerate(users):
        rows_.append(dict(round_id=round_id, user_id=u.id,
                          satisfaction=["satisfied", "basically_satisfied", "dissatisfied"][i % 3],
                          rating=i % 5 + 1, clarity=(i + 2) % 5 + 1,
                          heard=["yes", "partly", "no"][i % 3], comment="意见" if i % 4 == 0
                          else None, is_participant=participants, created_at=now(),
                          updated_at=now()))
    if rows_:
        db.session.execute(insert(SurveyAnswer), rows_)
    counters = {"respondents": n, "participant_respondents": n if participants else 0,
                "comments": sum(1 for r in rows_ if r["comment"]),
                "rating_sum": sum(r["rating"] for r in rows_),
                "clarity_sum": sum(r["clarity"] for r in rows_)}
    for r in rows_:
        for col in (r["satisfaction"], f"heard_{r['heard']}", f"rating_{r['rating']}",
                    f"clarity_{r['clarity']}"):
            counters[col] = counters.get(col, 0) + 1
    SurveyFactory(round_id=round_id, **counters)
    db.session.execute(update(Round).where(Round.id == round_id).values(participant_count=50))
    db.session.commit()


def evaluated_round(dept):
    return responded_round(dept, published_days_ago=20, survey_days=14)


def test_results_are_hidden_while_the_survey_is_open(client, dept):
    r = responded_round(dept)
    _answers(r.id, 40)
    page = text(client.get(url(r.id, "/results")))
    assert "Results are shown when the survey closes on" in page
    assert "Respondents" not in page and "Mean rating" not in page
    data = client.get(url(r.id, "/results"), headers={"Accept": "application/json"}).json
    assert data["visible"] is False and "respondents" not in data


def test_results_after_close_with_rate_shares_and_means(client, dept):
    r = evaluated_round(dept)
    _answers(r.id, 41)
    response = client.get(url(r.id, "/results"))
    page = text(response)
    assert response.status_code == 200
    assert "41 / 50 · 82%" in page
    satisfied = sum(1 for i in range(41) if i % 3 in (0, 1))
    assert f"{round(100 * satisfied / 41)}%" in page and f"{satisfied} / 41" in page
    mean = sum(i % 5 + 1 for i in range(41)) / 41
    assert f"Mean rating: {mean:.1f} of 5" in page
    assert "Small sample" not in page and "Not enough answers" not in page
    data = client.get(url(r.id, "/results"), headers={"Accept": "application/json"}).json
    assert data["respondents"] == 41 and data["sample"] == "enough"
    assert data["satisfaction"]["dissatisfied"] == sum(1 for i in range(41) if i % 3 == 2)


def test_small_sample_is_flagged(client, dept):
    r = evaluated_round(dept)
    _answers(r.id, 12)
    page = text(client.get(url(r.id, "/results")))
    assert "Small sample" in page and "12 / 50 · 24%" in page
    assert "Overall satisfaction with the response" in page


def test_too_few_answers_show_no_shares(client, dept):
    r = evaluated_round(dept)
    _answers(r.id, 4)
    page = text(client.get(url(r.id, "/results")))
    assert "Not enough answers" in page and "Only 4 people answered." in page
    assert "4 / 50" in page and "8%" not in page
    assert "Overall satisfaction with the response" not in page and "Mean rating" not in page
    data = client.get(url(r.id, "/results"), headers={"Accept": "application/json"}).json
    assert data["sample"] == "too_few" and "satisfaction" not in data


def test_custom_question_results(client, login_as, dept):
    r = responded_round(dept)
    users = [UserFactory() for _ in range(6)]
    add_participants(r.id, users)
    qs = add_questions(r.id)
    (single, s_opts), (scale, sc_opts) = qs["single"], qs["scale"]
    for i, user in enumerate(users):
        login_as(user)
        client.post(url(r.id), data={**GOOD, f"q{single}": str(s_opts[i % 2]),
                                     f"q{scale}": str(sc_opts[i % 5])})
    with time_machine.travel(db.session.get(Round, r.id).survey_closes_at + timedelta(hours=1),
                             tick=False):
        page = text(client.get(url(r.id, "/results")))
    assert "6 people answered this question." in page
    assert "更清楚" in page and "3 / 6" in page
    assert f"Mean: {(1 + 2 + 3 + 4 + 5 + 1) / 6:.1f} of 5" in page


# ---------------------------------------------------------------- query budgets

def _budget(client, login_as, count_queries, path, user=None):
    if user is not None:
        login_as(user)
    client.get(path)  # warm caches (translations, templates)
    with count_queries() as seen:
        response = client.get(path)
    assert response.status_code == 200, response.status_code
    return list(seen)


@pytest.mark.parametrize("path", ["", "/results"])
def test_query_budget_is_constant(client, login_as, count_queries, dept, path):
    small = evaluated_round(dept) if path else responded_round(dept)
    big = evaluated_round(dept) if path else responded_round(dept)
    _answers(small.id, 5)
    _answers(big.id, 1000)
    for r in (small, big):
        add_questions(r.id)
    user = UserFactory()
    add_participants(small.id, [user])
    add_participants(big.id, [user])
    a = _budget(client, login_as, count_queries, url(small.id, path), user)
    b = _budget(client, login_as, count_queries, url(big.id, path), user)
    assert len(a) == len(b) <= 15, "\n".join(b)


def test_a_racing_duplicate_becomes_a_409_conflict_not_a_500(client, login_as, responded,
                                                             monkeypatch):
    """Should the schema's UNIQUE constraint ever fire inside the save (a twin insert that
    slipped past the lock), the user gets a 409 with a message and nothing half-saved."""
    from sqlalchemy.exc import IntegrityError

    from consult.surveys.services import answers

    round_id, participant = responded
    login_as(participant)

    def twin(*args, **kwargs):
        raise IntegrityError("INSERT INTO survey_answer", {}, Exception("UNIQUE constraint"))

    monkeypatch.setattr(answers, "record_answer", twin)
    response = client.post(url(round_id), data=GOOD)
    assert response.status_code == 409
    assert "Your answer was saved from another window at the same moment." in text(response)
    assert rows(SurveyAnswer) == 0
    assert survey_row(round_id) is None


def test_officials_read_written_answers_without_names(client, login_as, dept, official,
                                                      count_queries):
    r = responded_round(dept)
    qs = add_questions(r.id)
    writer, quiet = UserFactory(display_name="写信人"), UserFactory()
    add_participants(r.id, [writer, quiet])
    login_as(writer)
    assert client.post(url(r.id), data={**GOOD, "comment": "希望公开整改时间表。",
                                        f"q{qs['text'][0]}": "多开说明会。"}).status_code == 303
    login_as(quiet)
    assert client.post(url(r.id), data=GOOD).status_code == 303
    page_url = f"/manage/rounds/{r.id}/survey/answers"
    for who in (quiet, UserFactory(role="official", role__department=DepartmentFactory())):
        login_as(who)
        assert client.get(page_url).status_code == 403
    login_as(official)
    page = text(client.get(page_url))
    assert "希望公开整改时间表。" in page and "问题4:</span> 多开说明会。" in page
    assert "写信人" not in page and "1 answer with text" in page
    small = _budget(client, login_as, count_queries, page_url, official)
    users = UserFactory.create_batch(60, unverified=True)
    db.session.execute(insert(SurveyAnswer), [dict(
        round_id=r.id, user_id=u.id, satisfaction="satisfied", rating=5, clarity=5,
        heard="yes", comment=f"意见{u.id}", created_at=now(), updated_at=now()) for u in users])
    db.session.commit()
    big = _budget(client, login_as, count_queries, page_url, official)
    assert len(small) == len(big) <= 15, "\n".join(big)
    assert "Page 1 of 4" in text(client.get(page_url))
