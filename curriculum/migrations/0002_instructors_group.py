"""The "Instructors" group: add, change and view every curriculum row; view learner progress; nothing else.

No delete permission: removing plan rows is kept for superusers, and even they are refused (PROTECT) when
learners have progress on the row. Instructors retire content by editing it, which keeps learners' ticks.

Permissions are created by a post_migrate signal, which has not run yet on a fresh database when this
migration runs, so it creates them first (create_permissions only adds missing ones).
"""

from __future__ import annotations

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Instructors"
CURRICULUM_MODELS = ["plan", "phase", "week", "day", "session", "task", "resourcesection", "resource"]
PROGRESS_MODELS = [
    "learnerprofile",
    "enrollment",
    "taskcompletion",
    "daynote",
    "reminderdelivery",
    "schedulechange",
    "dayoff",
]


def wanted_permissions() -> list[tuple[str, str]]:
    return [("curriculum", f"{action}_{model}") for model in CURRICULUM_MODELS for action in ("add", "change", "view")] + [
        ("progress", f"view_{model}") for model in PROGRESS_MODELS
    ]


def create_group(apps, schema_editor):
    db = schema_editor.connection.alias
    for label in ("curriculum", "progress"):
        app_config = apps.get_app_config(label)
        # Historical app configs have no models module; create_permissions skips those without one.
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, using=db, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.using(db).get_or_create(name=GROUP)
    permissions = []
    for app_label, codename in wanted_permissions():
        permissions.append(
            Permission.objects.using(db).get(content_type__app_label=app_label, codename=codename)
        )
    group.permissions.set(permissions)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.using(schema_editor.connection.alias).filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("curriculum", "0001_initial"),
        ("progress", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
