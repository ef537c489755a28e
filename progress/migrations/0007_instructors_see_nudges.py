"""The Instructors group may view nudges and their deliveries (the admin limits them to their own plans)."""

from __future__ import annotations

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["view_nudge", "view_nudgedelivery"]


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("progress")
    # As in curriculum's 0002: permissions are made by post_migrate, which has not run yet here.
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, using=db, apps=apps)
    app_config.models_module = None
    group = apps.get_model("auth", "Group").objects.using(db).filter(name="Instructors").first()
    if group is not None:
        permissions = apps.get_model("auth", "Permission").objects.using(db)
        group.permissions.add(*permissions.filter(content_type__app_label="progress", codename__in=CODENAMES))


def revoke(apps, schema_editor):
    db = schema_editor.connection.alias
    group = apps.get_model("auth", "Group").objects.using(db).filter(name="Instructors").first()
    if group is not None:
        permissions = apps.get_model("auth", "Permission").objects.using(db)
        group.permissions.remove(*permissions.filter(content_type__app_label="progress", codename__in=CODENAMES))


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0006_note_sharing_and_nudges"),
        ("curriculum", "0002_instructors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
