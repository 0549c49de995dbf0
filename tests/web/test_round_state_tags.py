"""Every page shows a round's state with the rounds' shared tag (same text and colour)."""

from __future__ import annotations

import re

from tests.factories import ConsultationFactory, DraftVersionFactory, RoundFactory


def _tags(html: str) -> set[tuple[str, str]]:
    return set(re.findall(r'class="tag tag--(\w+) round-state round-state--(\w+)"', html))


def test_timeline_card_home_and_round_page_share_the_state_tag(client):
    c = ConsultationFactory()
    v = DraftVersionFactory(consultation=c)
    open_round = RoundFactory(version=v, consultation=c)
    RoundFactory(version=v, consultation=c, overdue=True)
    RoundFactory(version=v, consultation=c, scheduled=True)
    timeline = client.get(f"/consultations/{c.id}", headers={"Accept-Language": "en"}).text
    assert _tags(timeline) >= {("green", "open"), ("red", "overdue"), ("grey", "scheduled")}
    assert "Response overdue" in timeline
    assert ("green", "open") in _tags(client.get("/consultations/").text)
    assert ("green", "open") in _tags(client.get("/").text)
    assert ("green", "open") in _tags(client.get(f"/rounds/{open_round.id}").text)


def test_department_record_uses_the_shared_colours(app):
    from consult.rounds.lifecycle import state_class

    assert state_class("responded") == "tag tag--blue"
    assert state_class("scheduled") == "tag tag--grey"
    assert state_class("overdue") == "tag tag--red"
    assert state_class("nonsense") == "tag"
