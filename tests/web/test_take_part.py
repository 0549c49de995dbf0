"""The open round's call to action at the top of the consultation and round pages."""

from __future__ import annotations

import pytest

from consult.rounds.models import RoundKind
from tests.factories import RoundFactory

pytestmark = pytest.mark.usefixtures("english")


def test_open_round_has_a_call_to_action_on_the_consultation_page(client, app):
    r = RoundFactory(kind=RoundKind.BOTH)
    page = client.get(f"/consultations/{r.consultation_id}").text
    cta = page.split('class="take-part"', 1)[1].split("</section>", 1)[0]
    assert f'/rounds/{r.id}/comments#comment-form-title' in cta
    assert f'/rounds/{r.id}/questions#question-form-title' in cta
    assert f'/rounds/{r.id}/vote' in cta
    assert "Open until" in cta
    # It comes before the draft, at the top of the page.
    assert page.index('class="take-part"') < page.index('id="draft"')


def test_round_page_has_it_too_and_comment_only_rounds_offer_no_vote(client, app):
    r = RoundFactory(kind=RoundKind.COMMENTS)
    page = client.get(f"/rounds/{r.id}").text
    cta = page.split('class="take-part"', 1)[1].split("</section>", 1)[0]
    assert "Comment on the draft" in cta and "/vote" not in cta


@pytest.mark.parametrize("trait", ["scheduled", "closed"])
def test_no_call_to_action_unless_open(client, app, trait):
    r = RoundFactory(**{trait: True})
    assert 'class="take-part"' not in client.get(f"/consultations/{r.consultation_id}").text
    assert 'class="take-part"' not in client.get(f"/rounds/{r.id}").text


def test_chinese_call_to_action(client, app):
    client.set_cookie("locale", "zh_CN")
    r = RoundFactory()
    page = client.get(f"/consultations/{r.consultation_id}").text
    assert "参与本轮征求意见" in page and "发表意见" in page
