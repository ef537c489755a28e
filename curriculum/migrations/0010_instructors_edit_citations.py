"""Instructors add, change, remove and view task -> resource citations, and view learners' resource statuses,
and weekly reflections.

Removing a citation is editing a link, not content, so unlike other curriculum rows it may be deleted.
"""

from __future__ import annotations

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Instructors"
WANTED = [("curriculum", f"{action}_citation") for action in ("add", "change", "delete", "view")] + [
    ("progress", f"view_{model}") for model in ("resourceprogress", "weeknote")
]


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    for label in ("curriculum", "progress"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True  # see 0002: permissions are not created yet on a fresh database
        create_permissions(app_config, verbosity=0, using=db, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.using(db).filter(name=GROUP).first()
    if group is None:
        return
    for app_label, codename in WANTED:
        group.permissions.add(Permission.objects.using(db).get(content_type__app_label=app_label, codename=codename))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.using(schema_editor.connection.alias).filter(name=GROUP).first()
    if group is not None:
        for app_label, codename in WANTED:
            group.permissions.remove(*group.permissions.filter(content_type__app_label=app_label, codename=codename))


class Migration(migrations.Migration):
    dependencies = [
        ("curriculum", "0009_task_citations"),
        ("progress", "0008_resource_progress_week_notes"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
