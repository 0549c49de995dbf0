"""Demo comments, replies, supports, questions and answers (runs after rounds/seed.py).

Open rounds are filled through the services, as the people would; closed rounds
cannot take participation any more, so their history is written with the models
directly, keeping every counter (comment, reply, support, question and participant
counts) equal to what the services would have produced. A round that already has
comments or questions is left alone (idempotent); without demo rounds nothing happens.
"""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts import services as accounts
from consult.accounts.models import Role, RoleAssignment, User
from consult.clock import now
from consult.consultations.models import Clause, Consultation
from consult.db import db
from consult.participation import services
from consult.participation.models import (
    Answer,
    Comment,
    CommentStance,
    CommentSupport,
    Question,
    QuestionSupport,
    new_receipt_code,
)
from consult.rounds import lifecycle, participants
from consult.rounds.lifecycle import RoundState
from consult.rounds.models import Round, RoundKind

PASSWORD = "consult-demo-2026"
CITIZENS = [
    ("citizen@example.org", "张晓明"), ("citizen2@example.org", "陈丽华"),
    ("resident1@example.org", "刘建国"), ("resident2@example.org", "王秀英"),
    ("resident3@example.org", "赵志强"), ("resident4@example.org", "孙玉兰"),
    ("resident5@example.org", "周文斌"), ("resident6@example.org", "吴晓燕"),
    ("resident7@example.org", "郑海涛"), ("resident8@example.org", "何静"),
]

# Topic pools: comments that fit each demo consultation (matched by a word in its title).
TOPICS = {
    "养老": [
        "日间照料中心的开放时间建议延长到晚上七点，很多子女下班后才能来接老人。",
        "建议明确护理员与老人的配比，比如失能老人不少于一比四，否则服务质量难以保证。",
        "收费标准应当在社区公示栏和网上同时公开，并写明哪些项目是免费的。",
        "希望把助餐服务纳入办法，独居老人吃饭问题是最迫切的。",
        "建议对服务机构每年开展一次满意度测评，结果向社会公布。",
        "条款中“适当补贴”的说法太模糊，建议写清楚补贴的标准和申请流程。",
    ],
    "停车": [
        "小区车位优先出租给业主，这一点非常赞同，但要防止有人囤积车位再转租。",
        "建议明确访客临时停车的免费时长，比如两小时内免费。",
        "充电桩安装的审批流程太长，希望物业不得无故拒绝业主安装申请。",
        "消防通道被占用的问题要有明确的处罚措施，不能只靠劝导。",
        "地下车库的收费标准应当经业主大会表决，不能由物业单方面决定。",
    ],
    "垃圾": [
        "厨余垃圾的投放时间太短，上班族早上七点前根本赶不上，建议增加晚间投放时段。",
        "建议在每个投放点配备洗手设施，现在很多居民不愿意破袋投放。",
        "对不分类投放的处罚应当先教育后处罚，第一次以劝导为主。",
        "大件垃圾和装修垃圾的收运办法需要写得更具体，包括收费标准。",
        "希望公布各街道的分类准确率，让居民知道自己小区做得怎么样。",
    ],
    "票价": [
        "票价调整后建议保留老年人和学生的优惠，并扩大到低保家庭。",
        "换乘优惠的时间窗口建议从60分钟延长到90分钟，郊区线路班次少。",
        "调价的同时应当公布公交企业的成本和补贴情况，让市民理解为什么要涨。",
        "希望夜班公交不要单独加价，夜班乘客多是下夜班的劳动者。",
    ],
    "吸烟": [
        "建议把公交站台、排队区域也列入禁烟范围。",
        "室外吸烟点的设置位置要远离出入口，至少十米。",
        "执法主体要明确，否则出现问题不知道找谁投诉。",
        "对场所经营者的责任规定得好，但罚款金额建议分档，小餐馆和大商场不同。",
    ],
    "单车": [
        "电子围栏的停放点数量不够，地铁站附近经常找不到能还车的地方。",
        "对乱停放的处罚应当针对用户而不是只罚企业，建议纳入信用记录。",
        "建议限定每个区域的投放总量，并按季节动态调整。",
        "损坏车辆的回收时限建议规定为24小时以内。",
    ],
    "电梯": [
        "低楼层住户的补偿标准需要明确，不然很难达成一致。",
        "建议政府补贴按楼层和户数综合计算，并一次性公布。",
        "加装电梯后的维护费用由谁承担，办法里要写清楚。",
        "审批手续希望能一窗受理，现在要跑规划、住建、市场监管好几个部门。",
    ],
}
GENERIC = [
    "总体赞同这个草案，但希望实施前留出足够的过渡期。",
    "建议在正式实施前先选几个社区试点，总结经验后再推广。",
    "草案中有些术语普通居民看不懂，建议附一份通俗的解读。",
    "希望相关部门定期公布执行情况，接受群众监督。",
    "建议增加投诉渠道的规定，写明受理时限和答复时限。",
]
REPLIES = [
    "同意，我们小区也是这个情况。",
    "补充一点：最好还能在网上查询办理进度。",
    "我有不同看法，这样做成本会转嫁给居民。",
    "赞成楼上的意见，希望部门认真考虑。",
    "这个问题去年就有人提过，希望这次能解决。",
    "具体数字可以再讨论，但方向是对的。",
]
QUESTIONS = [
    "这个办法预计什么时候正式实施？实施前会不会再次征求意见？",
    "草案里提到的补贴资金从哪里来？每年的预算大概是多少？",
    "如果居民对执行结果不满意，可以向哪个部门投诉？",
    "现行规定和这次草案相比，主要变化是哪几条？",
    "外地户籍的常住居民是否同样适用？",
    "制定草案时参考了哪些城市的做法？",
]
ANSWERS = [
    "感谢您的关注。按照计划，本办法将在征求意见结束、修改完善后报市政府审定，"
    "预计明年上半年实施。修改稿会在本平台公布。",
    "补贴资金由市、区两级财政共同承担，具体预算将在年度部门预算中列明，届时可在政府信息公开专栏查询。",
    "您可以拨打12345市民服务热线，或通过本平台向我局留言，我们会在5个工作日内答复。",
    "主要变化集中在第二、三条：明确了服务标准和监督方式。详细对照说明请见草案的版本比较页面。",
]


