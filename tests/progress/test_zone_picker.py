"""The time zone picker: real places only (no PRC, no Etc/GMT-8), the plan language's common zones first
with human names, typing a name or an alias works, and the learner's own odd zone is kept if left alone."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User

from curriculum.models import Plan
from progress.models import Enrollment
from progress.zone_names import canonical_zone, place_zones, plan_language
from tests.progress.helpers import logged_in, settings_form

pytestmark = pytest.mark.django_db


def options(html: str) -> list[tuple[str, str]]:
    datalist = re.search(r'<datalist id="id_time_zone-zones">(.*?)</datalist>', html, re.S)
    assert datalist, "no datalist"
    return re.findall(r'<option value="([^"]*)">([^<]*)</option>', datalist.group(1))


def test_only_places_are_offered() -> None:
    zones = set(place_zones())
    assert {"Asia/Shanghai", "Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC"} <= zones
    assert not zones & {"PRC", "Etc/GMT-8", "US/Eastern", "Asia/Calcutta", "localtime", "Factory", "GMT+0"}
    assert len(zones) > 300


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Asia/Shanghai", "Asia/Shanghai"),
        (" europe/berlin ", "Europe/Berlin"),
        ("America/New York", "America/New_York"),
        ("PRC", "Asia/Shanghai"),
        ("Asia/Calcutta", "Asia/Kolkata"),
        ("US/Eastern", "America/New_York"),
        ("Etc/UTC", "UTC"),
        ("Etc/GMT-8", None),
        ("Asia", None),
        ("", None),
    ],
)
def test_what_is_typed_is_read_as_a_place(typed: str, stored: str | None) -> None:
    assert canonical_zone(typed) == stored


def test_a_plan_in_chinese_lists_beijing_time_first_with_its_name(alice: User, enrollment: Enrollment) -> None:
    Plan.objects.filter(pk=enrollment.plan_id).update(title="多模态学习计划")

    found = options(logged_in(alice).get("/settings/").content.decode())  # Chinese interface

    assert found[0] == ("Asia/Shanghai", "北京时间")
    assert ("Asia/Hong_Kong", "香港时间") in found[:5]
    values = [v for v, _label in found]
    assert len(values) == len(set(values)) == len(place_zones())
    assert "PRC" not in values and "Etc/GMT-8" not in values


@pytest.mark.usefixtures("english_ui")
def test_a_plan_in_english_lists_us_zones_first(alice: User, enrollment: Enrollment) -> None:
    found = options(logged_in(alice).get("/settings/").content.decode())
    assert found[0] == ("America/New_York", "US Eastern time")
    assert plan_language("Plan test-plan") == "en" and plan_language("计划") == "zh"


@pytest.mark.usefixtures("english_ui")
def test_the_picker_is_a_text_input_anyone_can_type_into(alice: User, enrollment: Enrollment) -> None:
    html = logged_in(alice).get("/settings/").content.decode()
    field = re.search(r'<input type="text" name="time_zone"[^>]*>', html)
    assert field and 'list="id_time_zone-zones"' in field.group(0) and 'value="Asia/Shanghai"' in field.group(0)
    assert "data-zone-picker" in field.group(0) and "data-guess" not in field.group(0)
    assert "/static/js/zone-picker.js" in html


def test_an_alias_typed_in_settings_is_stored_as_the_place(alice: User, enrollment: Enrollment) -> None:
    response = logged_in(alice).post("/settings/", settings_form(enrollment, time_zone="PRC"))
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.time_zone == "Asia/Shanghai"


def test_a_stored_zone_off_the_list_is_kept_when_left_unchanged(alice: User, enrollment: Enrollment) -> None:
    Enrollment.objects.filter(pk=enrollment.pk).update(time_zone="Etc/GMT-8")
    enrollment.refresh_from_db()

    response = logged_in(alice).post("/settings/", settings_form(enrollment, reminder_time="07:00"))

    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.time_zone == "Etc/GMT-8"


def test_a_first_enrollment_lets_the_device_zone_replace_the_default(alice: User, plan: Plan) -> None:
    html = logged_in(alice).get("/enroll/").content.decode()
    field = re.search(r'<input type="text" name="time_zone"[^>]*>', html)
    assert field and 'data-guess="1"' in field.group(0)
    assert options(html)[0][0] == "America/New_York"  # the test plan is in English
