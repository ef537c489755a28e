"""Instructors may view the anonymous totals deleted accounts leave per plan (progress.DeletedLearnerTotals).

Permissions are created by a post_migrate signal, which has not run yet on a fresh database when this
migration runs, so it creates them first (create_permissions only adds missing ones).
"""

from __future__ import annotations

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Instructors"
CODENAME = "view_deletedlearnertotals"


def grant(apps, schema_editor):
    db = schema_editor.connection.alias
    app_config = apps.get_app_config("progress")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0, using=db, apps=apps)
    app_config.models_module = None
    group = apps.get_model("auth", "Group").objects.using(db).filter(name=GROUP).first()
    if group is not None:
        permission = apps.get_model("auth", "Permission").objects.using(db).get(
            content_type__app_label="progress", codename=CODENAME
        )
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    db = schema_editor.connection.alias
    group = apps.get_model("auth", "Group").objects.using(db).filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*group.permissions.filter(codename=CODENAME))


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0004_signed_in_sessions_and_deleted_learner_totals"),
        ("curriculum", "0002_instructors_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
