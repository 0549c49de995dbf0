"""The monthly figures as CSV rows and JSON, for the evaluation export and the API."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from consult.evaluation.scores import Share
from consult.rectification.services.reads import Figures
from consult.security.exports import csv_text

CSV_HEADER = [
    _l("Month"), _l("Rank"), _l("Department"), _l("Ratings"), _l("Bad ratings"),
    _l("Bad rating rate"), _l("Bad rate low"), _l("Bad rate high"), _l("Voided after appeal"),
    _l("Followed up"), _l("Follow-ups due"), _l("Followed up in time"),
    _l("Followed up in time low"), _l("Followed up in time high"), _l("Resolved"),
    _l("Resolved in time"), _l("In time low"),
    _l("In time high"), _l("Rectified"), _l("Rectification rate"), _l("Explained"),
    _l("Re-rated"), _l("Re-rated better"), _l("Better low"), _l("Better high"),
    # "Voided after appeal" is the number of appeals upheld: one column, not two.
    _l("Appealed"), _l("Escalated"), _l("Last two months in a row"),
]


def _fmt(x):
    return "" if x is None else (round(x, 4) if isinstance(x, float) else x)


def _share(s: Share) -> dict[str, Any]:
    return s.as_dict()


def csv_row(f: Figures, name: str) -> list:
    def iv(s: Share, i: int):
        return _fmt(s.interval[i]) if s.interval else ""
    return [f.month.strftime("%Y-%m") if f.month else "", f.rank or "", name, f.rated,
            f.opened, _fmt(f.bad_share.value), iv(f.bad_share, 0), iv(f.bad_share, 1),
            f.voided,
            f.followed_up, f.follow_up_due, _fmt(f.follow_up_share.value),
            iv(f.follow_up_share, 0), iv(f.follow_up_share, 1),
            f.resolved, _fmt(f.in_time_share.value), iv(f.in_time_share, 0),
            iv(f.in_time_share, 1), f.rectified, _fmt(f.rectified_share.value), f.explained,
            f.rerated, _fmt(f.improved_share.value), iv(f.improved_share, 0),
            iv(f.improved_share, 1), f.appealed, f.escalated, "last_twice" in f.flags]


def to_csv(rows: list[tuple[Figures, str]]) -> str:
    """Through the site's one CSV writer: the BOM, no formulas, yes/no in words."""
    return csv_text([str(h) for h in CSV_HEADER], (csv_row(f, name) for f, name in rows))


def as_json(f: Figures) -> dict[str, Any]:
    d = f.department
    return {"month": f.month.strftime("%Y-%m") if f.month else None,
            "department": {"id": d.id, "slug": d.slug, "name": d.name} if d else None,
            "rank": f.rank, "departments_ranked": f.ranked or None,
            "ratings": f.rated, "bad_ratings": f.opened,
            "bad_rating_rate": _share(f.bad_share), "voided": f.voided,
            "followed_up": f.followed_up, "followed_up_in_time": _share(f.follow_up_share),
            "rectified": f.rectified, "explained": f.explained, "rerated": f.rerated,
            "escalated": f.escalated, "overdue_now": f.overdue if f.month is None else None,
            "resolved_in_time": _share(f.in_time_share),
            "rectification_rate": _share(f.rectified_share),
            "rerated_better": _share(f.improved_share),
            "appeals_upheld": _share(f.upheld_share),
            "last_two_months_in_a_row": "last_twice" in f.flags}
