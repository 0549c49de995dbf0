"""Follow / unfollow: login, visibility, idempotence, htmx fragment and no-JS redirect."""

from __future__ import annotations

from sqlalchemy import func, select

from consult.extensions import db
from consult.notifications.models import Follow
from tests.factories import ConsultationFactory, UserFactory

HX = {"HX-Request": "true"}


def follows() -> int:
    return db.session.scalar(select(func.count()).select_from(Follow))


def test_visitor_is_sent_to_login(client, app):
    consultation = ConsultationFactory()
    response = client.post(f"/consultations/{consultation.id}/follow")
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/auth/login")
    assert f"next=/consultations/{consultation.id}" in response.headers["Location"].replace(
        "%2F", "/")
    htmx = client.post(f"/consultations/{consultation.id}/follow", headers=HX)
    assert htmx.headers["HX-Redirect"].startswith("/auth/login")
    assert follows() == 0


def test_unpublished_or_missing_consultation_is_404(client, login_as):
    login_as(UserFactory(locale="en"))
    draft = ConsultationFactory(unpublished=True)
    response = client.post(f"/consultations/{draft.id}/follow")
    assert response.status_code == 404
    assert client.post("/consultations/9999/follow").status_code == 404
    assert follows() == 0


def test_follow_without_js_redirects_and_is_idempotent(client, login_as):
    login_as(UserFactory(locale="en"))
    consultation = ConsultationFactory()
    path = f"/consultations/{consultation.id}"
    for _ in range(2):  # a double click
        response = client.post(f"{path}/follow", data={"next": path})
        assert response.status_code == 303 and response.headers["Location"] == path
    assert follows() == 1
    for _ in range(2):
        assert client.post(f"{path}/unfollow", data={"next": path}).status_code == 303
    assert follows() == 0


def test_next_must_be_a_local_path(client, login_as):
    login_as(UserFactory(locale="en"))
    consultation = ConsultationFactory()
    response = client.post(f"/consultations/{consultation.id}/follow",
                           data={"next": "//evil.example/"})
    assert response.headers["Location"] == f"/consultations/{consultation.id}"


def test_follow_with_htmx_swaps_the_button(client, login_as):
    login_as(UserFactory(locale="en"))
    consultation = ConsultationFactory()
    response = client.post(f"/consultations/{consultation.id}/follow", headers=HX,
                           data={"next": f"/consultations/{consultation.id}"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'aria-pressed="true"' in html
    assert f'action="/consultations/{consultation.id}/unfollow"' in html
    assert 'data-announce="You follow this consultation now."' in html and 'data-autofocus' in html
    response = client.post(f"/consultations/{consultation.id}/unfollow", headers=HX)
    html = response.get_data(as_text=True)
    assert 'aria-pressed="false"' in html and "/follow" in html
    assert follows() == 0


def test_follow_button_partial_renders_state(app, client, login_as):
    from flask import render_template

    user = login_as(UserFactory(locale="en"))
    consultation = ConsultationFactory()
    with app.test_request_context(f"/consultations/{consultation.id}",
                                  headers={"Accept-Language": "en"}):
        html = render_template("notifications/_follow_button.html", consultation=consultation)
        assert "Log in to follow" in html
        from flask_login import login_user
        login_user(user)
        html = render_template("notifications/_follow_button.html", consultation=consultation)
        assert 'aria-pressed="false"' in html and 'name="next"' in html


def test_me_page_lists_followed_consultations(client, login_as):
    user = login_as(UserFactory(locale="en"))
    followed = ConsultationFactory(title="关于垃圾分类的办法")
    ConsultationFactory(title="没有关注的办法")
    client.post(f"/consultations/{followed.id}/follow")
    html = client.get("/me/").get_data(as_text=True)
    assert "Consultations I follow" in html
    assert "关于垃圾分类的办法" in html and "没有关注的办法" not in html
    assert user.id


def test_follow_without_csrf_token_is_refused(app, client, login_as):
    app.config["WTF_CSRF_ENABLED"] = True
    login_as(UserFactory(locale="en"))
    consultation = ConsultationFactory()
    response = client.post(f"/consultations/{consultation.id}/follow")
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)
    assert follows() == 0
