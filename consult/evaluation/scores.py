"""Score definitions: the one place that says what every published number means.

Everything is counted by the database with aggregate SQL (``GROUP BY`` a key: the round,
consultation, department, topic tag or month), never by looping over rows in Python, so
a page costs the same few queries whatever the data size. Where a per-round counter kept
in the writer's transaction is the recount of a big table, the counter is summed instead
(survey answers: ``Survey``; participants of a round: ``Round.participant_count``); unique
participants per department and per month, which no per-round counter adds up to, are
read from the counters ``rounds.participants`` keeps per department and closing month
(``ParticipantTally``); the other scopes (a topic, a date range, published rounds only)
recount them, only when they can have changed (``_unique_participants``):

- satisfaction rate: share of answers on the top three of the five levels (非常满意, 满意,
  基本满意), Wilson 95%; the lowest two (不满意, 非常不满意) are 差评;
- rating, clarity: mean of 1–5 with a 95% t-interval clipped to 1–5 (from SUM and SUM of
  squares), and the share of 4–5 with a Wilson interval;
- felt heard: share of "yes" with a Wilson interval;
- survey response rate: respondents who took part / participants of the rounds;
- timeliness: share of due rounds responded by ``response_due_at``, median days late
  (late responses and still-overdue rounds), currently overdue (``lifecycle.overdue_sql``);
- adoption: opinions received in published responses, share adopted fully or partly;
- participation: unique participants, comments, questions, ballots; share of questions
  answered, median days to answer;
- follow-up actions: done on time, done late, overdue, dropped.

Fewer than ``SMALL_SAMPLE`` answers is flagged as a small sample; below ``MIN_SAMPLE``
there is no score at all ("not enough answers"). ``Scope(published=True)`` counts only
evaluated rounds (the survey is over), which is what the public sees.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, literal, or_, select

from consult import pagecache
from consult.clock import now as clock_now
from consult.consultations.models import Consultation, consultation_tag
from consult.db import db
from consult.evaluation.intervals import t_interval, wilson
from consult.participation.models import ContentStatus, Question
from consult.responses.models import ActionStatus, FollowUpAction, RoundResponse
from consult.rounds import lifecycle, participants
from consult.rounds.models import Round, RoundParticipant
from consult.surveys.models import SCALE, Survey

SMALL_SAMPLE = 30
MIN_SAMPLE = 5

GROUPS = ("all", "department", "consultation", "round", "tag", "month")

NOT_ENOUGH = _l("not enough answers")
SMALL = _l("small sample")


@dataclass(frozen=True)
class Share:
    """k of n with a Wilson interval; ``value`` is None below MIN_SAMPLE."""

    k: int
    n: int
    min_sample: int = MIN_SAMPLE

    @property
    def enough(self) -> bool:
        return self.n >= self.min_sample

    @property
    def small(self) -> bool:
        return self.enough and self.n < SMALL_SAMPLE

    @property
    def value(self) -> float | None:
        return self.k / self.n if self.enough else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson(self.k, self.n) if self.enough else None

    def as_dict(self) -> dict[str, Any]:
        low, high = self.interval or (None, None)
        return {"count": self.k, "n": self.n, "value": _round(self.value), "low": _round(low),
                "high": _round(high), "small_sample": self.small, "enough": self.enough}


@dataclass(frozen=True)
class Mean:
    """A 1–5 mean with its t-interval; ``value`` is None below MIN_SAMPLE."""

    total: float
    total_sq: float
    n: int

    @property
    def enough(self) -> bool:
        return self.n >= MIN_SAMPLE

    @property
    def small(self) -> bool:
        return self.enough and self.n < SMALL_SAMPLE

    @property
    def _interval(self) -> tuple[float, float, float] | None:
        return t_interval(self.total, self.total_sq, self.n) if self.enough else None

    @property
    def value(self) -> float | None:
        return self._interval[0] if self.enough else None

    @property
    def interval(self) -> tuple[float, float] | None:
        iv = self._interval
        return (iv[1], iv[2]) if iv else None

    def as_dict(self) -> dict[str, Any]:
        low, high = self.interval or (None, None)
        return {"n": self.n, "value": _round(self.value), "low": _round(low),
                "high": _round(high), "small_sample": self.small, "enough": self.enough}


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


# ---------------------------------------------------------------- scope and keys

@dataclass(frozen=True)
class Scope:
    """Which rounds count. ``start``/``end`` bound the round's closing date [start, end)."""

    department_id: int | None = None
    consultation_id: int | None = None
    round_id: int | None = None
    tag_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    published: bool = False  # only evaluated rounds (public scores)
    now: datetime = field(default_factory=clock_now)

    def round_filters(self, *, evaluated: bool | None = None) -> list:
        evaluated = self.published if evaluated is None else evaluated
        closes = func.coalesce(Round.closed_at, Round.closes_at)
        conds: list = [Consultation.published_at.is_not(None)]
        if self.department_id is not None:
            conds.append(Consultation.department_id == self.department_id)
        if self.consultation_id is not None:
            conds.append(Round.consultation_id == self.consultation_id)
        if self.round_id is not None:
            conds.append(Round.id == self.round_id)
        if self.tag_id is not None:
            conds.append(exists().where(consultation_tag.c.consultation_id == Consultation.id,
                                        consultation_tag.c.tag_id == self.tag_id))
        if self.start is not None:
            conds.append(closes >= self.start)
        if self.end is not None:
            conds.append(closes < self.end)
        if evaluated:
            conds.append(lifecycle.state_sql(self.now) == lifecycle.RoundState.EVALUATED.value)
        return conds


