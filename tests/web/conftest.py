"""Fixtures of the page-cache tests (test_page_cache, test_list_parts): the author of the
comments, and the second browser that reads them."""

from __future__ import annotations

import pytest

from tests.factories import UserFactory


@pytest.fixture
def author(app):
    return UserFactory(display_name="张晓明")


@pytest.fixture
def anonymous(app):
    """A second browser, never logged in, reading in English."""
    browser = app.test_client()
    browser.set_cookie("locale", "en")
    return browser


@pytest.fixture(params=["anonymous", "reader"])
def visitor(request, app, anonymous):
    """A second browser reading in English: anonymous, or logged in as a participant who
    wrote nothing (served the readers' shared list)."""
    if request.param == "reader":
        reader = UserFactory(display_name="读者")
        with anonymous.session_transaction() as session:
            session["_user_id"] = reader.get_id()
            session["_fresh"] = True
    return anonymous
