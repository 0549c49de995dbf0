"""Reads behind the evaluation pages: filters, score tables, charts and CSV rows.

Every number comes from ``consult.evaluation.scores`` (the one definition); this module
only picks the scope, orders rows and formats them. Each page costs a constant number of
queries: the scores (eleven at most), the names of what is listed (one or two), and the filters'
choices (two).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from consult.accounts.models import Actor, Department
from consult.consultations.models import Consultation, Tag
from consult.db import db
from consult.errors import NotFound
from consult.evaluation import scores as sc
from consult.evaluation import svg
from consult.rounds.models import Round
from consult.security.exports import csv_text
from consult.security.params import id_arg, parse_month
from consult.security.permissions import authorize
from consult.surveys import services as surveys

# Sortable columns: key -> (label, getter of the sort value)
COLUMNS: dict[str, tuple[Any, Any]] = {
    "answers": (_l("Answers"), lambda s: s.answers),
    "satisfaction": (_l("Satisfaction"), lambda s: s.satisfaction.value),
    "rating": (_l("Mean rating"), lambda s: s.rating.value),
    "clarity": (_l("Clarity"), lambda s: s.clarity.value),
    "heard": (_l("Felt heard"), lambda s: s.heard.value),
    "response_rate": (_l("Survey response rate"), lambda s: s.response_rate.value),
    "timeliness": (_l("Responded on time"), lambda s: s.timeliness.value),
    "overdue": (_l("Overdue now"), lambda s: s.overdue),
    "adoption": (_l("Adopted fully or partly"), lambda s: s.adoption.value),
    "participants": (_l("Participants"), lambda s: s.participants_unique),
}


@dataclass(frozen=True)
class Filters:
    start: str = ""  # YYYY-MM
    end: str = ""  # YYYY-MM (inclusive)
    department_id: int | None = None
    tag_id: int | None = None
    sort: str = "satisfaction"
    desc: bool = True
    errors: tuple[str, ...] = ()

    @classmethod
    def from_args(cls, args) -> Filters:
        errors = []
        start, end = args.get("from", "").strip(), args.get("to", "").strip()
        for name, value in (("from", start), ("to", end)):
            if value and _month_start(value) is None:
                errors.append(name)
        def as_int(name):
            if not (args.get(name) or "").strip():
                return None
            value = id_arg(name, args=args)
            if value is None:
                errors.append(name)
            return value
        sort = args.get("sort", "satisfaction")
        return cls(start=start if "from" not in errors else "",
                   end=end if "to" not in errors else "",
                   department_id=as_int("department"), tag_id=as_int("tag"),
                   sort=sort if sort in COLUMNS else "satisfaction",
                   desc=args.get("dir", "desc") != "asc", errors=tuple(errors))

    def scope(self, **more) -> sc.Scope:
        end = _month_start(self.end)
        if end is not None:
            end = end.replace(year=end.year + end.month // 12, month=end.month % 12 + 1)
        return sc.Scope(department_id=self.department_id, tag_id=self.tag_id,
                        start=_month_start(self.start), end=end, **more)

    def args(self, **override) -> dict[str, Any]:
        out = {"from": self.start or None, "to": self.end or None,
               "department": self.department_id, "tag": self.tag_id,
               "sort": self.sort, "dir": "desc" if self.desc else "asc"}
        out.update(override)
        return {k: v for k, v in out.items() if v not in (None, "")}


def _month_start(value: str) -> datetime | None:
    day = parse_month(value or "")
    return datetime(day.year, day.month, 1, tzinfo=UTC) if day else None


def choices() -> dict[str, list]:
    departments = db.session.scalars(select(Department).order_by(Department.name)).all()
    tags = db.session.scalars(select(Tag).order_by(Tag.name)).all()
    return {"departments": departments, "tags": tags}


def _sorted(rows: list[tuple[Any, sc.Scores]], f: Filters) -> list[tuple[Any, sc.Scores]]:
    getter = COLUMNS[f.sort][1]
    present = [r for r in rows if getter(r[1]) is not None]
    missing = [r for r in rows if getter(r[1]) is None]
    present.sort(key=lambda r: getter(r[1]), reverse=f.desc)
    return present + missing  # "not enough answers" always last


def departments_table(actor: Actor, f: Filters) -> list[tuple[Department, sc.Scores]]:
    authorize(actor, "evaluation.view")
    stmt = select(Department).order_by(Department.name)
    if f.department_id is not None:
        stmt = stmt.where(Department.id == f.department_id)
    depts = db.session.scalars(stmt).all()
    found = sc.compute(f.scope(), "department")
    return _sorted([(d, found.get(d.id) or sc.Scores(key=d.id)) for d in depts], f)


def months_table(actor: Actor, f: Filters) -> list[tuple[str, sc.Scores]]:
    authorize(actor, "evaluation.view")
    found = sc.compute(f.scope(), "month")
    return sorted(found.items())


def department(actor: Actor, department_id: int) -> Department:
    authorize(actor, "evaluation.view")
    d = db.session.get(Department, department_id)
    if d is None:
        raise NotFound(_l("This department does not exist."))
    return d


def consultations_table(actor: Actor, dept: Department, f: Filters):
    authorize(actor, "evaluation.view")
    items = db.session.scalars(
        select(Consultation).where(Consultation.department_id == dept.id,
                                   Consultation.published_at.is_not(None))
        .order_by(Consultation.published_at.desc())).all()
    found = sc.compute(replace(f, department_id=dept.id).scope(), "consultation")
    return _sorted([(c, found.get(c.id) or sc.Scores(key=c.id)) for c in items], f)


def consultation(actor: Actor, consultation_id: int) -> Consultation:
    authorize(actor, "evaluation.view")
    c = db.session.get(Consultation, consultation_id)
    if c is None or c.published_at is None:
        raise NotFound(_l("This consultation does not exist."))
    return c


def rounds_table(actor: Actor, c: Consultation, f: Filters):
    authorize(actor, "evaluation.view")
    items = db.session.scalars(select(Round).where(Round.consultation_id == c.id)
                               .order_by(Round.opens_at)).all()
    found = sc.compute(sc.Scope(consultation_id=c.id), "round")
    return [(r, found.get(r.id) or sc.Scores(key=r.id)) for r in items]


def evaluated_round(actor: Actor, round_id: int) -> tuple[Round, Consultation]:
    """A published consultation's round, for evaluators (403), else 404."""
    authorize(actor, "evaluation.view")
    r = db.session.get(Round, round_id)
    c = db.session.get(Consultation, r.consultation_id) if r else None
    if r is None or c is None or c.published_at is None:
        raise NotFound(_l("This round does not exist."))
    return r, c


