"""The reference plan document, and its resource items by position."""

from __future__ import annotations

from django.conf import settings

from curriculum.models import Plan, Resource

REFERENCE = settings.BASE_DIR / "curriculum" / "plans" / "multimodal-90-days.zh.md"


def paper(plan: Plan, position: int = 1) -> Resource:
    return Resource.objects.get(section__plan=plan, section__position=1, position=position)
