"""Relative times say "刚刚" (just now) in the first minute, never "1 分钟前" right after
saving, in both languages."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from flask_babel import force_locale

from consult.clock import now
from consult.i18n import relative


@pytest.mark.parametrize("locale, just_now, five_ago, later", [
    ("zh_CN", "刚刚", "5分钟前", "3天后"),
    ("en", "just now", "5 minutes ago", "in 3 days")])
def test_relative_times(app, locale, just_now, five_ago, later):
    with app.test_request_context(), force_locale(locale), time_machine.travel(now(), tick=False):
        at = now()
        for seconds in (0, 1, 30, 59):
            assert relative(at - timedelta(seconds=seconds)) == just_now, seconds
        assert relative(at + timedelta(seconds=20)) == just_now
        assert relative(at - timedelta(minutes=5)) == five_ago
        assert relative(at + timedelta(days=3)) == later
        assert relative(None) == ""
