"""The response page links to the satisfaction survey while it is open, then to its results."""

from __future__ import annotations

from datetime import timedelta

import pytest

from consult.clock import now
from consult.db import db
from consult.rounds.models import Round
from tests.factories import closed_round, comment
from tests.web.test_responses_pages import publish, triage_all

pytestmark = pytest.mark.usefixtures("english")  # assertions read the English messages


def test_response_page_links_to_survey_then_results(client):
    r, _dept, official = closed_round()
    comment(r)
    before = client.get(f"/rounds/{r.id}/response").text
    assert "Rate the response" not in before
    triage_all(r, official)
    publish(r, official)
    text = client.get(f"/rounds/{r.id}/response").text
    assert f'href="/rounds/{r.id}/survey"' in text and "Rate the response" in text
    assert "See how participants rated" not in text
    assert client.get(f"/rounds/{r.id}/survey").status_code == 200
    row = db.session.get(Round, r.id)
    row.survey_closes_at = now() - timedelta(minutes=1)
    db.session.commit()
    text = client.get(f"/rounds/{r.id}/response").text
    assert f'href="/rounds/{r.id}/survey/results"' in text and "Rate the response" not in text
    assert "See how participants rated this response" in text
