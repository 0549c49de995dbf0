"""Suggestions are made through the services (their events and counters are the real ones)."""

from __future__ import annotations

from consult.db import atomic
from consult.suggestions import services


def make_suggestion(author, department=None, **fields):
    data = dict(title="老旧小区加装电梯审批太慢", problem="审批要跑六个部门，一年还办不下来。",
                affected="老旧小区的老年住户", location="全市", proposal="设一个窗口统一受理。",
                tags="", links="")
    data.update(fields)
    with atomic():
        return services.submit_suggestion(
            author, department_id=department.id if department is not None else None, **data)
