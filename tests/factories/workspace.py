"""A department's reply templates (常用答复) straight into the table."""

from __future__ import annotations

import factory

from consult.workspace.models import ReplyTemplate, TemplatePurpose
from tests.factories.accounts import DepartmentFactory
from tests.factories.base import Base


class ReplyTemplateFactory(Base):
    """An answer template for questions; ``purpose=`` for the triage or suggestions."""

    class Meta:
        model = ReplyTemplate

    department_id = factory.LazyFunction(lambda: DepartmentFactory().id)
    purpose = TemplatePurpose.QUESTION
    title = factory.Sequence(lambda n: f"常用答复{n}")
    body = "您好，补贴将于每季度首月发放。"
