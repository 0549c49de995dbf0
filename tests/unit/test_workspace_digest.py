"""The officials' daily digest: sent by ``flask rounds tick`` once per local day after the
configured hour, to officials with something waiting, never twice (controlled clock)."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine

from tests.factories import UserFactory, closed_round, question

# 2026-12-02 in Shanghai (UTC+8): 06:00 local is 22:00 UTC the day before.
EARLY = datetime(2026, 12, 1, 22, 0, tzinfo=UTC)
MORNING = datetime(2026, 12, 2, 1, 30, tzinfo=UTC)      # 09:30 local
LATER = datetime(2026, 12, 2, 7, 0, tzinfo=UTC)         # 15:00 local, same day
NEXT_DAY = datetime(2026, 12, 3, 1, 30, tzinfo=UTC)


def tick(app):
    result = app.test_cli_runner().invoke(args=["rounds", "tick"])
    assert result.exit_code == 0, result.output
    return result.output


def test_one_digest_per_official_and_day(app, outbox):
    with time_machine.travel(EARLY, tick=False):
        r, _dept, official = closed_round()
        question(r, body="补贴何时发放？")
        UserFactory(role="official", role__department=_dept)  # nothing else waits for… the same
        _other, _other_dept, idle = closed_round()  # a closed round waits for idle's response
        nobody = UserFactory()
        assert "digest" not in tick(app)
        assert outbox == []
    with time_machine.travel(MORNING, tick=False):
        output = tick(app)
        assert "workspace digests sent" in output
        recipients = sorted(m.to[0] for m in outbox)
        assert official.email in recipients and idle.email in recipients
        assert nobody.email not in recipients
        mine = next(m for m in outbox if m.to[0] == official.email)
        assert "补贴何时发放？" in mine.body and "/manage/" in mine.body
        count = len(outbox)
    with time_machine.travel(LATER, tick=False):
        tick(app)
        assert len(outbox) == count  # never twice the same day
    with time_machine.travel(NEXT_DAY, tick=False):
        tick(app)
        assert len(outbox) > count
