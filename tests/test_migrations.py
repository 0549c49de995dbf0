"""The migrations build the schema from nothing, and the models have not moved on
without them (what ``flask db check`` checks)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import flask_migrate
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData, Table, create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from consult.extensions import db
from tests.conftest import make_app


@pytest.fixture
def empty_database(pytestconfig, tmp_path):
    """Settings for an app on an empty database: a temporary SQLite file, or a fresh
    schema in the PostgreSQL test database."""
    url = pytestconfig.consult_db_url
    if url is None:
        yield {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'migrations.sqlite3'}",
               "SQLALCHEMY_ENGINE_OPTIONS": {}}
        return
    schema = f"migrations_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield {"SQLALCHEMY_ENGINE_OPTIONS": {
            "connect_args": {"options": f"-csearch_path={schema}"}}}
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _insert(table: str, **values) -> int:
    """Insert one row as the table is in the database now (reflected, not the model):
    required columns not given get a plain value of their type. Returns the new id."""
    t = Table(table, MetaData(), autoload_with=db.session.connection())
    row = dict(values)
    at = datetime.now(UTC)
    for index, col in enumerate(t.columns):
        if col.name in row or col.name == "id" or col.nullable or col.server_default is not None:
            continue
        python_type = col.type.python_type
        # (times later column by column: a round's opening comes before its close, which
        # two readings of the clock in one microsecond did not always give)
        row[col.name] = {bool: False, int: 0, str: "x",
                         datetime: at + timedelta(minutes=index)}.get(python_type, "x")
    return db.session.execute(t.insert().values(**row)).inserted_primary_key[0]


def differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


# Flask-Migrate's generated env.py still calls Flask-SQLAlchemy's deprecated get_engine().
@pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")
def test_upgrade_from_empty_matches_the_models(pytestconfig, empty_database):
    app = make_app(pytestconfig, **empty_database)
    with app.app_context():
        try:
            assert inspect(db.engine).get_table_names() == []
            flask_migrate.upgrade()
            tables = set(inspect(db.engine).get_table_names())
            assert {"user", "department", "role_assignment", "audit_entry",
                    "alembic_version"} <= tables
            assert tables - {"alembic_version"} == set(db.metadata.tables)

            diff = differences()
            assert diff == [], (
                "The models and the migrations differ; run `flask db migrate`:\n"
                + "\n".join(map(str, diff)))

            # Down to nothing and up again: the downgrade is usable too.
            flask_migrate.downgrade(revision="base")
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            flask_migrate.upgrade()
            assert differences() == []
        finally:
            db.session.remove()
            db.engine.dispose()


QUESTIONNAIRE = "8ae5f116edc9"  # one questionnaire for polls and surveys
BEFORE_QUESTIONNAIRE = "0960a57a8376"


def _rows(sql: str) -> list[tuple]:
    rows = [tuple(row) for row in db.session.execute(text(sql))]
    db.session.commit()  # no transaction left open for the next migration to wait for
    return rows


def _old_rows() -> dict[str, list[tuple]]:
    return {
        "poll_question": _rows("SELECT id, round_id, position, text, multiple, "
                               "respondent_count FROM poll_question ORDER BY id"),
        "poll_option": _rows("SELECT id, question_id, position, text, vote_count "
                             "FROM poll_option ORDER BY id"),
        "ballot_choice": _rows("SELECT ballot_id, option_id, question_id FROM ballot_choice "
                               "ORDER BY option_id"),
        "survey_question": _rows("SELECT id, round_id, position, text, kind, "
                                 "respondent_count FROM survey_question ORDER BY id"),
        "survey_option": _rows("SELECT id, question_id, position, text, answer_count "
                               "FROM survey_option ORDER BY id"),
        "survey_answer_choice": _rows("SELECT answer_id, option_id, question_id "
                                      "FROM survey_answer_choice ORDER BY option_id"),
        "survey_answer_text": _rows("SELECT answer_id, question_id, body "
                                    "FROM survey_answer_text ORDER BY question_id"),
    }


def _new_rows() -> dict[str, list[tuple]]:
    return {
        "questionnaire": _rows("SELECT round_id, purpose FROM questionnaire "
                               "ORDER BY purpose"),
        "question": _rows("SELECT q.id, n.purpose, q.position, q.text, q.kind, "
                          "q.respondent_count FROM questionnaire_question q "
                          "JOIN questionnaire n ON n.id = q.questionnaire_id ORDER BY q.id"),
        "option": _rows("SELECT id, question_id, position, text, answer_count "
                        "FROM questionnaire_option ORDER BY id"),
        "choice": _rows("SELECT purpose, owner_id, option_id, question_id "
                        "FROM questionnaire_answer_choice ORDER BY option_id"),
        "text": _rows("SELECT purpose, owner_id, question_id, body "
                      "FROM questionnaire_answer_text ORDER BY question_id"),
    }


@pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")
def test_questionnaire_migration_moves_polls_and_surveys_and_back(pytestconfig,
                                                                  empty_database):
    """Poll and survey questions, options and answers move into the shared tables with
    their counters (poll ids kept, survey ids moved past the poll's), back on downgrade,
    and keep their ids through a second upgrade."""

    app = make_app(pytestconfig, **empty_database)
    with app.app_context():
        try:
            flask_migrate.upgrade(revision=BEFORE_QUESTIONNAIRE)
            # Rows as the schema at that revision has them (the models have moved on).
            dept = _insert("department", slug="d")
            user = _insert("user", email="a@example.org")
            consultation = _insert("consultation", department_id=dept)
            version = _insert("draft_version", consultation_id=consultation, number=1)
            round_id = _insert("round", consultation_id=consultation, version_id=version,
                               kind="both")
            ballot_id = _insert("ballot", round_id=round_id, user_id=user, stance="support")
            answer_id = _insert("survey_answer", round_id=round_id, user_id=user,
                                satisfaction="satisfied", rating=4, clarity=5, heard="yes")
            for sql in (
                f"INSERT INTO poll_question VALUES (1, {round_id}, 1, '单选', false, 1)",
                f"INSERT INTO poll_question VALUES (2, {round_id}, 2, '多选', true, 1)",
                "INSERT INTO poll_option VALUES (1, 1, 1, '甲', 1), (2, 1, 2, '乙', 0), "
                "(3, 2, 1, '丙', 1), (4, 2, 2, '丁', 1)",
                f"INSERT INTO ballot_choice VALUES ({ballot_id}, 1, 1), ({ballot_id}, 3, 2), "
                f"({ballot_id}, 4, 2)",
                f"INSERT INTO survey_question VALUES (1, {round_id}, 1, '打分', 'scale', 1), "
                f"(2, {round_id}, 2, '建议', 'text', 1)",
                "INSERT INTO survey_option VALUES (1, 1, 1, '1', 0), (2, 1, 2, '2', 1)",
                f"INSERT INTO survey_answer_choice VALUES ({answer_id}, 2, 1)",
                f"INSERT INTO survey_answer_text VALUES ({answer_id}, 2, '多开说明会。')",
            ):
                db.session.execute(text(sql))
            db.session.commit()
            before = _old_rows()

            flask_migrate.upgrade()
            moved = _new_rows()
            assert moved == {
                "questionnaire": [(round_id, "poll"), (round_id, "survey")],
                "question": [(1, "poll", 1, "单选", "single", 1),
                             (2, "poll", 2, "多选", "multiple", 1),
                             (3, "survey", 1, "打分", "scale", 1),
                             (4, "survey", 2, "建议", "text", 1)],
                "option": [(1, 1, 1, "甲", 1), (2, 1, 2, "乙", 0), (3, 2, 1, "丙", 1),
                           (4, 2, 2, "丁", 1), (5, 3, 1, "1", 0), (6, 3, 2, "2", 1)],
                "choice": [("poll", ballot_id, 1, 1), ("poll", ballot_id, 3, 2),
                           ("poll", ballot_id, 4, 2), ("survey", answer_id, 6, 3)],
                "text": [("survey", answer_id, 4, "多开说明会。")],
            }
            # New rows get new ids (PostgreSQL's sequences moved past the copied ones).
            db.session.execute(text(
                "INSERT INTO questionnaire_option (question_id, position, text, answer_count) "
                "VALUES (4, 1, '新', 0)"))
            assert db.session.scalar(text("SELECT MAX(id) FROM questionnaire_option")) == 7
            db.session.rollback()

            flask_migrate.downgrade(revision=BEFORE_QUESTIONNAIRE)
            back = _old_rows()
            assert {k: v for k, v in back.items() if not k.startswith("survey")} == \
                {k: v for k, v in before.items() if not k.startswith("survey")}
            assert back["survey_question"] == [(3, round_id, 1, "打分", "scale", 1),
                                               (4, round_id, 2, "建议", "text", 1)]
            assert back["survey_option"] == [(5, 3, 1, "1", 0), (6, 3, 2, "2", 1)]
            assert back["survey_answer_choice"] == [(answer_id, 6, 3)]
            assert back["survey_answer_text"] == [(answer_id, 4, "多开说明会。")]

            flask_migrate.upgrade()  # ids that no longer collide stay as they are
            assert _new_rows() == moved
        finally:
            db.session.remove()
            db.engine.dispose()


NO_AUTHOR = "5d0c1e7b9a24"  # recorded opinions have no author
BEFORE_NO_AUTHOR = "a60f38061eaa"


@pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")
def test_recorded_opinions_lose_their_author_and_keep_everything_pointing_at_them(
        pytestconfig, empty_database):
    """Up: a recorded letter's comment and triage row lose the official as author (the
    record keeps who entered it), nothing pointing at the comments is lost in SQLite's table
    copy, and the check holds from then on. Down: the recorder is the author again."""
    app = make_app(pytestconfig, **empty_database)
    with app.app_context():
        try:
            flask_migrate.upgrade(revision=BEFORE_NO_AUTHOR)
            dept = _insert("department", slug="d")
            citizen = _insert("user", email="citizen@example.org")
            official = _insert("user", email="official@example.org")
            consultation = _insert("consultation", department_id=dept)
            version = _insert("draft_version", consultation_id=consultation, number=1)
            round_id = _insert("round", consultation_id=consultation, version_id=version,
                               kind="both")
            online = _insert("comment", round_id=round_id, author_id=citizen, body="网上",
                             channel="online", depth=0)
            letter = _insert("comment", round_id=round_id, author_id=official, body="来信",
                             channel="letter", depth=0)
            _insert("comment_support", comment_id=online, user_id=official)
            for comment_id, author in ((online, citizen), (letter, official)):
                _insert("triage", round_id=round_id, comment_id=comment_id, author_id=author)
            _insert("opinion_record", comment_id=letter, round_id=round_id, channel="letter",
                    received_on=datetime.now(UTC).date(), recorded_by_id=official)
            db.session.commit()

            flask_migrate.upgrade()
            assert _rows("SELECT id, author_id FROM comment ORDER BY id") == \
                [(online, citizen), (letter, None)]
            assert _rows("SELECT comment_id, author_id FROM triage ORDER BY comment_id") == \
                [(online, citizen), (letter, None)]
            assert _rows("SELECT comment_id, user_id FROM comment_support") == [(online, official)]
            assert _rows("SELECT comment_id, recorded_by_id FROM opinion_record") == \
                [(letter, official)]
            checks = {c["name"] for c in inspect(db.engine).get_check_constraints("comment")}
            assert {"ck_comment_author_by_channel", "ck_comment_depth_range"} <= checks
            for channel, author in (("online", None), ("letter", citizen)):
                with pytest.raises(IntegrityError):
                    _insert("comment", round_id=round_id, author_id=author, body="x",
                            channel=channel, depth=0)
                db.session.rollback()
            if db.engine.dialect.name == "sqlite":  # foreign keys are on again after the copy
                assert _rows("PRAGMA foreign_keys") == [(1,)]

            flask_migrate.downgrade(revision=BEFORE_NO_AUTHOR)
            assert _rows("SELECT id, author_id FROM comment ORDER BY id") == \
                [(online, citizen), (letter, official)]
            assert _rows("SELECT comment_id, author_id FROM triage ORDER BY comment_id") == \
                [(online, citizen), (letter, official)]
            assert _rows("SELECT comment_id, user_id FROM comment_support") == [(online, official)]
            flask_migrate.upgrade()
            assert differences() == []
        finally:
            db.session.remove()
            db.engine.dispose()


FOLLOW_UP_IN_TIME = "2a0433206ee3"  # "followed up in time" on cases and tallies
BEFORE_FOLLOW_UP_IN_TIME = "c3f1a7d29e54"


@pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")
def test_followed_up_in_time_is_filled_from_the_cases_and_dropped_on_downgrade(
        pytestconfig, empty_database):
    """Up: each case's 回访 is in time when recorded by the due date (or the case was
    resolved by then), late when recorded later or escalated without one, undecided
    otherwise; each tally counts its cases decided and in time; a 回访 without a verdict
    is refused from then on. Down: the columns go, the other counters stay."""
    from datetime import date, timedelta

    app = make_app(pytestconfig, **empty_database)
    with app.app_context():
        try:
            flask_migrate.upgrade(revision=BEFORE_FOLLOW_UP_IN_TIME)
            dept = _insert("department", slug="d")
            quiet = _insert("department", slug="q", name="q")
            consultation = _insert("consultation", department_id=dept)
            version = _insert("draft_version", consultation_id=consultation, number=1)
            round_id = _insert("round", consultation_id=consultation, version_id=version,
                               kind="both")
            month, due = date(2026, 10, 1), datetime(2026, 10, 13, 15, 59, 59, tzinfo=UTC)
            hour, day = timedelta(hours=1), timedelta(days=1)

            def case(**values):
                return _insert("rectification_case", **{
                    "round_id": round_id, "department_id": dept, "first_rating": 1,
                    "first_satisfaction": "dissatisfied", "status": "open", "month": month,
                    "due_at": due, "opened_at": due - 7 * day, **values})

            in_time = case(followed_up_at=due - hour, followed_up_on=date(2026, 10, 13))
            edited = case(followed_up_at=due + day, followed_up_on=date(2026, 10, 12),
                          resolved_at=due - hour, status="resolved", resolution="explained")
            late = case(followed_up_at=due + day, followed_up_on=date(2026, 10, 14))
            missed = case(escalated_at=due + hour)
            waiting = case()
            _insert("rectification_tally", department_id=dept, month=month, opened=5,
                    followed_up=3, escalated=1)
            _insert("rectification_tally", department_id=quiet, month=month)
            db.session.commit()

            flask_migrate.upgrade(revision=FOLLOW_UP_IN_TIME)
            flags = dict(_rows("SELECT id, followed_up_in_time FROM rectification_case"))
            assert {k: (None if v is None else bool(v)) for k, v in flags.items()} == {
                in_time: True, edited: True, late: False, missed: False, waiting: None}
            assert _rows("SELECT department_id, opened, followed_up, follow_up_due, "
                         "follow_up_in_time, escalated FROM rectification_tally "
                         "ORDER BY department_id") == [(dept, 5, 3, 4, 2, 1),
                                                       (quiet, 0, 0, 0, 0, 0)]
            with pytest.raises(IntegrityError):  # a 回访 needs its verdict from now on
                case(followed_up_at=due, followed_up_on=date(2026, 10, 13))
            db.session.rollback()
            checks = {c["name"] for c in
                      inspect(db.engine).get_check_constraints("rectification_case")}
            assert {"ck_rectification_case_follow_up_timed",
                    "ck_rectification_case_resolved_after_follow_up"} <= checks

            flask_migrate.downgrade(revision=BEFORE_FOLLOW_UP_IN_TIME)
            columns = {c["name"] for c in inspect(db.engine).get_columns("rectification_case")}
            assert "followed_up_in_time" not in columns and "followed_up_at" in columns
            assert _rows("SELECT department_id, opened, followed_up, escalated "
                         "FROM rectification_tally ORDER BY department_id") == [
                (dept, 5, 3, 1), (quiet, 0, 0, 0)]
            flask_migrate.upgrade()
            assert differences() == []
        finally:
            db.session.remove()
            db.engine.dispose()


PARTICIPANT_TALLY = "79067e89f12a"  # distinct participants per department and month


@pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning")
def test_participant_tally_is_filled_from_the_participants_and_dropped_on_downgrade(
        pytestconfig, empty_database):
    """Up: each person counts once per department, per closing month (the round's early
    close, else its planned one) and per both, whatever their number of rounds there;
    rounds of unpublished consultations do not count. Down: the tables and columns go."""
    app = make_app(pytestconfig, **empty_database)
    with app.app_context():
        try:
            flask_migrate.upgrade(revision=FOLLOW_UP_IN_TIME)
            a, b = _insert("department", slug="a", name="a"), _insert("department", slug="b")
            published = datetime(2026, 1, 5, tzinfo=UTC)
            ca = _insert("consultation", department_id=a, published_at=published)
            cb = _insert("consultation", department_id=b, published_at=published)
            draft = _insert("consultation", department_id=b)

            versions: dict[int, int] = {}

            def round_(consultation, closes, closed=None):
                versions[consultation] = versions.get(consultation, 0) + 1
                version = _insert("draft_version", consultation_id=consultation,
                                  number=versions[consultation])
                return _insert("round", consultation_id=consultation, version_id=version,
                               kind="both", opens_at=closes.replace(day=1), closes_at=closes,
                               closed_at=closed, response_due_at=closes)

            oct_, nov = datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)
            a_oct, a_oct2 = round_(ca, oct_), round_(ca, nov, closed=oct_)  # closed early
            a_nov, b_oct = round_(ca, nov), round_(cb, oct_)
            d_oct = round_(draft, oct_)
            people = [_insert("user", email=f"p{i}@example.org") for i in range(4)]
            for r, who in ((a_oct, [0, 1]), (a_oct2, [0]), (a_nov, [0, 2]), (b_oct, [0, 3]),
                           (d_oct, [1, 2])):
                for i in who:
                    _insert("round_participant", round_id=r, user_id=people[i], first_at=oct_)
            db.session.commit()

            flask_migrate.upgrade(revision=PARTICIPANT_TALLY)
            assert _rows("SELECT department_id, month, participants FROM participant_tally "
                         "ORDER BY department_id, month") == [
                (0, "2026-10", 3), (0, "2026-11", 2), (a, "", 3), (a, "2026-10", 2),
                (a, "2026-11", 2), (b, "", 2), (b, "2026-10", 2)]
            assert _rows(f"SELECT rounds FROM participant_reach WHERE department_id = {a} "
                         f"AND month = '2026-10' AND user_id = {people[0]}") == [(2,)]
            assert _rows("SELECT id, tallied_department_id, tallied_month FROM round "
                         "ORDER BY id") == [(a_oct, a, "2026-10"), (a_oct2, a, "2026-10"),
                                            (a_nov, a, "2026-11"), (b_oct, b, "2026-10"),
                                            (d_oct, None, None)]
            assert not _rows("SELECT 1 FROM participant_reach WHERE delta != 0")

            flask_migrate.downgrade(revision=FOLLOW_UP_IN_TIME)
            names = set(inspect(db.engine).get_table_names())
            assert not names & {"participant_reach", "participant_tally"}
            columns = {c["name"] for c in inspect(db.engine).get_columns("round")}
            assert "tallied_month" not in columns and "closes_at" in columns
            assert _rows("SELECT count(*) FROM round_participant") == [(9,)]
            flask_migrate.upgrade()
            assert differences() == []
        finally:
            db.session.remove()
            db.engine.dispose()
