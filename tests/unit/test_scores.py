"""Score definitions against hand-computed values; Wilson and t intervals against
published reference values; small-sample and not-enough flags."""

from __future__ import annotations

import pytest

from consult.evaluation import scores
from consult.evaluation.scores import Mean, Scope, Share, t_interval, wilson
from tests.conftest import REDIS_TEST_URL
from tests.factories import scores_world
from tests.oracles import distinct_participants


def test_wilson_known_values():
    # Reference: Wilson score interval, z = 1.959964 (Newcombe 1998, example 81/263).
    low, high = wilson(81, 263)
    assert low == pytest.approx(0.2553, abs=1e-4) and high == pytest.approx(0.3662, abs=1e-4)
    low, high = wilson(7, 10)
    assert low == pytest.approx(0.3968, abs=1e-4) and high == pytest.approx(0.8922, abs=1e-4)


def test_wilson_edges_zero_and_all():
    low, high = wilson(0, 10)
    assert low == 0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson(10, 10)
    assert low == pytest.approx(0.7225, abs=1e-4) and high == pytest.approx(1.0)


def test_t_interval_known_values_and_clipping():
    # 1,2,3,4,5 twice: mean 3, sd 1.4907, t(9) 0.975 = 2.2622 -> half width 1.0664
    vals = [1, 2, 3, 4, 5] * 2
    mean, low, high = t_interval(sum(vals), sum(v * v for v in vals), len(vals))
    assert mean == 3 and low == pytest.approx(1.9336, abs=1e-4)
    assert high == pytest.approx(4.0664, abs=1e-4)
    vals = [5, 5, 5, 5, 4]
    mean, low, high = t_interval(sum(vals), sum(v * v for v in vals), len(vals))
    assert mean == pytest.approx(4.8) and high == 5.0 and low == pytest.approx(4.2447, abs=1e-4)


def test_sample_flags():
    assert Share(3, 4).value is None and not Share(3, 4).enough and Share(3, 4).interval is None
    assert Share(3, 5).small and Share(3, 5).value == 0.6
    assert not Share(20, 30).small and Share(20, 30).enough
    assert Mean(12, 36, 4).value is None and Mean(15, 45, 5).small


def test_scores_by_department_hand_computed(app):
    w = scores_world()
    got = scores.compute(Scope(), "department")
    a, b = got[w["dept_a"].id], got[w["dept_b"].id]
    assert a.answers == 10 and a.small_sample
    assert (a.satisfaction.k, a.satisfaction.n) == (7, 10)
    assert a.satisfaction.interval == pytest.approx(wilson(7, 10))
    assert a.rating.value == 3 and a.rating.interval == pytest.approx((1.9336, 4.0664), abs=1e-4)
    assert (a.rating_high.k, a.clarity_high.k, a.heard.k) == (4, 6, 5)
    assert a.clarity.value == pytest.approx((6 * 4 + 4 * 2) / 10)
    # response rate: 9 participant respondents / 12 participants
    assert (a.response_rate.k, a.response_rate.n) == (9, 12)
    # timeliness: 3 due rounds, 1 on time, 1 late by 4 days, 1 overdue (due 5 days ago)
    assert (a.rounds_due, a.on_time, a.overdue) == (3, 1, 1)
    assert a.median_days_late == pytest.approx(4.5, abs=0.01)
    assert (a.opinions, a.adopted) == (20, 8)
    assert (a.questions_asked, a.questions_answered) == (2, 1)
    assert a.median_answer_days == pytest.approx(2, abs=0.01)
    assert a.participants_unique == 12
    assert (a.actions_done_on_time, a.actions_done_late, a.actions_overdue,
            a.actions_dropped, a.actions_total) == (1, 1, 1, 1, 5)
    assert b.answers == 3 and not b.enough and b.satisfaction.value is None
    d = b.as_dict()
    assert d["satisfaction"]["value"] is None and d["enough"] is False


def test_published_scope_counts_only_evaluated_rounds(app):
    w = scores_world()
    # the still-responded round (survey open) is not in published scores
    from datetime import timedelta

    from consult.clock import now
    from consult.extensions import db
    r1 = w["r1"]
    r1.survey_closes_at = now() + timedelta(days=3)
    db.session.commit()
    pub = scores.compute(Scope(published=True), "department")
    assert w["dept_a"].id not in pub or pub[w["dept_a"].id].answers == 0
    full = scores.compute(Scope(), "department")
    assert full[w["dept_a"].id].answers == 10


def test_groupings_and_filters(app):
    w = scores_world()
    by_round = scores.compute(Scope(), "round")
    assert by_round[w["r1"].id].answers == 10 and by_round[w["r_b"].id].answers == 3
    only_b = scores.compute(Scope(department_id=w["dept_b"].id), "all")["all"]
    assert only_b.answers == 3
    months = scores.compute(Scope(), "month")
    assert sum(s.answers for s in months.values()) == 13


def test_constant_queries(app, count_queries):
    scores_world()
    with count_queries() as small:
        scores.compute(Scope(), "department")
    scores_world(extra_answers=60)
    with count_queries() as big:
        scores.compute(Scope(), "department")
    assert len(small) == len(big) == 10  # unique participants: read from their counters


