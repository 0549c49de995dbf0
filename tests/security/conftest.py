from __future__ import annotations

import pytest

from consult.security import limits


@pytest.fixture
def limits_on(app):
    """The abuse limits on (the test config turns them off), counters empty."""
    app.config.update(RATELIMIT_ENABLED=True, NEW_ACCOUNT_COOLDOWN_MINUTES=0)
    limits.reset()
    yield app.config
    limits.reset()
    app.config["RATELIMIT_ENABLED"] = False


@pytest.fixture
def world(app):
    from tests.security.world import build_world
    return build_world()