def round_scores(actor: Actor, round_id: int):
    r, c = evaluated_round(actor, round_id)
    return r, c, sc.overall(sc.Scope(round_id=r.id))


def report(actor: Actor, f: Filters):
    """The printable report: per department its scores and its consultations' scores."""
    authorize(actor, "evaluation.view")
    depts = departments_table(actor, f)
    found = sc.compute(f.scope(), "consultation")
    ids = [d.id for d, _s in depts]
    cons = db.session.scalars(
        select(Consultation).where(Consultation.department_id.in_(ids),
                                   Consultation.published_at.is_not(None))
        .order_by(Consultation.published_at.desc())).all() if ids else []
    per: dict[int, list] = {}
    for c in cons:
        per.setdefault(c.department_id, []).append((c, found.get(c.id) or sc.Scores(key=c.id)))
    return [(d, s, per.get(d.id, [])) for d, s in depts]


def warm_counts() -> None:
    """Read ahead what the default dashboard needs for its distinct participants (``flask
    rounds tick`` does this when Redis is configured). They are now kept counters per
    department and month (``rounds.participants``), so this costs two small queries and
    leaves nothing to count for the first evaluator; kept for the command's contract."""
    for group in ("department", "month"):
        sc.compute(sc.Scope(), group, frozenset({"participation"}))


def public_scores(department_id: int | None = None) -> list[tuple[Department, sc.Scores]]:
    """Published scores (evaluated rounds only) per active department, for anyone: the
    departments with anything to show (a due round or a survey answer)."""
    stmt = select(Department).where(Department.active.is_(True)).order_by(Department.name)
    if department_id is not None:
        stmt = stmt.where(Department.id == department_id)
    depts = db.session.scalars(stmt).all()
    found = sc.compute(sc.Scope(department_id=department_id, published=True), "department",
                       sc.PUBLIC_PARTS)
    return [(d, found[d.id]) for d in depts if d.id in found]


# ---------------------------------------------------------------- charts