def test_unique_participants_recounted_only_when_they_can_change(app, count_queries):
    """A scope the counters do not cover (here a date range) recounts, only when needed."""
    from datetime import UTC, datetime

    from consult.extensions import db
    from tests.factories import DepartmentFactory, UserFactory, participate
    since = Scope(start=datetime(2000, 1, 1, tzinfo=UTC))
    w = scores_world()
    first = scores.compute(since, "department")
    with count_queries() as again:
        second = scores.compute(since, "department")
    assert len(again) == 10  # unchanged: the distinct count is not run again
    assert {k: s.participants_unique for k, s in first.items()} == {
        k: s.participants_unique for k, s in second.items()}
    # one more person, and one already counted, in the overdue round of department A
    participate(w["r_over"], UserFactory())
    participate(w["r_over"], w["users"][0])
    db.session.commit()
    with count_queries() as changed:
        third = scores.compute(since, "department")
    assert len(changed) == 11 and third[w["dept_a"].id].participants_unique == 13
    recount = next(q for q in changed if "count(distinct" in q.lower())
    assert " IN " in recount  # only department A's rounds were read again
    # a consultation moved to another department: its rounds' people move with it
    other = DepartmentFactory()
    w["ca"].department_id = other.id
    db.session.commit()
    fourth = scores.compute(since, "department")
    assert fourth[other.id].participants_unique == 13 and w["dept_a"].id not in fourth
    assert scores.compute(Scope(), "department")[other.id].participants_unique == 13
    # rounds out of scope (the consultation unpublished) are not counted
    w["ca"].published_at = None
    db.session.commit()
    assert other.id not in scores.compute(since, "department")
    assert other.id not in scores.compute(Scope(), "department")


@pytest.mark.parametrize("group", scores.GROUPS)
def test_kept_unique_participants_equal_a_recount(app, group):

    from consult.consultations.models import Tag, consultation_tag
    from consult.extensions import db
    from tests.factories import UserFactory, participate
    w = scores_world()
    tag = Tag(name="标签")
    db.session.add(tag)
    db.session.flush()
    db.session.execute(consultation_tag.insert(), [
        {"consultation_id": c.id, "tag_id": tag.id} for c in (w["ca"], w["cb"])])
    db.session.commit()

    def kept():
        return {k: s.participants_unique for k, s in scores.compute(Scope(), group).items()
                if s.participants_unique}

    assert kept() == distinct_participants(group) and distinct_participants(group)
    for r in (w["r_b"], w["r_over"], w["r1"]):  # new people, and people already counted
        participate(r, UserFactory())
        participate(r, w["users"][1])
        db.session.commit()
        assert kept() == distinct_participants(group)


def test_survey_scores_equal_a_recount_of_the_answers(app):
    """The survey part reads the ``Survey`` counters: they must be the answers' recount."""
    from sqlalchemy import case, func, select

    from consult.extensions import db
    from consult.rounds.models import Round
    from consult.surveys.models import SurveyAnswer
    w = scores_world(extra_answers=7)
    got = scores.compute(Scope(), "round")
    for r in (w["r1"], w["r_b"]):
        n, total, squares, high = db.session.execute(
            select(func.count(), func.sum(SurveyAnswer.rating),
                   func.sum(SurveyAnswer.rating * SurveyAnswer.rating),
                   func.sum(case((SurveyAnswer.clarity >= 4, 1), else_=0)))
            .join(Round, Round.id == SurveyAnswer.round_id)
            .where(SurveyAnswer.round_id == r.id)).one()
        s = got[r.id]
        assert (s.answers, s.rating.total, s.rating.total_sq, s.clarity_high.k) == (
            n, total, squares, high)


def test_parts_limit_the_queries(app, count_queries):
    w = scores_world()
    with count_queries() as seen:
        got = scores.compute(Scope(published=True), "department", scores.PUBLIC_PARTS)
    assert len(seen) == 5
    a = got[w["dept_a"].id]
    assert a.answers == 10 and a.rounds_due == 3 and a.comments == 0


def test_months_never_none_when_an_event_time_is_missing(app):
    # Imported or half-done data: answers on a round whose response time is missing are
    # counted in the month the round closed (a None month broke sorting: a 500).
    w = scores_world()
    from consult.extensions import db
    w["r_b"].response_published_at = None
    db.session.commit()
    months = scores.compute(Scope(), "month")
    assert None not in months
    assert sum(s.answers for s in months.values()) == 13


def test_warmed_counts_spare_the_dashboard_the_distinct_count(app, count_queries):
    """``flask rounds tick`` (with Redis) counts ahead; the dashboard then only reads."""
    from consult.evaluation.services import warm_counts
    scores_world()
    warm_counts()
    for group in ("department", "month"):
        with count_queries() as seen:
            scores.compute(Scope(), group)
        assert not any("count(distinct" in q.lower() for q in seen), group
    app.config["REDIS_URL"] = REDIS_TEST_URL  # only read by the command
    output = app.test_cli_runner().invoke(args=["rounds", "tick"]).output
    assert "Evaluation counts are up to date" in output


def test_a_failing_cache_store_costs_a_count_not_the_scores(app, monkeypatch):
    from consult import pagecache
    scores_world()
    expected = {k: s.participants_unique for k, s in scores.compute(Scope(), "month").items()}

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("get_many", "set_many"):
        monkeypatch.setattr(pagecache.cache, name, broken)
    again = scores.compute(Scope(), "month")
    assert {k: s.participants_unique for k, s in again.items()} == expected
    assert any(expected.values())
