"""Demo rounds for ``flask seed-demo``, in every state (runs after consultations/seed.py).

Rounds are made through the services as the department's official. Past rounds use
``add_round(..., _allow_past=True)``; responses published in the past go through
``lifecycle.mark_responded(..., at=...)``; a final ``lifecycle.tick()`` writes the
clock-driven transitions to the audit log as "system". So the audit log tells the true
story of how the demo came to be. An unpublished consultation gets one scheduled round
(prepared before publishing). A consultation that already has rounds is left alone
(idempotent); without demo consultations nothing happens.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from consult.accounts.models import Role, RoleAssignment, User
from consult.clock import now as clock_now
from consult.consultations.models import Consultation, DraftVersion
from consult.db import db
from consult.rounds import lifecycle, services
from consult.rounds.models import Round

ZONE = ZoneInfo("Asia/Shanghai")

TITLES = {
    "comments": "公开征求意见",
    "vote": "方案表决",
    "both": "征求意见与表决",
}

# What the newest version of the n-th demo consultation goes through (cycled), so that
# every state is on show: open, scheduled, closed awaiting a response, response
# overdue, responded, evaluated.
SCENARIOS = ("open", "scheduled", "closed", "overdue", "responded", "evaluated")


def _at(days: int, hour: int = 9) -> datetime:
    """``days`` from today at ``hour`` o'clock Beijing time, in UTC."""
    local = (clock_now().astimezone(ZONE) + timedelta(days=days)).replace(
        hour=hour, minute=0, second=0, microsecond=0)
    return local.astimezone(UTC)


def _official_of(department_id: int) -> User | None:
    return db.session.scalar(
        select(User).join(RoleAssignment).where(
            RoleAssignment.role == Role.OFFICIAL, RoleAssignment.department_id == department_id,
            User.active.is_(True))
        .options(selectinload(User.roles)).order_by(User.id).limit(1))


# The demo rounds are shorter than the default statutory minimum of 30 days: their public
# reason (the service keeps it only for a round that is that short).
SHORT_REASON = ("本办法涉及的服务事项需在年内落实，且主要内容已在前期调研中广泛听取意见，"
                "经研究，本轮征求意见期适当缩短。")


def _add(official: User, consultation: Consultation, version: DraftVersion, *, kind: str,
         title: str, opens: int, closes: int, due: int, survey_days: int = 14) -> Round:
    r = services.add_round(
        official, consultation, kind=kind, version_id=version.id, title=title,
        opens_at=_at(opens), closes_at=_at(closes, 18), response_due_at=_at(due, 18),
        survey_days=survey_days, show_live_results=kind == "vote", _allow_past=opens < 0,
        short_period_reason=SHORT_REASON)
    return services.get_round(official, r.id)


def _scenario(official: User, c: Consultation, version: DraftVersion, scenario: str,
              *, label: str) -> None:
    kind = "both" if scenario in ("open", "responded") else "comments"
    title = f"{label}{TITLES[kind]}"
    if scenario == "open":
        r = _add(official, c, version, kind=kind, title=title, opens=-10, closes=2, due=20)
        services.extend_round(official, r, new_closes_at=_at(5, 18),
                              reason="应社区居民要求，延长征求意见期三天，方便上班族在周末提出意见。")
    elif scenario == "scheduled":
        _add(official, c, version, kind=kind, title=title, opens=6, closes=26, due=45)
    elif scenario == "closed":
        r = _add(official, c, version, kind=kind, title=title, opens=-18, closes=3, due=18)
        services.close_round(official, r,
                             reason="本轮已收到大量意见，主要问题已充分反映，提前结束以便尽快修改草案。")
    elif scenario == "overdue":
        _add(official, c, version, kind=kind, title=title, opens=-50, closes=-30, due=-6)
    elif scenario == "responded":
        r = _add(official, c, version, kind=kind, title=title, opens=-40, closes=-20, due=-3)
        lifecycle.mark_responded(official, r, at=_at(-5, 15))
    elif scenario == "evaluated":
        r = _add(official, c, version, kind=kind, title=title, opens=-70, closes=-50, due=-35)
        lifecycle.mark_responded(official, r, at=_at(-38, 15))


def seed() -> None:
    consultations = list(db.session.scalars(
        select(Consultation)
        .where(~exists().where(Round.consultation_id == Consultation.id))
        .options(selectinload(Consultation.versions)).order_by(Consultation.id)))
    n = 0
    for c in consultations:
        official = _official_of(c.department_id)
        if official is None or not c.versions:
            continue  # no one may run its rounds, or nothing to ask about yet
        if c.published_at is None:
            # Prepared before publishing: only the department sees it for now.
            _scenario(official, c, c.versions[-1], "scheduled", label="")
            continue
        scenario = SCENARIOS[n % len(SCENARIOS)]
        n += 1
        if len(c.versions) > 1:
            # The first version went through a whole round already.
            first = _add(official, c, c.versions[0], kind="comments",
                         title="第一轮" + TITLES["comments"], opens=-120, closes=-100, due=-85)
            lifecycle.mark_responded(official, first, at=_at(-88, 15))
            _scenario(official, c, c.versions[-1], scenario, label="第二轮")
        else:
            _scenario(official, c, c.versions[-1], scenario, label="")
    lifecycle.tick()
