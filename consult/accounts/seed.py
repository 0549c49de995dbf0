"""Demo departments and accounts, one per role (the first part of ``flask seed-demo``),
created through the services (idempotent: running it twice changes nothing)."""

from __future__ import annotations

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.accounts import services as accounts
from consult.accounts.models import Department, Role, RoleAssignment, User
from consult.clock import now
from consult.db import atomic, db

DEMO_PASSWORD = "consult-demo-2026"

DEPARTMENTS = [
    ("civil-affairs", "市民政局", "Civil Affairs Bureau",
     "负责养老服务、社区治理、社会救助等民生事务。"),
    ("housing", "市住房和城乡建设局", "Housing and Urban-Rural Development Bureau",
     "负责住房保障、物业管理、城市更新等工作。"),
    ("urban-management", "市城市管理局", "Urban Management Bureau",
     "负责市容环境、生活垃圾分类、停车秩序等城市管理工作。"),
    ("transport", "市交通运输局", "Transport Bureau",
     "负责公共交通、道路运输和出行服务。"),
    ("health", "市卫生健康委员会", "Health Commission",
     "负责公共卫生、医疗服务和健康促进。"),
]

# (e-mail, display name, roles, official of departments)
ACCOUNTS = [
    ("admin@example.org", "系统管理员", [Role.ADMIN], []),
    ("official@example.org", "王科长（民政局）", [], ["civil-affairs"]),
    ("official4@example.org", "周科员（城管局）", [], ["urban-management"]),
    ("official2@example.org", "李处长（城管局）", [], ["urban-management", "housing"]),
    ("official3@example.org", "赵主任（交通局、卫健委）", [], ["transport", "health"]),
    ("moderator@example.org", "内容审核员", [Role.MODERATOR], []),
    ("evaluator@example.org", "评估专员", [Role.EVALUATOR], []),
    ("citizen@example.org", "张晓明", [], []),
    ("citizen2@example.org", "陈丽华", [], []),
    ("citizen3@example.org", "Li Wei", [], []),
]


def seed() -> list[tuple[str, str, str]]:
    with atomic():
        admin = ensure_user(*ACCOUNTS[0])
        depts = _ensure_departments(admin)
        printed = [(ACCOUNTS[0][0], DEMO_PASSWORD, Role.ADMIN.label)]
        for email, name, roles, dept_slugs in ACCOUNTS[1:]:
            user = ensure_user(email, name, roles, [])
            wanted = [depts[s].id for s in dept_slugs]
            if wanted and set(wanted) != user.official_department_ids:
                accounts.set_roles(admin, user, roles=[r.value for r in roles],
                                   department_ids=wanted)
            role_label = ", ".join([r.label for r in roles] + (
                [Role.OFFICIAL.label + "（" + "、".join(depts[s].name for s in dept_slugs) + "）"]
                if dept_slugs else [])) or str(_l("Citizen"))
            printed.append((email, DEMO_PASSWORD, role_label))
    return printed


def ensure_user(email: str, name: str, roles: list[Role], _depts) -> User:
    user = db.session.scalar(
        select(User).where(User.email == email).options(selectinload(User.roles))
    )
    if user is None:
        user = accounts.register(email=email, display_name=name, password=DEMO_PASSWORD,
                                 locale=None, send_verification=False)
        user.email_verified_at = now()
        # Demo accounts can post at once: past the new-account cool-down (consult.security.limits).
        user.created_at = now() - timedelta(days=1)
        for role in roles:
            user.roles.append(RoleAssignment(role=role))
        db.session.flush()
    return user


def _ensure_departments(admin: User) -> dict[str, Department]:
    existing = {d.slug: d for d in db.session.scalars(select(Department))}
    for slug, name, name_en, description in DEPARTMENTS:
        if slug not in existing:
            existing[slug] = accounts.create_department(
                admin, name=name, slug=slug, name_en=name_en, description=description)
    return existing
