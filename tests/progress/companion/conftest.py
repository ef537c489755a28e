"""The companion tests (resources, review, snippets, search) run on the reference plan, alice enrolled in it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from curriculum.document import parse_bytes
from curriculum.importer import import_document
from curriculum.models import Plan
from progress.models import Enrollment
from tests.progress.companion.reference import REFERENCE
from tests.progress.helpers import START


@pytest.fixture
def plan(db: None) -> Plan:
    return import_document(parse_bytes(REFERENCE.read_bytes()), "multimodal-90-days").plan


@pytest.fixture
def enrollment(alice: User, plan: Plan) -> Enrollment:
    return Enrollment.objects.create(user=alice, plan=plan, start_date=START, time_zone="Asia/Shanghai")
