from django.db import migrations

# progress.ticks: a tick or an untick, and the enrollment's state_version after it, in one statement.
# The table and column names are this migration's own (a migration keeps the SQL of its time).
CREATE = """
CREATE OR REPLACE FUNCTION progress_set_done(
    p_enrollment bigint, p_task bigint, p_done boolean, p_at timestamptz, p_own boolean
) RETURNS TABLE (changed integer, version bigint) LANGUAGE plpgsql AS $$
BEGIN
    IF p_own THEN
        -- The statement is its own transaction (autocommit): asynchronous commit for that transaction alone.
        PERFORM set_config('synchronous_commit', 'off', true);
    END IF;
    IF p_done THEN
        INSERT INTO progress_taskcompletion (enrollment_id, task_id, completed_at)
            VALUES (p_enrollment, p_task, p_at)
            ON CONFLICT (enrollment_id, task_id) DO NOTHING;
    ELSE
        DELETE FROM progress_taskcompletion WHERE enrollment_id = p_enrollment AND task_id = p_task;
    END IF;
    GET DIAGNOSTICS changed = ROW_COUNT;
    SELECT e.state_version INTO version FROM progress_enrollment e WHERE e.id = p_enrollment;
    RETURN NEXT;
END $$;
"""
DROP = "DROP FUNCTION IF EXISTS progress_set_done(bigint, bigint, boolean, timestamptz, boolean)"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0015_drop_indexes_covered_by_composites"),
    ]

    operations = [migrations.RunPython(create, drop)]
