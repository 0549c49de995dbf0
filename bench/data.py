"""``python -m bench.data --scale small|medium|large``: realistic volumes for bench/ and tests.

Deterministic (one seeded ``random.Random``), bulk (``executemany`` of plain dicts through
SQLAlchemy Core: psycopg pipelines them on PostgreSQL, sqlite3 runs them in C), and
consistent: every counter the services keep in SQL is set from the rows written here
(``Round.comment_count``/``ballot_count``/``participant_count``, ``Comment.support_count``
and ``reply_count``, ``VoteTally``, ``Survey`` counters, ``DraftVersion.clause_count``, the
distinct participants per department and month: ``ParticipantReach``/``ParticipantTally``).

The data does not go through the services on purpose (a million ballots through
``cast_ballot`` would take an hour); ``tests/web/test_production.py`` checks the counters
against recounts so the shortcut cannot drift from the services' rules.

Synthetic users share one cheap password hash (``BENCH_PASSWORD``, scrypt n=2**11): the
bench logs in hundreds of clients, and the login cost is not what it measures.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import click
from sqlalchemy import bindparam, func, insert, select, text, update
from werkzeug.security import generate_password_hash

from consult.accounts.models import Department, User
from consult.app import create_app
from consult.consultations.models import (
    Clause,
    ClauseLineage,
    Consultation,
    DraftVersion,
)
from consult.extensions import db
from consult.participation import tallies as comment_tallies
from consult.participation.models import Comment, CommentSupport
from consult.rounds import participants as round_participants
from consult.rounds.models import Round, RoundParticipant
from consult.surveys.models import Survey, SurveyAnswer
from consult.voting.models import Ballot, VoteTally

BENCH_PASSWORD = "bench-password-1"
BENCH_DOMAIN = "bench.consult.test"


@dataclass(frozen=True)
class Scale:
    consultations: int
    users: int
    viral_comments: int
    viral_clauses: int
    ballots: int
    survey_answers: int
    clauses: int = 8  # of the other consultations


SCALES = {
    "small": Scale(consultations=6, users=600, viral_comments=1000, viral_clauses=20,
                   ballots=3000, survey_answers=2000),
    "medium": Scale(consultations=50, users=10_000, viral_comments=5000, viral_clauses=50,
                    ballots=100_000, survey_answers=100_000),
    "large": Scale(consultations=200, users=100_000, viral_comments=5000, viral_clauses=50,
                   ballots=1_000_000, survey_answers=1_000_000),
}

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯"
            "邓曹彭曾肖田董袁潘于蒋蔡余杜叶程")
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉兰文斌宁浩然欣怡子涵"
TOPICS = ["社区养老服务", "老旧小区加装电梯", "生活垃圾分类", "城市公共停车", "校外培训管理",
          "网约车经营服务", "物业服务收费", "历史文化街区保护", "河道治理", "公共图书馆开放时间",
          "电动自行车充电设施", "城中村改造", "学前教育资源配置", "农贸市场升级", "无障碍环境建设"]
KINDS = ["管理办法", "实施细则", "若干规定", "条例（征求意见稿）", "工作方案", "三年行动计划"]
PHRASES = [
    "建议进一步明确相关部门的职责分工", "希望在实施前充分听取居民意见",
    "该条款的适用范围需要细化", "收费标准应当公开透明并接受社会监督",
    "建议增加对老年人和残疾人的特殊保障措施", "执行过程中要避免“一刀切”",
    "过渡期安排过短，建议延长至一年", "应当明确违规行为的处罚标准",
    "我所在的小区已经试点两年，效果总体不错", "建议设立投诉举报渠道并限时答复",
    "资金来源需要写清楚，避免增加居民负担", "希望政府定期公布执行情况",
    "条文中的“必要时”含义不清", "建议参考其他城市的成熟做法",
    "对小微企业应当给予一定的缓冲期", "数据采集必须保护个人隐私",
    "基层工作人员的培训要跟上", "建议将评估结果向社会公开",
]
CLAUSE_SENTENCES = [
    "本办法所称社区养老服务，是指以社区为平台为居家老年人提供的生活照料等服务。",
    "区人民政府应当按照每百户不少于三十平方米的标准配建服务用房。",
    "相关部门应当建立健全监督检查制度，定期开展检查并公布结果。",
    "经营者应当在服务场所显著位置公示收费项目、收费标准和投诉电话。",
    "违反本办法规定的，由主管部门责令限期改正；逾期不改正的，处以罚款。",
    "鼓励社会力量参与，依法保障其合法权益。",
    "市人民政府应当将相关经费纳入本级财政预算。",
    "本办法自发布之日起施行，有效期五年。",
]
STANCES = ["support", "support", "support", "support_with_changes", "oppose", "abstain"]
SATISFACTIONS = ["satisfied", "satisfied", "basically_satisfied", "dissatisfied"]
HEARDS = ["yes", "partly", "partly", "no"]
NUMERALS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    if n < 10:
        return NUMERALS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else NUMERALS[tens]) + "十" + (NUMERALS[ones] if ones else "")


class Generator:
    def __init__(self, scale: Scale, seed: int = 20261125, chunk: int = 20_000):
        self.s = scale
        self.rnd = random.Random(seed)
        self.chunk = chunk
        self.now = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
        self.counts: Counter[str] = Counter()

    # ------------------------------------------------------------- helpers
    def text(self, lo: int, hi: int) -> str:
        """A comment of ``lo``..``hi`` phrases, Chinese punctuation, realistic length."""
        parts = self.rnd.sample(PHRASES, self.rnd.randint(lo, hi))
        return "，".join(parts) + "。"

    def name(self) -> str:
        r = self.rnd
        return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.randint(1, 2)))

    def next_id(self, table) -> int:
        return (db.session.scalar(select(func.max(table.c.id))) or 0) + 1

    def put(self, table, rows: list[dict]) -> None:
        for start in range(0, len(rows), self.chunk):
            db.session.execute(insert(table), rows[start:start + self.chunk])
        self.counts[table.name] += len(rows)

    # ------------------------------------------------------------- the data
    def run(self) -> Counter[str]:
        t = {name: model.__table__ for name, model in {
            "department": Department, "user": User, "consultation": Consultation,
            "version": DraftVersion, "lineage": ClauseLineage, "clause": Clause,
            "round": Round, "participant": RoundParticipant, "comment": Comment,
            "support": CommentSupport, "ballot": Ballot, "tally": VoteTally,
            "survey": Survey, "answer": SurveyAnswer}.items()}
        s, r, now = self.s, self.rnd, self.now

        dept_id = self.next_id(t["department"])
        self.put(t["department"], [
            {"id": dept_id + i, "slug": f"bench-{dept_id + i}",
             "name": f"基准测试部门{dept_id + i}",
             "name_en": f"Bench department {dept_id + i}", "description": "", "active": True,
             "created_at": now} for i in range(5)])
        depts = [dept_id + i for i in range(5)]

        uid0 = self.next_id(t["user"])
        pw = generate_password_hash(BENCH_PASSWORD, method="scrypt:2048:8:1")
        users = list(range(uid0, uid0 + s.users))
        self.put(t["user"], [
            {"id": u, "email": f"u{u}@{BENCH_DOMAIN}", "display_name": self.name(),
             "password_hash": pw, "locale": "zh_CN", "timezone": "Asia/Shanghai",
             "email_verified_at": now - timedelta(days=100), "active": True,
             "session_version": 1, "unread_notifications": 0, "created_at": now
             - timedelta(days=r.randint(1, 900))} for u in users])

        cid0, vid0 = self.next_id(t["consultation"]), self.next_id(t["version"])
        lid0, clid0 = self.next_id(t["lineage"]), self.next_id(t["clause"])
        rid0 = self.next_id(t["round"])
        consultations, versions, lineages, clauses, rounds = [], [], [], [], []
        clause_ids: dict[int, list[int]] = {}
        open_rounds, closed_rounds = [], []
        for i in range(s.consultations):
            cid, vid = cid0 + i, vid0 + i
            n_clauses = s.viral_clauses if i == 0 else s.clauses
            title = f"《{r.choice(TOPICS)}{r.choice(KINDS)}》"
            published = now - timedelta(days=r.randint(10, 400))
            consultations.append({
                "id": cid, "department_id": depts[i % len(depts)], "title": title,
                "summary": "为" + self.text(2, 4), "background": self.text(4, 8),
                "goals": self.text(2, 4), "contact": "联系电话：010-12345678",
                "created_by_id": None, "created_at": published, "updated_at": published,
                "published_at": published, "latest_version_number": 1})
            versions.append({"id": vid, "consultation_id": cid, "number": 1,
                             "change_note": "", "published_at": published,
                             "published_by_id": None, "clause_count": n_clauses})
            clause_ids[cid] = []
            for p in range(n_clauses):
                lid, clid = lid0 + len(lineages), clid0 + len(clauses)
                lineages.append({"id": lid, "consultation_id": cid})
                body = "".join(r.sample(CLAUSE_SENTENCES, r.randint(1, 4)))
                clauses.append({"id": clid, "version_id": vid, "lineage_id": lid,
                                "position": p + 1, "number": f"第{_cn_number(p + 1)}条",
                                "heading": "", "body": body})
                clause_ids[cid].append(clid)
            base = {"version_id": vid, "consultation_id": cid, "eligibility": "verified",
                    "survey_days": 14, "show_live_results": True, "recorded_state": "open",
                    "comment_count": 0, "question_count": 0, "ballot_count": 0,
                    "participant_count": 0, "created_at": published}
            closed = {**base, "id": rid0 + 2 * i, "kind": "vote", "title": "第一轮意见征集",
                      "opens_at": now - timedelta(days=60), "closes_at": now - timedelta(days=30),
                      "response_due_at": now - timedelta(days=15), "recorded_state": "closed"}
            opened = {**base, "id": rid0 + 2 * i + 1, "kind": "both", "title": "第二轮意见征集",
                      "opens_at": now - timedelta(days=7), "closes_at": now + timedelta(days=3650),
                      "response_due_at": now + timedelta(days=3700)}
            rounds += [closed, opened]
            closed_rounds.append(closed)
            open_rounds.append(opened)
        self.put(t["consultation"], consultations)
        self.put(t["version"], versions)
        self.put(t["lineage"], lineages)
        self.put(t["clause"], clauses)
        self.put(t["round"], rounds)  # counters zero now, set from the rows at the end
        round_by_id = {row["id"]: row for row in rounds}
        participants: dict[int, dict[int, datetime]] = {row["id"]: {} for row in rounds}

        # The viral consultation: comments on its open round, threads of replies, supports.
        viral = open_rounds[0]
        com0 = self.next_id(t["comment"])
        comments, supports, top = [], [], []
        for k in range(s.viral_comments):
            cid = com0 + k
            author = r.choice(users)
            at = viral["opens_at"] + timedelta(seconds=k * 60 + r.randint(0, 59))
            row = {"id": cid, "round_id": viral["id"], "author_id": author,
                   "clause_id": r.choice(clause_ids[viral["consultation_id"]])
                   if r.random() < 0.85 else None,
                   "thread_id": cid, "parent_id": None, "reply_to_id": None, "depth": 0,
                   "body": self.text(1, 6), "proposed_text": None, "status": "published",
                   "support_count": 0, "reply_count": 0, "created_at": at}
            if top and r.random() < 0.3:
                parent = r.choice(top[-200:])
                row.update(thread_id=parent["id"], parent_id=parent["id"],
                           reply_to_id=parent["id"], depth=1, clause_id=parent["clause_id"])
                parent["reply_count"] += 1
            else:
                if row["clause_id"] and r.random() < 0.1:
                    row["proposed_text"] = r.choice(CLAUSE_SENTENCES)
                top.append(row)
            supporters = set(r.sample(users, min(len(users), int(r.expovariate(0.3)))))
            supports += [{"comment_id": cid, "user_id": u, "created_at": at} for u in supporters]
            row["support_count"] = len(supporters)
            comments.append(row)
            participants[viral["id"]].setdefault(author, at)
        top_ids = {c["id"] for c in top}
        self.put(t["comment"], [c for c in comments if c["id"] in top_ids])
        self.put(t["comment"], [c for c in comments if c["id"] not in top_ids])
        self.put(t["support"], supports)
        for sup in supports:
            participants[viral["id"]].setdefault(sup["user_id"], sup["created_at"])
        viral["comment_count"] = len(comments)

        # Ballots: spread over every round, one per user per round.
        ballots, tallies = [], []
        per_round = max(1, s.ballots // len(rounds))
        for row in rounds:
            n = min(per_round, len(users))
            tally = Counter()
            for voter in r.sample(users, n):
                stance = r.choice(STANCES)
                at = row["opens_at"] + timedelta(minutes=r.randint(0, 60 * 24 * 5))
                ballots.append({"round_id": row["id"], "user_id": voter, "stance": stance,
                                "reason": self.text(1, 3) if r.random() < 0.1 else None,
                                "created_at": at, "updated_at": at})
                tally[stance] += 1
                participants[row["id"]].setdefault(voter, at)
            row["ballot_count"] = n
            tallies.append({"round_id": row["id"], "support": tally["support"],
                            "support_with_changes": tally["support_with_changes"],
                            "oppose": tally["oppose"], "abstain": tally["abstain"]})
            if len(ballots) >= self.chunk * 5:
                self.put(t["ballot"], ballots)
                ballots = []
        self.put(t["ballot"], ballots)
        self.put(t["tally"], tallies)

        # Survey answers on the closed rounds, from their participants first.
        answers, surveys = [], []
        per_survey = max(1, s.survey_answers // len(closed_rounds))
        for row in closed_rounds:
            voters = list(participants[row["id"]])
            pool = voters + [u for u in r.sample(users, min(len(users), per_survey))
                             if u not in participants[row["id"]]]
            chosen = list(dict.fromkeys(pool))[:per_survey]
            survey = Counter()
            for u in chosen:
                sat, heard = r.choice(SATISFACTIONS), r.choice(HEARDS)
                rating, clarity = r.randint(1, 5), r.randint(1, 5)
                comment = self.text(1, 3) if r.random() < 0.15 else None
                is_part = u in participants[row["id"]]
                at = row["closes_at"] + timedelta(hours=r.randint(1, 300))
                answers.append({"round_id": row["id"], "user_id": u, "satisfaction": sat,
                                "rating": rating, "clarity": clarity, "heard": heard,
                                "comment": comment, "is_participant": is_part,
                                "created_at": at, "updated_at": at})
                survey.update({"respondents": 1, "participant_respondents": int(is_part),
                               "comments": int(comment is not None), sat: 1,
                               f"heard_{heard}": 1, "rating_sum": rating,
                               f"rating_{rating}": 1, "clarity_sum": clarity,
                               f"clarity_{clarity}": 1})
            surveys.append({"round_id": row["id"], "open_to_all": True, **{
                col: survey[col] for col in (
                    "respondents", "participant_respondents", "comments", "satisfied",
                    "basically_satisfied", "dissatisfied", "heard_yes", "heard_partly",
                    "heard_no", "rating_sum", "clarity_sum",
                    *(f"rating_{v}" for v in range(1, 6)),
                    *(f"clarity_{v}" for v in range(1, 6)))}})
            if len(answers) >= self.chunk * 5:
                self.put(t["answer"], answers)
                answers = []
        self.put(t["answer"], answers)
        self.put(t["survey"], surveys)

        parts = []
        for round_id, who in participants.items():
            round_by_id[round_id]["participant_count"] = len(who)
            parts += [{"round_id": round_id, "user_id": u, "first_at": at}
                      for u, at in who.items()]
            if len(parts) >= self.chunk * 5:
                self.put(t["participant"], parts)
                parts = []
        self.put(t["participant"], parts)
        counters = ("comment_count", "ballot_count", "participant_count")
        db.session.execute(
            update(t["round"]).where(t["round"].c.id == bindparam("rid"))
            .values({c: bindparam(f"v_{c}") for c in counters}),
            [{"rid": row["id"], **{f"v_{c}": row[c] for c in counters}} for row in rounds])
        # The distinct participants per department and month, counted from the rows just
        # written (the services keep them one participation at a time).
        round_participants.rebuild(db.session())
        comment_tallies.rebuild(db.session())  # and the counts of each round's comments
        self._fix_sequences(t)
        return self.counts

    def _fix_sequences(self, t) -> None:
        if db.engine.dialect.name != "postgresql":
            return
        for table in t.values():
            if "id" in table.c:
                # Table names come from our own metadata, never from input.
                sql = (f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "  # nosec B608
                       f"(SELECT COALESCE(MAX(id), 1) FROM \"{table.name}\"))")
                db.session.execute(text(sql))


def generate(scale: str, seed: int = 20261125) -> Counter[str]:
    """Write one scale's data in one transaction (the caller commits)."""
    return Generator(SCALES[scale], seed=seed).run()


def viral_round_id() -> int | None:
    """The open round with the most comments (the bench's P1 page)."""
    return db.session.scalar(select(Round.id).order_by(Round.comment_count.desc(), Round.id)
                             .limit(1))


@click.command()
@click.option("--scale", type=click.Choice(sorted(SCALES)), default="small")
@click.option("--seed", type=int, default=20261125)
@click.option("--create-tables", is_flag=True,
              help="db.create_all() first (an empty bench database; not for production).")
def main(scale: str, seed: int, create_tables: bool) -> None:
    """Fill the database named by DATABASE_URL with synthetic consultations, users,
    comments, ballots (``python -m bench.data --scale large``)."""
    app = create_app()
    with app.app_context():
        if create_tables:
            db.create_all()
        started = time.perf_counter()
        counts = generate(scale, seed)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:
                conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
        took = time.perf_counter() - started
    click.echo(f"bench data {scale}: " + ", ".join(
        f"{n} {name}" for name, n in sorted(counts.items())) + f" in {took:.1f} s")


if __name__ == "__main__":
    main()