def seed() -> None:
    rounds = list(db.session.scalars(
        select(Round).join(Consultation, Consultation.id == Round.consultation_id)
        .where(Consultation.published_at.is_not(None),
               Round.kind.in_([RoundKind.COMMENTS, RoundKind.BOTH]),
               ~exists().where(Comment.round_id == Round.id),
               ~exists().where(Question.round_id == Round.id))
        .options(joinedload(Round.consultation).joinedload(Consultation.department),
                 joinedload(Round.version))
        .order_by(Round.id)))
    rounds = [r for r in rounds if lifecycle.state_of(r) is not RoundState.SCHEDULED]
    if not rounds:
        return
    people = _citizens()
    for r in rounds:
        rng = random.Random(r.id * 7919)
        clauses = list(db.session.scalars(
            select(Clause).where(Clause.version_id == r.version_id).order_by(Clause.position)))
        official = _official_of(r.consultation.department_id)
        if lifecycle.state_of(r) is RoundState.OPEN:
            _fill_open(r, clauses, people, official, rng)
        else:
            _fill_past(r, clauses, people, official, rng)


def _citizens() -> list[User]:
    users = []
    for email, name in CITIZENS:
        user = db.session.scalar(select(User).where(User.email == email)
                                 .options(selectinload(User.roles)))
        if user is None:
            user = accounts.register(email=email, display_name=name, password=PASSWORD,
                                     locale=None, send_verification=False)
            user.email_verified_at = now()
            db.session.flush()
        if user.is_verified and user.active:
            users.append(user)
    return users


