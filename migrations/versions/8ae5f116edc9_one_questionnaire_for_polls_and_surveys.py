"""one questionnaire for polls and surveys

Poll questions (votes) and the departments' own survey questions were two copies of one
questionnaire; they now share ``questionnaire``, ``questionnaire_question``,
``questionnaire_option`` and the answer rows ``questionnaire_answer_choice`` /
``questionnaire_answer_text`` (owned by a ballot or a survey answer, named by purpose and
owner id). The existing rows move over with their counters: poll questions and options
keep their ids (the public API shows them); survey questions and options keep theirs
unless a poll's has it already, then all of them move past the poll's (plus the largest
poll id), and their answers follow.
The downgrade moves everything back into the old tables.

Revision ID: 8ae5f116edc9
Revises: 0960a57a8376
Create Date: 2026-12-02 06:47:09.093256

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8ae5f116edc9'
down_revision = '0960a57a8376'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('questionnaire',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.Enum('poll', 'survey', name='purpose', native_enum=False, length=20), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_questionnaire_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire')),
    sa.UniqueConstraint('round_id', 'purpose', name=op.f('uq_questionnaire_round_id_purpose'))
    )
    op.create_table('questionnaire_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.Enum('single', 'multiple', 'scale', 'text', name='questionkind', native_enum=False, length=20), nullable=False),
    sa.Column('respondent_count', sa.Integer(), nullable=False),
    sa.CheckConstraint('respondent_count >= 0', name=op.f('ck_questionnaire_question_respondent_count_not_negative')),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_questionnaire_question_questionnaire_id_questionnaire'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_question')),
    sa.UniqueConstraint('questionnaire_id', 'position', name=op.f('uq_questionnaire_question_questionnaire_id_position'))
    )
    op.create_table('questionnaire_answer_text',
    sa.Column('purpose', sa.Enum('poll', 'survey', name='purpose', native_enum=False, length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questionnaire_question.id'], name=op.f('fk_questionnaire_answer_text_question_id_questionnaire_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('purpose', 'owner_id', 'question_id', name=op.f('pk_questionnaire_answer_text'))
    )
    with op.batch_alter_table('questionnaire_answer_text', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_answer_text_question_id'), ['question_id'], unique=False)

    op.create_table('questionnaire_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=120), nullable=False),
    sa.Column('answer_count', sa.Integer(), nullable=False),
    sa.CheckConstraint('answer_count >= 0', name=op.f('ck_questionnaire_option_answer_count_not_negative')),
    sa.ForeignKeyConstraint(['question_id'], ['questionnaire_question.id'], name=op.f('fk_questionnaire_option_question_id_questionnaire_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questionnaire_option')),
    sa.UniqueConstraint('question_id', 'position', name=op.f('uq_questionnaire_option_question_id_position'))
    )
    op.create_table('questionnaire_answer_choice',
    sa.Column('purpose', sa.Enum('poll', 'survey', name='purpose', native_enum=False, length=20), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['option_id'], ['questionnaire_option.id'], name=op.f('fk_questionnaire_answer_choice_option_id_questionnaire_option'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questionnaire_question.id'], name=op.f('fk_questionnaire_answer_choice_question_id_questionnaire_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('purpose', 'owner_id', 'option_id', name=op.f('pk_questionnaire_answer_choice'))
    )
    with op.batch_alter_table('questionnaire_answer_choice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_questionnaire_answer_choice_option_id'), ['option_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_questionnaire_answer_choice_question_id'), ['question_id'], unique=False)

    _move_in()
    for name in ("ballot_choice", "survey_answer_choice", "survey_answer_text"):
        with op.batch_alter_table(name, schema=None) as batch_op:
            for column in ("option_id", "question_id") if name != "survey_answer_text" \
                    else ("question_id",):
                batch_op.drop_index(batch_op.f(f"ix_{name}_{column}"))
        op.drop_table(name)
    for name in ("poll_option", "survey_option", "poll_question", "survey_question"):
        op.drop_table(name)


def _move_in():
    """The old rows into the new tables (the tables are empty; one INSERT ... SELECT each)."""
    question_offset = _offset("poll_question", "survey_question")
    option_offset = _offset("poll_option", "survey_option")
    for purpose, table in (("poll", "poll_question"), ("survey", "survey_question")):
        op.execute(sa.text(
            f"INSERT INTO questionnaire (round_id, purpose) "
            f"SELECT DISTINCT round_id, '{purpose}' FROM {table}"))
    op.execute(sa.text(
        "INSERT INTO questionnaire_question "
        "(id, questionnaire_id, position, text, kind, respondent_count) "
        "SELECT q.id, n.id, q.position, q.text, "
        "CASE WHEN q.multiple THEN 'multiple' ELSE 'single' END, q.respondent_count "
        "FROM poll_question q JOIN questionnaire n "
        "ON n.round_id = q.round_id AND n.purpose = 'poll'"))
    op.execute(sa.text(
        "INSERT INTO questionnaire_question "
        "(id, questionnaire_id, position, text, kind, respondent_count) "
        "SELECT q.id + :qo, n.id, q.position, q.text, q.kind, q.respondent_count "
        "FROM survey_question q JOIN questionnaire n "
        "ON n.round_id = q.round_id AND n.purpose = 'survey'").bindparams(qo=question_offset))
    op.execute(sa.text(
        "INSERT INTO questionnaire_option (id, question_id, position, text, answer_count) "
        "SELECT id, question_id, position, text, vote_count FROM poll_option"))
    op.execute(sa.text(
        "INSERT INTO questionnaire_option (id, question_id, position, text, answer_count) "
        "SELECT id + :oo, question_id + :qo, position, text, answer_count FROM survey_option")
        .bindparams(oo=option_offset, qo=question_offset))
    op.execute(sa.text(
        "INSERT INTO questionnaire_answer_choice (purpose, owner_id, option_id, question_id) "
        "SELECT 'poll', ballot_id, option_id, question_id FROM ballot_choice"))
    op.execute(sa.text(
        "INSERT INTO questionnaire_answer_choice (purpose, owner_id, option_id, question_id) "
        "SELECT 'survey', answer_id, option_id + :oo, question_id + :qo "
        "FROM survey_answer_choice").bindparams(oo=option_offset, qo=question_offset))
    op.execute(sa.text(
        "INSERT INTO questionnaire_answer_text (purpose, owner_id, question_id, body) "
        "SELECT 'survey', answer_id, question_id + :qo, body FROM survey_answer_text")
        .bindparams(qo=question_offset))
    _restart_ids("questionnaire_question", "questionnaire_option")


def _offset(kept, moved):
    """What to add to the ids of moved so that they follow those of kept: nothing
    when they already do (a database that went down and up again keeps its ids)."""
    conn = op.get_bind()
    highest = conn.scalar(sa.text(f"SELECT COALESCE(MAX(id), 0) FROM {kept}"))
    lowest = conn.scalar(sa.text(f"SELECT MIN(id) FROM {moved}"))
    return highest if lowest is not None and lowest <= highest else 0


def _restart_ids(*tables):
    """PostgreSQL: rows were inserted with their ids, so move each table's id sequence
    past them (SQLite takes the next id from the rows themselves)."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        op.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
            f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"))


