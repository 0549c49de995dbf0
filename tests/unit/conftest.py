"""Unit tests read service messages outside any request: in English, so that the
assertions are readable. Web tests choose their language per request."""

import pytest
from flask_babel import force_locale

from consult.extensions import db


@pytest.fixture(autouse=True)
def _english_messages(request):
    if "app" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("app")
    with force_locale("en"):
        yield


@pytest.fixture
def keep_loaded(app):
    """Objects made by the factories stay usable after their commits (for service tests
    that hold them across actions in one session): ``pytestmark =
    pytest.mark.usefixtures("keep_loaded")``."""
    db.session().expire_on_commit = False