def _official_of(department_id: int) -> User | None:
    return db.session.scalar(
        select(User).join(RoleAssignment).where(
            RoleAssignment.role == Role.OFFICIAL, RoleAssignment.department_id == department_id,
            User.active.is_(True))
        .options(selectinload(User.roles)).order_by(User.id).limit(1))


def _pool(r: Round) -> list[str]:
    for word, texts in TOPICS.items():
        if word in r.consultation.title:
            return texts + GENERIC
    return list(GENERIC)


def _proposal(clause: Clause) -> str:
    body = clause.body.rstrip("。")
    return body + "，并应当向社会公开相关标准和办理结果。"


def _plan(r: Round, clauses: list[Clause], people: list[User], rng: random.Random):
    """What is said in a round: (author, text, clause, proposal) tuples, replies, questions."""
    texts = _pool(r)
    rng.shuffle(texts)
    count = min(len(texts), rng.randint(7, 11))
    tops = []
    for i, text in enumerate(texts[:count]):
        author = people[(i + r.id) % len(people)]
        clause = clauses[i % len(clauses)] if clauses and i % 3 != 2 else None
        proposal = _proposal(clause) if clause is not None and i % 4 == 0 else None
        tops.append((author, text, clause, proposal))
    return tops


def _stance(text: str, proposal: str | None, rng) -> CommentStance | None:
    """A plausible stance for a demo comment: a new wording suggests changes; some
    state none."""
    if proposal:
        return CommentStance.AMEND
    return rng.choice((None, CommentStance.SUPPORT, CommentStance.SUPPORT,
                       CommentStance.OPPOSE, CommentStance.NEUTRAL))