def downgrade():
    op.create_table('poll_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('multiple', sa.Boolean(), nullable=False),
    sa.Column('respondent_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_poll_question_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_question')),
    sa.UniqueConstraint('round_id', 'position', name=op.f('uq_poll_question_round_id_position'))
    )
    op.create_table('survey_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.Enum('single', 'multiple', 'scale', 'text', name='questionkind', native_enum=False, length=20), nullable=False),
    sa.Column('respondent_count', sa.Integer(), nullable=False),
    sa.CheckConstraint('respondent_count >= 0', name=op.f('ck_survey_question_respondent_count_not_negative')),
    sa.ForeignKeyConstraint(['round_id'], ['round.id'], name=op.f('fk_survey_question_round_id_round'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_question')),
    sa.UniqueConstraint('round_id', 'position', name=op.f('uq_survey_question_round_id_position'))
    )
    op.create_table('poll_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=120), nullable=False),
    sa.Column('vote_count', sa.Integer(), nullable=False),
    sa.CheckConstraint('vote_count >= 0', name=op.f('ck_poll_option_vote_count_not_negative')),
    sa.ForeignKeyConstraint(['question_id'], ['poll_question.id'], name=op.f('fk_poll_option_question_id_poll_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_poll_option')),
    sa.UniqueConstraint('question_id', 'position', name=op.f('uq_poll_option_question_id_position'))
    )
    op.create_table('survey_option',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=120), nullable=False),
    sa.Column('answer_count', sa.Integer(), nullable=False),
    sa.CheckConstraint('answer_count >= 0', name=op.f('ck_survey_option_answer_count_not_negative')),
    sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'], name=op.f('fk_survey_option_question_id_survey_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_option')),
    sa.UniqueConstraint('question_id', 'position', name=op.f('uq_survey_option_question_id_position'))
    )
    op.create_table('ballot_choice',
    sa.Column('ballot_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['ballot_id'], ['ballot.id'], name=op.f('fk_ballot_choice_ballot_id_ballot'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['option_id'], ['poll_option.id'], name=op.f('fk_ballot_choice_option_id_poll_option'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['poll_question.id'], name=op.f('fk_ballot_choice_question_id_poll_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('ballot_id', 'option_id', name=op.f('pk_ballot_choice'))
    )
    with op.batch_alter_table('ballot_choice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ballot_choice_option_id'), ['option_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ballot_choice_question_id'), ['question_id'], unique=False)

    op.create_table('survey_answer_choice',
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('option_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['survey_answer.id'], name=op.f('fk_survey_answer_choice_answer_id_survey_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['option_id'], ['survey_option.id'], name=op.f('fk_survey_answer_choice_option_id_survey_option'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'], name=op.f('fk_survey_answer_choice_question_id_survey_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('answer_id', 'option_id', name=op.f('pk_survey_answer_choice'))
    )
    with op.batch_alter_table('survey_answer_choice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answer_choice_option_id'), ['option_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_survey_answer_choice_question_id'), ['question_id'], unique=False)

    op.create_table('survey_answer_text',
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['answer_id'], ['survey_answer.id'], name=op.f('fk_survey_answer_text_answer_id_survey_answer'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['survey_question.id'], name=op.f('fk_survey_answer_text_question_id_survey_question'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('answer_id', 'question_id', name=op.f('pk_survey_answer_text'))
    )
    with op.batch_alter_table('survey_answer_text', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_answer_text_question_id'), ['question_id'], unique=False)

    _move_out()
    with op.batch_alter_table('questionnaire_answer_choice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_answer_choice_question_id'))
        batch_op.drop_index(batch_op.f('ix_questionnaire_answer_choice_option_id'))

    op.drop_table('questionnaire_answer_choice')
    with op.batch_alter_table('questionnaire_answer_text', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questionnaire_answer_text_question_id'))

    op.drop_table('questionnaire_answer_text')
    op.drop_table('questionnaire_option')
    op.drop_table('questionnaire_question')
    op.drop_table('questionnaire')


def _move_out():
    """The rows back into the old tables, with the ids they have now. Answers whose owner
    is gone (no foreign key held them) are left behind: the old tables required one."""
    question_ids = "SELECT q.id FROM questionnaire_question q JOIN questionnaire n " \
                   "ON n.id = q.questionnaire_id WHERE n.purpose = '{}'"
    op.execute(sa.text(
        "INSERT INTO poll_question (id, round_id, position, text, multiple, respondent_count) "
        "SELECT q.id, n.round_id, q.position, q.text, q.kind = 'multiple', q.respondent_count "
        "FROM questionnaire_question q JOIN questionnaire n ON n.id = q.questionnaire_id "
        "WHERE n.purpose = 'poll'"))
    op.execute(sa.text(
        "INSERT INTO survey_question (id, round_id, position, text, kind, respondent_count) "
        "SELECT q.id, n.round_id, q.position, q.text, q.kind, q.respondent_count "
        "FROM questionnaire_question q JOIN questionnaire n ON n.id = q.questionnaire_id "
        "WHERE n.purpose = 'survey'"))
    op.execute(sa.text(
        "INSERT INTO poll_option (id, question_id, position, text, vote_count) "
        "SELECT id, question_id, position, text, answer_count FROM questionnaire_option "
        f"WHERE question_id IN ({question_ids.format('poll')})"))
    op.execute(sa.text(
        "INSERT INTO survey_option (id, question_id, position, text, answer_count) "
        "SELECT id, question_id, position, text, answer_count FROM questionnaire_option "
        f"WHERE question_id IN ({question_ids.format('survey')})"))
    op.execute(sa.text(
        "INSERT INTO ballot_choice (ballot_id, option_id, question_id) "
        "SELECT owner_id, option_id, question_id FROM questionnaire_answer_choice "
        "WHERE purpose = 'poll' AND owner_id IN (SELECT id FROM ballot)"))
    op.execute(sa.text(
        "INSERT INTO survey_answer_choice (answer_id, option_id, question_id) "
        "SELECT owner_id, option_id, question_id FROM questionnaire_answer_choice "
        "WHERE purpose = 'survey' AND owner_id IN (SELECT id FROM survey_answer)"))
    op.execute(sa.text(
        "INSERT INTO survey_answer_text (answer_id, question_id, body) "
        "SELECT owner_id, question_id, body FROM questionnaire_answer_text "
        "WHERE purpose = 'survey' AND owner_id IN (SELECT id FROM survey_answer)"))
    _restart_ids("poll_question", "survey_question", "poll_option", "survey_option")
