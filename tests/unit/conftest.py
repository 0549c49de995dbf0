"""Unit tests read service messages outside any request: in English, so that the
assertions are readable. Web tests choose their language per request."""

import pytest
from flask_babel import force_locale


@pytest.fixture(autouse=True)
def _english_messages(request):
    if "app" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("app")
    with force_locale("en"):
        yield