def _month(col):
    return participants.month_sql(col, db.engine.dialect.name)


def _days(later, earlier):
    """Days between two timestamps, as a float, on SQLite and PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", later - earlier) / 86400.0
    return func.julianday(later) - func.julianday(earlier)


def _key(group: str, month_of=None):
    if group == "department":
        return Consultation.department_id
    if group == "consultation":
        return Round.consultation_id
    if group == "round":
        return Round.id
    if group == "tag":
        return consultation_tag.c.tag_id
    if group == "month":
        # The round's close stands in where the event's own time is missing (a round
        # without a response due date, data imported half-done): never a None month.
        fallback = (Round.closed_at, Round.closes_at)
        return _month(func.coalesce(*([month_of] if month_of is not None else []), *fallback))
    return literal("all")


def _base(stmt, group: str):
    """Join Round -> Consultation (and the tag table when grouping by topic)."""
    stmt = stmt.join(Consultation, Consultation.id == Round.consultation_id)
    if group == "tag":
        stmt = stmt.join(consultation_tag, consultation_tag.c.consultation_id == Consultation.id)
    return stmt


def _sum(cond):
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _median_by(base, key, value, where):
    """{key: median(value)} in one query with window functions (SQLite 3.25+, PostgreSQL)."""
    inner = (base.with_only_columns(
        key.label("k"), value.label("v"),
        func.row_number().over(partition_by=key, order_by=value).label("rn"),
        func.count().over(partition_by=key).label("cnt")).where(*where)).subquery()
    rows = db.session.execute(
        select(inner.c.k, func.avg(inner.c.v))
        .where(inner.c.rn.in_([(inner.c.cnt + 1) // 2, (inner.c.cnt + 2) // 2]))
        .group_by(inner.c.k)).all()
    return {k: float(v) for k, v in rows}


UNIQUE_KEPT_SECONDS = 7 * 24 * 3600


def _unique_participants(group: str, key, filters) -> dict[Any, int]:
    """{key: distinct participants} of the rounds in scope.

    For the scopes ``_tallied`` does not cover. A person in two rounds counts once, so no
    per-round counter adds up to this: the count reads every ``RoundParticipant`` row of
    the rounds (a million rows take seconds); it is also the oracle the counters are
    tested against. Those rows are only ever inserted (``rounds.participants.mark``,
    insert-or-ignore), each new one moving ``Round.participant_count`` in the same
    transaction: so a key's rounds as (id, created_at, participant_count) change whenever
    its count can change. Counts are kept per app against that fingerprint of each key's
    rounds (one row per round, not per participant), and only keys whose rounds changed
    (a new participant, a round moved in or out) are counted again, reading only their
    rounds' rows. The count runs after the fingerprint is read, so it is never older
    than the fingerprint it is kept under. The counts are kept in the page cache's store
    (Redis with REDIS_URL: shared by every worker and server, so a fresh worker does not
    count again; else in the process).
    """
    rounds: dict[Any, list[tuple]] = {}
    for k, *fingerprint in db.session.execute(
            _base(select(key, Round.id, Round.created_at, Round.participant_count)
                  .select_from(Round), group).where(*filters).order_by(key, Round.id)):
        rounds.setdefault(k, []).append(tuple(fingerprint))
    digests = {k: "unique:" + hashlib.sha256(repr((group, v)).encode()).hexdigest()[:40]
               for k, v in rounds.items()}
    found = _kept(digests)
    missing = [k for k in digests if k not in found]
    if missing:
        narrow = [key.in_(missing)] if len(missing) < len(digests) else []
        if group == "month" or db.engine.dialect.name == "sqlite":
            # Each round's key worked out once (MATERIALIZED), not once per participant
            # row: a million strftime/to_char calls and a sort on text otherwise. Not for
            # PostgreSQL's integer keys: it walks those in index order without a sort.
            scoped = (_base(select(Round.id.label("round_id"), key.label("k"))
                            .select_from(Round), group).where(*filters, *narrow)
                      .cte("scoped").prefix_with("MATERIALIZED"))
            stmt = (select(scoped.c.k, func.count(func.distinct(RoundParticipant.user_id)))
                    .select_from(scoped)
                    .join(RoundParticipant, RoundParticipant.round_id == scoped.c.round_id)
                    .group_by(scoped.c.k))
        else:
            stmt = (_base(select(key, func.count(func.distinct(RoundParticipant.user_id)))
                          .select_from(RoundParticipant)
                          .join(Round, Round.id == RoundParticipant.round_id), group)
                    .where(*filters, *narrow).group_by(key))
        counted = dict(db.session.execute(stmt).all())
        for k in missing:
            found[k] = counted.get(k, 0)
        pagecache.keep({digests[k]: found[k] for k in missing}, timeout=UNIQUE_KEPT_SECONDS)
    return {k: n for k, n in found.items() if n}


def _kept(digests: dict[Any, str]) -> dict[Any, int]:
    keys = list(digests)
    values = pagecache.kept(*(digests[k] for k in keys)) if keys else None
    return {k: v for k, v in zip(keys, values or (), strict=False) if v is not None}


# ---------------------------------------------------------------- the scores

@dataclass
class Scores:
    key: Any
    answers: int = 0
    satisfaction: Share = field(default_factory=lambda: Share(0, 0))
    rating: Mean = field(default_factory=lambda: Mean(0, 0, 0))
    rating_high: Share = field(default_factory=lambda: Share(0, 0))
    clarity: Mean = field(default_factory=lambda: Mean(0, 0, 0))
    clarity_high: Share = field(default_factory=lambda: Share(0, 0))
    heard: Share = field(default_factory=lambda: Share(0, 0))
    participant_respondents: int = 0
    participants: int = 0  # eligible: participants of rounds whose survey opened
    participants_unique: int = 0
    rounds_due: int = 0
    on_time: int = 0
    overdue: int = 0
    median_days_late: float | None = None
    opinions: int = 0
    adopted: int = 0
    comments: int = 0
    questions: int = 0
    ballots: int = 0
    questions_asked: int = 0
    questions_answered: int = 0
    median_answer_days: float | None = None
    actions_done_on_time: int = 0
    actions_done_late: int = 0
    actions_overdue: int = 0
    actions_dropped: int = 0
    actions_total: int = 0

    @property
    def small_sample(self) -> bool:
        return MIN_SAMPLE <= self.answers < SMALL_SAMPLE

    @property
    def enough(self) -> bool:
        return self.answers >= MIN_SAMPLE

    @property
    def response_rate(self) -> Share:
        # A rate of participants, not of answers: any number of participants shows it.
        return Share(self.participant_respondents, self.participants, min_sample=1)

    @property
    def timeliness(self) -> Share:
        return Share(self.on_time, self.rounds_due, min_sample=1)

    @property
    def adoption(self) -> Share:
        return Share(self.adopted, self.opinions, min_sample=1)

    @property
    def answered(self) -> Share:
        return Share(self.questions_answered, self.questions_asked, min_sample=1)

    def as_dict(self) -> dict[str, Any]:
        return {
            "answers": self.answers, "small_sample": self.small_sample, "enough": self.enough,
            "satisfaction": self.satisfaction.as_dict(), "rating": self.rating.as_dict(),
            "rating_4_5": self.rating_high.as_dict(), "clarity": self.clarity.as_dict(),
            "clarity_4_5": self.clarity_high.as_dict(), "felt_heard": self.heard.as_dict(),
            "response_rate": self.response_rate.as_dict(),
            "timeliness": {**self.timeliness.as_dict(), "overdue": self.overdue,
                           "median_days_late": _round(self.median_days_late)},
            "adoption": self.adoption.as_dict(),
            "participation": {"participants": self.participants_unique, "comments": self.comments,
                              "questions": self.questions, "ballots": self.ballots,
                              "questions_answered": self.answered.as_dict(),
                              "median_answer_days": _round(self.median_answer_days)},
            "actions": {"done_on_time": self.actions_done_on_time,
                        "done_late": self.actions_done_late, "overdue": self.actions_overdue,
                        "dropped": self.actions_dropped, "total": self.actions_total},
        }


PARTS = frozenset({"survey", "rate", "timeliness", "participation", "questions", "adoption",
                   "actions"})
PUBLIC_PARTS = frozenset({"survey", "rate", "timeliness", "adoption"})


class _Collect(dict):
    """The Scores of each group key, made on first use."""

    def __missing__(self, key) -> Scores:
        self[key] = Scores(key=key)
        return self[key]


def compute(scope: Scope | None = None, group: str = "all",
            parts: frozenset[str] = PARTS) -> dict[Any, Scores]:
    """Every score for the rounds in ``scope``, grouped by ``group`` (see GROUPS): one
    named step per part asked for (``STEPS``).

    A constant number of queries whatever the data size: ten for all ``parts`` when the
    unique participants come from the counters (per department or month) or are
    unchanged since they were last counted, eleven when they are recounted, fewer when
    only some parts are asked for (the others stay zero).
    """
    if group not in GROUPS or not parts <= PARTS:
        raise ValueError(group)
    scope = scope or Scope()
    out = _Collect()
    for part, step in STEPS.items():
        if part in parts:
            step(out, scope, group)
    return dict(out)


def _survey_answers(out: _Collect, scope: Scope, group: str) -> None:
    """Survey answers, from each round's ``Survey`` counters: they move in every answer's
    own transaction (``surveys`` services), so they are the answers' recount, read in one
    row per round instead of one per answer. Sums of squares and shares of 4-5 come from
    the 1..5 histograms."""
    key = _key(group, Round.response_published_at)

    def total(*cols):
        return func.coalesce(func.sum(sum(cols[1:], cols[0])), 0)

    def squares(prefix: str):
        return total(*(getattr(Survey, f"{prefix}_{v}") * (v * v) for v in SCALE))

    stmt = _base(select(
        key, total(Survey.respondents),
        total(Survey.very_satisfied, Survey.satisfied, Survey.basically_satisfied),
        total(Survey.rating_sum), squares("rating"), total(Survey.rating_4, Survey.rating_5),
        total(Survey.clarity_sum), squares("clarity"),
        total(Survey.clarity_4, Survey.clarity_5), total(Survey.heard_yes),
        total(Survey.participant_respondents),
    ).select_from(Survey).join(Round, Round.id == Survey.round_id), group)
    for k, n, s, r, r2, rh, c, c2, ch, h, pr in db.session.execute(
            stmt.where(*scope.round_filters(), Survey.respondents > 0).group_by(key)).all():
        sc = out[k]
        sc.answers = n
        sc.satisfaction = Share(s, n)
        sc.rating, sc.rating_high = Mean(r, r2, n), Share(rh, n)
        sc.clarity, sc.clarity_high = Mean(c, c2, n), Share(ch, n)
        sc.heard = Share(h, n)
        sc.participant_respondents = pr


def _eligible_participants(out: _Collect, scope: Scope, group: str) -> None:
    """The response rate's denominator: participants of the rounds whose survey has opened,
    from ``Round.participant_count`` (moved with each new ``RoundParticipant`` row)."""
    key = _key(group, Round.response_published_at)
    stmt = _base(select(key, func.coalesce(func.sum(Round.participant_count), 0))
                 .select_from(Round), group)
    for k, n in db.session.execute(
            stmt.where(*scope.round_filters(), Round.response_published_at.is_not(None),
                       Round.participant_count > 0).group_by(key)):
        out[k].participants = n


def _timeliness(out: _Collect, scope: Scope, group: str) -> None:
    """Responses on time over every round whose response is due or given (not only
    evaluated rounds), and the median days late (late responses, and rounds still
    unanswered past their due date)."""
    now, filters = scope.now, scope.round_filters(evaluated=False)
    key = _key(group, Round.response_due_at)
    due = or_(Round.response_published_at.is_not(None), Round.response_due_at < now)
    on_time = and_(Round.response_published_at.is_not(None),
                   Round.response_published_at <= Round.response_due_at)
    stmt = _base(select(key, func.count(), _sum(on_time), _sum(lifecycle.overdue_sql(now)))
                 .select_from(Round), group)
    for k, n, ok, late in db.session.execute(stmt.where(*filters, due).group_by(key)):
        sc = out[k]
        sc.rounds_due, sc.on_time, sc.overdue = n, ok, late
    answered_or_now = func.coalesce(Round.response_published_at,
                                    literal(now, Round.response_due_at.type))
    late_where = [*filters, or_(
        and_(Round.response_published_at.is_not(None),
             Round.response_published_at > Round.response_due_at),
        lifecycle.overdue_sql(now))]
    for k, v in _median_by(_base(select(Round.id).select_from(Round), group), key,
                           _days(answered_or_now, Round.response_due_at), late_where).items():
        out[k].median_days_late = v


def _participation(out: _Collect, scope: Scope, group: str) -> None:
    """Comments, questions and ballots from the rounds' counters, and the unique
    participants (a person in two rounds of one department counts once)."""
    key, filters = _key(group), scope.round_filters()
    stmt = _base(select(key, func.coalesce(func.sum(Round.comment_count), 0),
                        func.coalesce(func.sum(Round.question_count), 0),
                        func.coalesce(func.sum(Round.ballot_count), 0)).select_from(Round),
                 group)
    for k, cm, q, b in db.session.execute(stmt.where(*filters).group_by(key)):
        sc = out[k]
        sc.comments, sc.questions, sc.ballots = cm, q, b
    found = _tallied(scope, group)
    if found is None:
        found = _unique_participants(group, key, filters)
    for k, n in found.items():
        out[k].participants_unique = n


def _tallied(scope: Scope, group: str) -> dict[Any, int] | None:
    """Unique participants per department or per month (of every department or of one)
    from the counters kept as people take part: one small query, whatever the number of
    participant rows. None for a scope the counters do not cover (a topic, a consultation,
    a round, a date range, evaluated rounds only, other groups): those are recounted."""
    if (group not in ("department", "month") or scope.published or scope.tag_id is not None
            or scope.consultation_id is not None or scope.round_id is not None
            or scope.start is not None or scope.end is not None):
        return None
    return participants.tallies(by=group, department_id=scope.department_id)


def _questions(out: _Collect, scope: Scope, group: str) -> None:
    """Questions answered, and the median days to answer."""
    key = _key(group)
    stmt = _base(select(key, func.count(Question.id), _sum(Question.answered_at.is_not(None)))
                 .select_from(Question).join(Round, Round.id == Question.round_id), group)
    q_where = [*scope.round_filters(), Question.status != ContentStatus.WITHDRAWN]
    for k, n, a in db.session.execute(stmt.where(*q_where).group_by(key)):
        sc = out[k]
        sc.questions_asked, sc.questions_answered = n, a
    base = _base(select(Question.id).select_from(Question)
                 .join(Round, Round.id == Question.round_id), group)
    for k, v in _median_by(base, key, _days(Question.answered_at, Question.created_at),
                           [*q_where, Question.answered_at.is_not(None)]).items():
        out[k].median_answer_days = v


def _adoption(out: _Collect, scope: Scope, group: str) -> None:
    """Adoption from the published responses' counters."""
    key = _key(group, RoundResponse.published_at)
    stmt = _base(select(key, func.coalesce(func.sum(RoundResponse.opinion_count), 0),
                        func.coalesce(func.sum(RoundResponse.adopted_count
                                               + RoundResponse.partly_count), 0))
                 .select_from(RoundResponse).join(Round, Round.id == RoundResponse.round_id),
                 group)
    for k, n, a in db.session.execute(
            stmt.where(*scope.round_filters(), RoundResponse.published_at.is_not(None))
            .group_by(key)):
        sc = out[k]
        sc.opinions, sc.adopted = n, a


