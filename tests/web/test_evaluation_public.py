"""Published scores on /accountability/: anyone sees them, only evaluated rounds count,
small samples are flagged and thin ones say "not enough answers"."""

from __future__ import annotations

from datetime import timedelta

from consult.clock import now
from consult.extensions import db
from tests.factories import scores_world


def test_accountability_shows_published_scores_to_visitors(app, client):
    w = scores_world()
    html = client.get("/accountability/", headers={"Accept-Language": "en"}).get_data(True)
    assert "Published scores" in html
    assert "7 / 10" in html and "small sample" in html and "not enough answers" in html
    assert w["dept_a"].name_en in html


def test_only_evaluated_rounds_count(app, client):
    w = scores_world()
    w["r1"].survey_closes_at = now() + timedelta(days=2)  # survey still open: not published
    db.session.commit()
    html = client.get(f"/accountability/?department={w['dept_a'].slug}",
                      headers={"Accept-Language": "en"}).get_data(True)
    assert "7 / 10" not in html
    # timeliness still counts every due round: 1 of 3 on time
    assert "1 / 3" in html
