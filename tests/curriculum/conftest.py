"""Fixtures for the curriculum tests: an instructor's logged-in client and a ten-day plan.

Modules that need another plan define their own `plan` fixture, which wins.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test.client import Client

from curriculum.models import Plan
from tests.factories import make_plan


@pytest.fixture
def ines(client: Client, instructor: User) -> Client:
    """The instructor, logged in to the admin."""
    client.force_login(instructor)
    return client


@pytest.fixture
def plan(db: None) -> Plan:
    """Ten study days over two weeks, two sessions a day."""
    return make_plan(days=10)