def _fill_open(r: Round, clauses, people, official, rng) -> None:
    """Through the services, as people would; then spread the times over the open days."""
    posted: list[Comment] = []
    for author, text, clause, proposal in _plan(r, clauses, people, rng):
        posted.append(services.post_comment(author, r, body=text,
                                            clause_id=clause.id if clause else None,
                                            proposed_text=proposal,
                                            stance=_stance(text, proposal, rng)))
    for i, target in enumerate(list(posted)):
        for j in range(rng.choice((0, 0, 1, 2))):
            replier = people[(i + j + 3) % len(people)]
            posted.append(services.post_comment(replier, r, body=REPLIES[(i + j) % len(REPLIES)],
                                                parent_id=target.id))
    for c in posted:
        fans = [p for p in people if p.id != c.author_id]
        for fan in rng.sample(fans, k=rng.randint(0, min(6, len(fans)))):
            services.set_comment_support(fan, c, supported=True)
    asked = []
    for i, text in enumerate(rng.sample(QUESTIONS, k=rng.randint(3, 5))):
        asked.append(services.ask_question(people[(i * 3 + r.id) % len(people)], r, body=text))
    for q in asked:
        fans = [p for p in people if p.id != q.author_id]
        for fan in rng.sample(fans, k=rng.randint(0, 4)):
            services.set_question_support(fan, q, supported=True)
    _spread_times(r, posted, asked, rng)
    if official is not None:
        for i, q in enumerate(asked[: len(asked) // 2]):
            services.answer_question(official, services.get_question(official, q.id),
                                     body=ANSWERS[i % len(ANSWERS)])
            answer_at = q.created_at + timedelta(days=rng.randint(1, 3))
            answer_at = min(answer_at, now() - timedelta(minutes=30))
            db.session.execute(update(Question).where(Question.id == q.id)
                               .values(answered_at=answer_at))
            db.session.execute(update(Answer).where(Answer.question_id == q.id)
                               .values(created_at=answer_at))


def _spread_times(r: Round, comments: list[Comment], questions: list[Question], rng) -> None:
    """Posted just now by the seed; say instead they came over the days the round was open."""
    start = r.opens_at
    end = now() - timedelta(hours=1)
    span = max((end - start).total_seconds(), 3600)
    times = sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in comments)
    by_id = {}
    for c, at in zip(comments, times, strict=True):
        parent_at = by_id.get(c.parent_id)
        if parent_at is not None and at <= parent_at:
            at = parent_at + timedelta(minutes=rng.randint(5, 300))
        by_id[c.id] = at
        db.session.execute(update(Comment).where(Comment.id == c.id).values(created_at=at))
    for q in questions:
        at = start + timedelta(seconds=rng.uniform(0, span))
        q.created_at = at
    db.session.flush()


def _fill_past(r: Round, clauses, people, official, rng) -> None:
    """A closed round's history, written directly with counters kept consistent."""
    start = r.opens_at
    end = lifecycle.effective_closed_at(r)
    span = max((end - start).total_seconds(), 3600)

    def at(fraction: float):
        return start + timedelta(seconds=span * fraction)

    tops: list[Comment] = []
    for author, text, clause, proposal in _plan(r, clauses, people, rng):
        c = Comment(round_id=r.id, author_id=author.id, clause_id=clause.id if clause else None,
                    body=text, proposed_text=proposal, depth=0, receipt_code=new_receipt_code(),
                    stance=_stance(text, proposal, rng),
                    created_at=at(rng.uniform(0.0, 0.8)))
        db.session.add(c)
        tops.append(c)
    db.session.flush()
    everyone = list(tops)
    for i, c in enumerate(tops):
        c.thread_id = c.id
        for j in range(rng.choice((0, 1, 1, 2))):
            replier = people[(i + j + 3) % len(people)]
            reply = Comment(round_id=r.id, author_id=replier.id, clause_id=c.clause_id,
                            body=REPLIES[(i + j) % len(REPLIES)], depth=1, parent_id=c.id,
                            reply_to_id=c.id, thread_id=c.id,
                            created_at=c.created_at + timedelta(hours=rng.randint(1, 48)))
            db.session.add(reply)
            everyone.append(reply)
            c.reply_count += 1
    db.session.flush()
    for c in everyone:
        fans = [p for p in people if p.id != c.author_id]
        chosen = rng.sample(fans, k=rng.randint(0, min(7, len(fans))))
        for fan in chosen:
            db.session.add(CommentSupport(comment_id=c.id, user_id=fan.id, created_at=end))
            participants.mark(r.id, fan.id)
        c.support_count = len(chosen)
        participants.mark(r.id, c.author_id)
    questions = []
    for i, text in enumerate(rng.sample(QUESTIONS, k=rng.randint(3, 5))):
        asker = people[(i * 3 + r.id) % len(people)]
        q = Question(round_id=r.id, author_id=asker.id, body=text,
                     department_id=r.consultation.department_id,
                     created_at=at(rng.uniform(0.0, 0.9)))
        db.session.add(q)
        questions.append(q)
        participants.mark(r.id, asker.id)
    db.session.flush()
    for i, q in enumerate(questions):
        fans = [p for p in people if p.id != q.author_id]
        chosen = rng.sample(fans, k=rng.randint(0, 4))
        for fan in chosen:
            db.session.add(QuestionSupport(question_id=q.id, user_id=fan.id, created_at=end))
            participants.mark(r.id, fan.id)
        q.support_count = len(chosen)
        if official is not None and i % 3 != 2:  # most, not all, were answered
            answered = q.created_at + timedelta(days=rng.randint(1, 6))
            q.answered_at = answered
            db.session.add(Answer(question_id=q.id, author_id=official.id,
                                  department_id=q.department_id,
                                  body=ANSWERS[i % len(ANSWERS)], created_at=answered))
    db.session.execute(update(Round).where(Round.id == r.id).values(
        comment_count=Round.comment_count + len(everyone),
        question_count=Round.question_count + len(questions)))
    db.session.flush()
