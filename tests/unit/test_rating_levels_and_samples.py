"""好差评, the parts added to the rectification cases: the five-level overall rating (the
lowest two are 差评 and open a case; re-rated better means a higher level), the ratings
counted per department and month (差评率, ranked with intervals), and the random
follow-up sample (随机回访): reproducible from its seed, audited, invited, counted apart
from the opt-in answers, refused a second time with the same seed."""

from __future__ import annotations

import hashlib
import random

import pytest
from sqlalchemy import func, select

from consult.audit.models import AuditEntry
from consult.clock import now
from consult.db import atomic
from consult.errors import Conflict, InvalidState, PermissionDenied, ValidationFailed
from consult.evaluation import services as evaluation
from consult.extensions import db
from consult.notifications.models import Notification
from consult.rectification import services as rectification
from consult.rectification.models import CaseStatus, RectificationTally
from consult.rounds import participants
from consult.rounds.services import get_round
from consult.surveys import services as surveys
from consult.surveys.models import (
    Satisfaction,
    Survey,
    SurveyAnswer,
    SurveySample,
    SurveySampleMember,
)
from consult.workdays import local_day
from tests.factories import RoundFactory, UserFactory, fresh, rate, responded_round


def do(fn, *args, **kwargs):
    with atomic():
        return fn(*args, **kwargs)


def survey_row(round_id):
    db.session.expire_all()
    return db.session.get(Survey, round_id)


# ---------------------------------------------------------------- five levels

def test_five_levels_best_first_and_the_lowest_two_are_bad():
    assert [s.value for s in Satisfaction] == [
        "very_satisfied", "satisfied", "basically_satisfied", "dissatisfied",
        "very_dissatisfied"]
    assert [s.score for s in Satisfaction] == [5, 4, 3, 2, 1]
    assert [rectification.is_bad(s) for s in Satisfaction] == [False, False, False, True,
                                                               True]


def test_very_dissatisfied_opens_a_case_and_counts(app):
    r, dept, _official = responded_round()
    _rater, case = rate(r, satisfaction="very_dissatisfied")
    assert case is not None and case.first_satisfaction == Satisfaction.VERY_DISSATISFIED
    _, none = rate(r, satisfaction="very_satisfied", rating=5)
    assert none is None
    s = survey_row(r.id)
    assert (s.very_dissatisfied, s.very_satisfied, s.dissatisfied, s.respondents) == (1, 1, 0, 2)
    assert surveys.satisfied_count(s) == 1


def test_the_satisfaction_rate_counts_the_top_three_levels(app):
    r, _dept, _official = responded_round()
    for level in ("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied",
                  "very_dissatisfied"):
        rate(r, satisfaction=level, rating=3)
    s = survey_row(r.id)
    assert surveys.satisfied_count(s) == 3
    assert [getattr(s, c) for c in ("very_satisfied", "satisfied", "basically_satisfied",
                                    "dissatisfied", "very_dissatisfied")] == [1] * 5


def test_an_unknown_level_is_refused_beside_the_field(app):
    r, _dept, _official = responded_round()
    with pytest.raises(ValidationFailed) as exc:
        rate(r, satisfaction="extremely_happy")
    assert exc.value.field == "satisfaction"
    assert survey_row(r.id) is None or survey_row(r.id).respondents == 0


def test_rerated_better_means_a_higher_level(app):
    r, _dept, official = responded_round()
    _rater, case = rate(r, satisfaction="very_dissatisfied")
    rater2, case2 = rate(r, satisfaction="dissatisfied")
    for c in (case, case2):
        do(rectification.record_follow_up, fresh(official), rectification.load_case(c.id),
           on=local_day(now()), channel="phone", note="已电话回访。")
        do(rectification.resolve, fresh(official), rectification.load_case(c.id),
           resolution="explained", note="已作出解释说明。")
    first = rectification.load_case(case.id)
    do(rectification.rerate, fresh(_rater), first, satisfaction="dissatisfied")
    second = rectification.load_case(case2.id)
    do(rectification.rerate, fresh(rater2), second, satisfaction="dissatisfied")
    db.session.expire_all()
    assert rectification.load_case(case.id).improved is True  # 非常不满意 → 不满意
    assert rectification.load_case(case2.id).improved is False  # 不满意 → 不满意
    assert rectification.load_case(case.id).status == CaseStatus.CLOSED


# ---------------------------------------------------------------- 差评率 and ranking

def test_ratings_are_counted_once_per_rating_for_the_bad_rate(app):
    r, dept, _official = responded_round()
    rater, _ = rate(r, satisfaction="satisfied", rating=4)
    rate(r, rater, satisfaction="very_dissatisfied")  # changed: still one rating
    rate(r, satisfaction="basically_satisfied", rating=3)
    rate(r, satisfaction="dissatisfied")
    db.session.expire_all()
    row = db.session.scalar(select(RectificationTally).where(
        RectificationTally.department_id == dept.id))
    assert (row.rated, row.opened) == (3, 2)
    [f] = rectification.monthly_figures(department_id=dept.id)
    assert (f.bad_share.k, f.bad_share.n) == (2, 3)
    assert f.rank == 1 and f.ranked == 1


