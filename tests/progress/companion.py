"""The reference plan with alice enrolled, for the companion tests (resources, review, snippets, search)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth.models import User

from curriculum.document import parse_bytes
from curriculum.importer import import_document
from curriculum.models import Plan, Resource
from progress.models import Enrollment
from tests.progress.helpers import START

REFERENCE = settings.BASE_DIR / "curriculum" / "plans" / "multimodal-90-days.zh.md"


@pytest.fixture
def plan(db: None) -> Plan:
    return import_document(parse_bytes(REFERENCE.read_bytes()), "multimodal-90-days").plan


@pytest.fixture
def enrollment(alice: User, plan: Plan) -> Enrollment:
    return Enrollment.objects.create(user=alice, plan=plan, start_date=START, time_zone="Asia/Shanghai")


def paper(plan: Plan, position: int = 1) -> Resource:
    return Resource.objects.get(section__plan=plan, section__position=1, position=position)