def _follow_up_actions(out: _Collect, scope: Scope, group: str) -> None:
    """Published follow-up actions: done on time, done late, overdue, dropped."""
    today: date = scope.now.date()
    key = _key(group, Round.response_published_at)
    done = FollowUpAction.status == ActionStatus.DONE
    open_ = FollowUpAction.status.in_([ActionStatus.PLANNED, ActionStatus.IN_PROGRESS])
    stmt = _base(select(
        key, func.count(FollowUpAction.id),
        _sum(and_(done, FollowUpAction.last_update_on <= FollowUpAction.due_on)),
        _sum(and_(done, or_(FollowUpAction.last_update_on.is_(None),
                            FollowUpAction.last_update_on > FollowUpAction.due_on))),
        _sum(and_(open_, FollowUpAction.due_on < today)),
        _sum(FollowUpAction.status == ActionStatus.DROPPED),
    ).select_from(FollowUpAction).join(Round, Round.id == FollowUpAction.round_id), group)
    for k, n, ok, late, over, dropped in db.session.execute(
            stmt.where(*scope.round_filters(evaluated=False),
                       FollowUpAction.published.is_(True)).group_by(key)):
        sc = out[k]
        sc.actions_total, sc.actions_done_on_time, sc.actions_done_late = n, ok, late
        sc.actions_overdue, sc.actions_dropped = over, dropped


# The parts of ``compute``, each a named step over the rounds in scope.
STEPS = {"survey": _survey_answers, "rate": _eligible_participants,
         "timeliness": _timeliness, "participation": _participation,
         "questions": _questions, "adoption": _adoption, "actions": _follow_up_actions}


def overall(scope: Scope | None = None) -> Scores:
    return compute(scope, "all").get("all") or Scores(key="all")


def by(scope: Scope | None, group: str, keys) -> list[Scores]:
    """Scores for each of ``keys`` in order, empty ones included."""
    found = compute(scope, group)
    return [found.get(k) or Scores(key=k) for k in keys]