def test_monthly_ranking_sets_ranks_within_each_month(app):
    r1, d1, _ = responded_round()
    r2, d2, _ = responded_round()
    rate(r1)
    rate(r2)
    figures = [f for f in rectification.monthly_figures()
               if f.department.id in (d1.id, d2.id)]
    assert sorted(f.rank for f in figures) == [1, 2]
    row = rectification.as_json(figures[0])
    assert row["rank"] == 1 and row["ratings"] == 1
    assert row["bad_rating_rate"]["count"] == 1
    csv = rectification.to_csv([(f, f.department.name) for f in figures])
    header = csv.splitlines()[0]
    assert "Bad rating rate" in header or "差评率" in header


# ---------------------------------------------------------------- 随机回访

def sample_world(n=12, answered=3):
    r, dept, _official = responded_round()
    evaluator = UserFactory(role="evaluator")
    users = [UserFactory() for _ in range(n)]
    with atomic():
        for u in users:
            participants.mark(r.id, u.id)
    for u in users[:answered]:
        rate(r, u, satisfaction="satisfied", rating=4)
    return r, evaluator, users


def test_a_sample_is_reproducible_audited_and_invited(app):
    r, evaluator, users = sample_world()
    round_ = get_round(fresh(evaluator), r.id)
    sample = do(surveys.draw_sample, fresh(evaluator), round_, seed="2026-dec", size="4")
    population = sorted(u.id for u in users[3:])
    expected = sorted(random.Random(f"{r.id}:2026-dec").sample(population, 4))
    members = sorted(db.session.scalars(select(SurveySampleMember.user_id).where(
        SurveySampleMember.sample_id == sample.id)))
    assert members == expected
    assert sample.population == 9 and sample.size == 4
    assert sample.population_sha256 == hashlib.sha256(
        ",".join(map(str, population)).encode()).hexdigest()
    assert sample.sample_sha256 == hashlib.sha256(
        ",".join(map(str, expected)).encode()).hexdigest()
    entry = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "survey.sample_drawn"))
    assert entry is not None and entry.data["seed"] == "2026-dec"
    invited = set(db.session.scalars(select(Notification.user_id).where(
        Notification.kind == "survey_invitation")))
    assert set(expected) <= invited
    assert not invited & {u.id for u in users[:3]}


def test_the_same_seed_twice_is_refused_and_nothing_changes(app):
    r, evaluator, _users = sample_world()
    round_ = get_round(fresh(evaluator), r.id)
    do(surveys.draw_sample, fresh(evaluator), round_, seed="abc", size=2)
    with pytest.raises(Conflict) as exc:
        do(surveys.draw_sample, fresh(evaluator), get_round(fresh(evaluator), r.id),
           seed="abc", size=2)
    assert "abc" in exc.value.message
    assert db.session.scalar(select(func.count(SurveySample.id))) == 1
    assert db.session.scalar(select(func.count()).select_from(SurveySampleMember)) == 2
    # Another seed draws from the people not sampled yet.
    second = do(surveys.draw_sample, fresh(evaluator), get_round(fresh(evaluator), r.id),
                seed="", size=50)
    assert second.seed and second.size == 7 and second.population == 7


def test_bad_sample_input_and_who_may_draw(app):
    r, evaluator, users = sample_world()
    round_ = get_round(fresh(evaluator), r.id)
    for size in ("0", "x", "1001", ""):
        with pytest.raises(ValidationFailed) as exc:
            do(surveys.draw_sample, fresh(evaluator), round_, seed="s", size=size)
        assert exc.value.field == "size"
    with pytest.raises(ValidationFailed) as exc:
        do(surveys.draw_sample, fresh(evaluator), round_, seed="no spaces", size=1)
    assert exc.value.field == "seed"
    with pytest.raises(PermissionDenied):
        do(surveys.draw_sample, fresh(users[5]), round_, seed="s", size=1)
    assert db.session.scalar(select(func.count(SurveySample.id))) == 0
    closed = RoundFactory(closed=True)
    with pytest.raises(InvalidState):
        do(surveys.draw_sample, fresh(evaluator), get_round(fresh(evaluator), closed.id),
           seed="s", size=1)


