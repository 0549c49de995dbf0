"""Demo suggestions for ``flask seed-demo``: every answer status, one overdue, one "not
sure which department", one taken onto the agenda linking a demo consultation (when the
consultations seed made one), supports, comments and ratings.

Made through the services by the demo accounts of ``consult/seed.py``. The overdue one
is submitted and then moved back in time (its dates and its department stay), since
services always use the real clock. Idempotent: a suggestion whose title exists is
left alone.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from consult.accounts.models import Department, User
from consult.consultations.models import Consultation
from consult.db import db
from consult.suggestions import deadlines, services
from consult.suggestions.models import Suggestion, SuggestionAssignment

# title, author, department slug (None: not sure), fields, supporters, comments,
# answer: (official, status, body, consultation department slug or None, to dept slug),
# rating
DEMO = [
    dict(title="社区老年食堂覆盖不足，很多老人吃饭难", author="citizen@example.org",
         dept="civil-affairs", tags="养老, 社区服务",
         problem="我们街道只有一家老年食堂，离很多小区步行超过二十分钟，行动不便的老人很难去吃饭。",
         affected="独居和高龄老人，全街道约三千人", location="东城区各街道",
         proposal="每个社区设一个老年助餐点，或者与周边餐馆合作送餐上门。",
         links="https://example.org/elderly-canteen-survey",
         supporters=["citizen2@example.org", "citizen3@example.org"],
         comments=[("citizen2@example.org", "我母亲就住在附近，每天吃饭是个大问题，支持！"),
                   ("citizen3@example.org", "可以参考上海的社区助餐点做法：https://example.org/shanghai-meals")],
         answer=("official@example.org", "on_agenda",
                 "感谢您的建议。我局已将社区助餐服务纳入《社区养老服务管理办法》的制定工作，欢迎继续参与征求意见。",
                 "civil-affairs", None),
         rating="satisfied"),
    dict(title="老旧小区加装电梯审批流程太长", author="citizen2@example.org", dept="housing",
         tags="住房, 老旧小区",
         problem="加装电梯需要跑多个部门盖章，我们楼从申请到现在已经一年多还没批下来。",
         affected="老旧小区中高层住户，特别是老人", location="全市",
         proposal="设立一站式受理窗口，明确各环节办理时限。",
         supporters=["citizen@example.org"], comments=[],
         answer=("official2@example.org", "under_study",
                 "我局正在会同规划、市场监管部门研究简化审批流程，预计三个月内给出方案。", None, None),
         rating=None),
    dict(title="夜间施工噪音扰民，投诉后没人处理", author="citizen3@example.org",
         dept="urban-management", tags="噪音, 城市管理",
         problem="小区旁边的工地经常晚上十一点以后还在施工，打了几次热线都说会处理，但一直没有改善。",
         affected="周边三个小区的居民", location="朝阳区建国路附近",
         proposal="公布夜间施工许可信息，并在投诉后48小时内反馈处理结果。",
         supporters=["citizen@example.org", "citizen2@example.org"],
         comments=[("citizen@example.org", "我们那边也有同样的问题。")],
         answer=("official2@example.org", "not_taken",
                 "夜间施工许可和噪音执法属于生态环境部门职责，我局已将线索转交执法队处理；该建议不纳入我局政策议程。",
                 None, None),
         rating="dissatisfied"),
    dict(title="垃圾分类投放点开放时间太短", author="citizen@example.org",
         dept="urban-management", tags="垃圾分类",
         problem="投放点只在早上七点到九点、晚上六点到八点开放，上班族经常赶不上。",
         affected="上班族和倒班工作的居民", location="全市住宅小区",
         proposal="延长开放时间，或者增设24小时智能投放箱。",
         supporters=["citizen3@example.org"], comments=[],
         answer=("official2@example.org", "covered",
                 "该问题已在正在征求意见的相关办法中涉及，欢迎在该征求意见中发表意见。", "any", None),
         rating="basically_satisfied"),
    dict(title="小区周边公交站点太远", author="citizen@example.org", dept="housing",
         tags="公共交通",
         problem="新建小区周边一公里内没有公交站，居民出行只能打车或开车。",
         affected="新建小区约两千户居民", location="北部新区",
         proposal="增设公交线路或社区接驳车。",
         supporters=["citizen2@example.org"], comments=[],
         answer=("official2@example.org", "transferred",
                 "公交线路规划属于交通运输部门职责，已转交市交通运输局办理。", None, "transport"),
         rating=None),
    dict(title="社区卫生服务中心周末不开门", author="citizen2@example.org", dept=None,
         tags="医疗",
         problem="我们社区的卫生服务中心周六周日都不开门，孩子周末发烧只能去大医院排队。",
         affected="社区居民，特别是有孩子的家庭", location="西城区",
         proposal="周末至少开放半天门诊。",
         supporters=["citizen3@example.org"], comments=[], answer=None, rating=None),
    dict(title="学校门口早晚高峰拥堵严重", author="citizen3@example.org", dept="transport",
         tags="交通, 学校",
         problem="每天早上七点半和下午四点半，学校门口的道路完全堵死，接送孩子的车辆乱停。",
         affected="学生、家长和周边居民", location="海淀区中关村第一小学周边",
         proposal="设置临时停车接送区，高峰时段安排交通协管员。",
         supporters=["citizen@example.org", "citizen2@example.org"], comments=[],
         answer=None, rating=None, backdate_days=35),
    dict(title="独居老人紧急呼叫设备应给予补贴", author="citizen3@example.org",
         dept="civil-affairs", tags="养老",
         problem="独居老人在家摔倒后无法及时求助，紧急呼叫设备价格较高，很多家庭买不起。",
         affected="独居老人", location="全市",
         proposal="对独居老人安装紧急呼叫设备给予补贴。",
         supporters=[], comments=[], answer=None, rating=None),
]


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email).options(
        selectinload(User.roles)))


def _dept(slug: str | None) -> Department | None:
    if slug is None:
        return None
    return db.session.scalar(select(Department).where(Department.slug == slug))


def _consultation(slug: str | None) -> Consultation | None:
    stmt = select(Consultation).where(Consultation.published_at.is_not(None))
    if slug and slug != "any":
        dept = _dept(slug)
        if dept is None:
            return None
        stmt = stmt.where(Consultation.department_id == dept.id)
    return db.session.scalar(stmt.order_by(Consultation.id).limit(1))


def _backdate(suggestion: Suggestion, days: int) -> None:
    """Move a freshly submitted demo suggestion ``days`` back, deadline included."""
    at = suggestion.created_at - timedelta(days=days)
    due = deadlines.due_date(suggestion.department_id, at)
    db.session.execute(update(Suggestion).where(Suggestion.id == suggestion.id).values(
        created_at=at, received_at=at, due_at=due))
    db.session.execute(update(SuggestionAssignment).where(
        SuggestionAssignment.suggestion_id == suggestion.id).values(received_at=at, due_at=due))
    db.session.expire(suggestion)


def seed() -> None:
    existing = set(db.session.scalars(select(Suggestion.title)))
    for item in DEMO:
        if item["title"] in existing:
            continue
        author = _user(item["author"])
        if author is None:
            continue
        dept = _dept(item["dept"])
        if item["dept"] is not None and dept is None:
            continue
        s = services.submit_suggestion(
            author, department_id=dept.id if dept else None, title=item["title"],
            problem=item["problem"], affected=item["affected"], location=item["location"],
            proposal=item["proposal"], tags=item["tags"], links=item.get("links", ""))
        if item.get("backdate_days"):
            _backdate(s, item["backdate_days"])
        for email in item["supporters"]:
            fan = _user(email)
            if fan is not None:
                services.add_support(fan, s)
        for email, body in item["comments"]:
            commenter = _user(email)
            if commenter is not None:
                services.add_comment(commenter, s, body=body)
        answer = item["answer"]
        if answer is not None:
            email, status, body, consultation_dept, to_slug = answer
            official = _user(email)
            consultation = _consultation(consultation_dept) if consultation_dept else None
            if status in ("on_agenda", "covered") and consultation is None:
                status = "under_study"  # no demo consultation to link
            if official is not None:
                target = _dept(to_slug)
                services.answer_suggestion(
                    official, s, status=status, body=body,
                    consultation_id=consultation.id if consultation else None,
                    to_department_id=target.id if target else None)
                if item["rating"]:
                    services.rate_answer(author, s, rating=item["rating"])
        db.session.flush()
