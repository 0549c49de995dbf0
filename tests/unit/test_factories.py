"""The factories' objects stay usable after commit whatever the garbage collector does."""

from __future__ import annotations

import gc

from tests.factories import DepartmentFactory, RoundFactory, UserFactory


def test_relationships_of_factory_objects_survive_garbage_collection(app):
    dept = DepartmentFactory()
    for _ in range(3):
        round_ = RoundFactory(version__consultation__department=dept)
        gc.collect()
        # Sub-objects nobody in the test references: read through raise_on_sql relationships.
        assert round_.version.consultation.department.id == dept.id
        assert round_.consultation.id == round_.version.consultation_id
    official = UserFactory(role="official", role__department=dept)
    gc.collect()
    assert official.id