def share_chart(title: str, rows: list[tuple[str, sc.Share | sc.Mean]], *,
                percent: bool = True) -> str:
    """Horizontal bars with their 95% intervals (an SVG data URI, consult.evaluation.svg)."""
    k = 100 if percent else 1
    return svg.data_uri(svg.bars(title, [
        (label, None if share.value is None else share.value * k,
         None if share.value is None or share.interval is None
         else (share.interval[0] * k, share.interval[1] * k))
        for label, share in rows], (0, 100) if percent else (1, 5)))


def trend_chart(title: str, months: list[tuple[str, sc.Scores]]) -> str:
    """Satisfaction (with its 95% intervals) and responses on time, by month."""
    satisfaction = [None if s.satisfaction.value is None else
                    (s.satisfaction.value * 100,
                     (s.satisfaction.interval[0] * 100, s.satisfaction.interval[1] * 100))
                    for _m, s in months]
    on_time = [None if s.timeliness.value is None else (s.timeliness.value * 100, None)
               for _m, s in months]
    return svg.data_uri(svg.lines(title, [m for m, _s in months],
                                  [(_("Satisfaction"), satisfaction),
                                   (_("Responded on time"), on_time)]))


# ---------------------------------------------------------------- CSV

CSV_HEADER = [
    _l("Name"), _l("Answers"), _l("Small sample"),
    _l("Satisfaction"), _l("Satisfaction low"), _l("Satisfaction high"),
    _l("Mean rating"), _l("Rating low"), _l("Rating high"), _l("Share rating 4–5"),
    _l("Clarity"), _l("Clarity low"), _l("Clarity high"), _l("Felt heard"),
    _l("Survey respondents who took part"), _l("Participants of surveyed rounds"),
    _l("Survey response rate"),
    _l("Rounds due"), _l("Responded on time"), _l("Overdue now"), _l("Median days late"),
    _l("Opinions in published responses"), _l("Adopted fully or partly"),
    _l("Unique participants"), _l("Comments"),
    _l("Questions"), _l("Ballots"), _l("Questions answered"), _l("Median days to answer"),
    _l("Actions done on time"), _l("Actions done late"), _l("Actions overdue"),
    _l("Actions dropped"),
]


def _fmt(x):
    return "" if x is None else (round(x, 4) if isinstance(x, float) else x)


def csv_row(name: str, s: sc.Scores) -> list:
    def iv(v, i):
        return _fmt(v.interval[i]) if v.interval else ""
    return [name, s.answers, bool(s.small_sample),
            _fmt(s.satisfaction.value), iv(s.satisfaction, 0), iv(s.satisfaction, 1),
            _fmt(s.rating.value), iv(s.rating, 0), iv(s.rating, 1), _fmt(s.rating_high.value),
            _fmt(s.clarity.value), iv(s.clarity, 0), iv(s.clarity, 1), _fmt(s.heard.value),
            s.participant_respondents, s.participants, _fmt(s.response_rate.value),
            s.rounds_due, s.on_time, s.overdue, _fmt(s.median_days_late),
            s.opinions, s.adopted, s.participants_unique, s.comments, s.questions, s.ballots,
            s.questions_answered, _fmt(s.median_answer_days),
            s.actions_done_on_time, s.actions_done_late, s.actions_overdue, s.actions_dropped]


def to_csv(rows: list[tuple[str, sc.Scores]]) -> str:
    return csv_text([str(h) for h in CSV_HEADER], (csv_row(name, s) for name, s in rows))


# ---------------------------------------------------------------- random follow-up samples

@dataclass
class SampleComparison:
    """Opt-in and sampled satisfaction of a round side by side (随机回访): opt-in are the
    answers of people who were not sampled, from the survey's counters less the
    samples'. Shares with Wilson intervals; rates of response likewise."""

    samples: list
    opt_in: sc.Share
    sampled: sc.Share
    opt_in_rate: sc.Share
    sampled_rate: sc.Share


def sample_comparison(round_: Round) -> SampleComparison:
    """Two queries: the survey's counters and the round's samples."""
    survey = surveys.get_survey(round_.id)
    samples = surveys.samples_of(round_.id)
    answered = sum(s.answered for s in samples)
    satisfied = sum(s.satisfied for s in samples)
    members = sum(s.size for s in samples)
    all_satisfied = surveys.satisfied_count(survey)
    return SampleComparison(
        samples=samples,
        opt_in=sc.Share(all_satisfied - satisfied, survey.respondents - answered),
        sampled=sc.Share(satisfied, answered),
        opt_in_rate=sc.Share(survey.participant_respondents - answered,
                             max(round_.participant_count - members, 0)),
        sampled_rate=sc.Share(answered, members))