def test_sampled_answers_are_counted_apart_and_compared(app):
    r, evaluator, users = sample_world(n=10, answered=4)
    sample = do(surveys.draw_sample, fresh(evaluator), get_round(fresh(evaluator), r.id),
                seed="k", size=3)
    members = list(db.session.scalars(select(SurveySampleMember.user_id).where(
        SurveySampleMember.sample_id == sample.id)))
    by_id = {u.id: u for u in users}
    rate(r, by_id[members[0]], satisfaction="very_dissatisfied")
    rate(r, by_id[members[1]], satisfaction="basically_satisfied", rating=3)
    rate(r, by_id[members[1]], satisfaction="dissatisfied")  # changed: leaves "satisfied"
    db.session.expire_all()
    s = db.session.get(SurveySample, sample.id)
    assert (s.answered, s.satisfied) == (2, 0)
    cmp = evaluation.sample_comparison(db.session.get(type(get_round(fresh(evaluator), r.id)),
                                                      r.id))
    assert (cmp.sampled.k, cmp.sampled.n) == (0, 2)
    assert (cmp.opt_in.k, cmp.opt_in.n) == (4, 4)
    assert (cmp.sampled_rate.k, cmp.sampled_rate.n) == (2, 3)
    assert (cmp.opt_in_rate.k, cmp.opt_in_rate.n) == (4, 7)
    # A voided sampled rating leaves the sample's counters too.
    answer_id = db.session.scalar(select(SurveyAnswer.id).where(
        SurveyAnswer.user_id == members[0]))
    with atomic():
        assert surveys.void_answer(answer_id)
    db.session.expire_all()
    assert db.session.get(SurveySample, sample.id).answered == 1


# ---------------------------------------------------------------- answers to suggestions

def answered_suggestion():
    from consult.suggestions import services as suggestions
    from consult.suggestions.models import Suggestion
    from tests.factories import DepartmentFactory, make_suggestion
    from tests.factories import with_roles as actor
    dept = DepartmentFactory()
    official = UserFactory(role="official", role__department=dept)
    author = UserFactory()
    s = make_suggestion(author, dept)
    with atomic():
        suggestions.answer_suggestion(actor(official), s, status="under_study")
    return db.session.get(Suggestion, s.id), dept, official, author


def test_a_bad_rating_of_a_suggestion_answer_opens_one_case(app):
    from consult.rectification.models import RectificationCase
    from consult.suggestions import services as suggestions
    from tests.factories import with_roles as actor
    s, dept, official, author = answered_suggestion()
    do(suggestions.rate_answer, actor(author), s, rating="very_dissatisfied",
       comment="答复没有说明何时办理。")
    case = db.session.scalar(select(RectificationCase))
    assert case is not None and case.suggestion_id == s.id and case.round_id is None
    assert (case.department_id, case.rater_id, case.reason) == (
        dept.id, author.id, "答复没有说明何时办理。")
    # Rating the same answer again, even badly, opens no second case nor counts twice.
    do(suggestions.rate_answer, actor(author), db.session.get(type(s), s.id),
       rating="dissatisfied")
    assert db.session.scalar(select(func.count(RectificationCase.id))) == 1
    db.session.expire_all()
    row = db.session.scalar(select(RectificationTally).where(
        RectificationTally.department_id == dept.id))
    assert (row.rated, row.opened) == (1, 1)
    # The department's steps work on it as on a response's case; no erratum to link.
    loaded = rectification.load_case(case.id)
    assert rectification.resolution_choices(loaded) == {"errata": [], "actions": []}
    with pytest.raises(Conflict):  # closed without a 回访
        do(rectification.resolve, fresh(official), rectification.load_case(case.id),
           resolution="explained", note="说明。")
    do(rectification.record_follow_up, fresh(official), rectification.load_case(case.id),
       on=local_day(now()), channel="phone", note="已电话回访。")
    with pytest.raises(ValidationFailed):
        do(rectification.resolve, fresh(official), rectification.load_case(case.id),
           resolution="rectified", note="已整改。", erratum_id="1")
    do(rectification.resolve, fresh(official), rectification.load_case(case.id),
       resolution="rectified", note="已明确办理时限。")
    do(rectification.rerate, fresh(author), rectification.load_case(case.id),
       satisfaction="satisfied")
    assert rectification.load_case(case.id).improved


def test_a_suggestion_rating_voided_on_appeal_can_no_longer_change(app):
    from consult.rectification.models import RectificationCase
    from consult.suggestions import services as suggestions
    from consult.suggestions.models import SuggestionRating
    from tests.factories import with_roles as actor
    s, dept, official, author = answered_suggestion()
    other_official = UserFactory(role="official", role__department=responded_round()[1])
    evaluator = UserFactory(role="evaluator")
    do(suggestions.rate_answer, actor(author), s, rating="very_dissatisfied", comment="骂人")
    case = db.session.scalar(select(RectificationCase))
    with pytest.raises(PermissionDenied):  # an appeal by another department
        do(rectification.appeal, fresh(other_official), rectification.load_case(case.id),
           reason="恶意评价。")
    do(rectification.appeal, fresh(official), rectification.load_case(case.id),
       reason="评价内容与答复无关，属恶意评价。")
    do(rectification.decide, fresh(evaluator), rectification.load_case(case.id),
       outcome="voided", reason="评价与答复无关。")
    db.session.expire_all()
    assert db.session.scalar(select(SuggestionRating.voided_at)) is not None
    assert rectification.load_case(case.id).status == CaseStatus.VOIDED
    with pytest.raises(InvalidState):
        do(suggestions.rate_answer, actor(author), db.session.get(type(s), s.id),
           rating="satisfied")
    [f] = rectification.monthly_figures(department_id=dept.id)
    assert (f.bad_share.k, f.bad_share.n, f.voided) == (0, 0, 1)
