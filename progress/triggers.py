"""Database triggers that keep `Enrollment.state_version` counting up on every write to a learner's state.

The learner pages are cached by the enrollment's row (progress.page_cache), so a warm page reads the row it
needs anyway and no state at all. That is only safe if every write to the state moves the row: a tick, a note
saved by autosave, a reschedule, a bulk update in the admin, a cascade from a deleted account, raw SQL in a
management command. Signals or explicit calls in views would each miss some of these; a trigger in the
database misses none.

PostgreSQL: one statement-level trigger per table and event, reading the statement's transition table, so a
bulk insert or delete of thousands of rows moves each enrollment once, not once per row. SQLite (the
quickstart) has only row-level triggers, which is fine at one learner's scale.

On the enrollment row itself, an update that changes a column (other than NOT_SHOWN) and does not already
raise the counter raises it (a `save()` of an instance read before a tick writes the old value back; the
trigger turns that into old + 1, so a counter never repeats a value an earlier page was cached under).
"""

# The SQL below is built from this module's own table and column names, never from input.
# ruff: noqa: S608

from __future__ import annotations

from typing import Any

ENROLLMENT = "progress_enrollment"

# (table, the column naming whose state it is): "enrollment_id" moves that enrollment, "user_id" every
# enrollment of that learner (the study timer is one per learner, shown on each of their plans).
STATE_TABLES: tuple[tuple[str, str], ...] = (
    ("progress_taskcompletion", "enrollment_id"),
    ("progress_daynote", "enrollment_id"),
    ("progress_schedulechange", "enrollment_id"),
    ("progress_dayoff", "enrollment_id"),
    ("progress_studytime", "enrollment_id"),
    ("progress_studytimer", "user_id"),
    ("progress_resourceprogress", "enrollment_id"),
    ("progress_weeknote", "enrollment_id"),
)

_TARGET = {"enrollment_id": "id", "user_id": "user_id"}

# Enrollment columns no learner page shows, which an update may change without moving the counter: the
# reminder fan-out moves every reminded learner's next_reminder_at once a day, and their cached pages need
# not be rebuilt for it (progress.page_cache leaves it out of the key too). PostgreSQL only: SQLite's
# triggers cannot compare whole rows, so there every update moves it, which is never wrong.
NOT_SHOWN = ("next_reminder_at",)


def _postgresql(tables: tuple[tuple[str, str], ...]) -> list[str]:
    not_shown = "ARRAY[" + ", ".join(f"'{column}'" for column in (*NOT_SHOWN, "state_version")) + "]::text[]"
    sql = [
        f"""
        CREATE OR REPLACE FUNCTION progress_state_version_own() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.state_version <= OLD.state_version THEN
                -- Never back to a value an earlier page was cached under; up only when something shown changed.
                IF (to_jsonb(NEW) - {not_shown}) IS DISTINCT FROM (to_jsonb(OLD) - {not_shown}) THEN
                    NEW.state_version := OLD.state_version + 1;
                ELSE
                    NEW.state_version := OLD.state_version;
                END IF;
            END IF;
            RETURN NEW;
        END $$;
        DROP TRIGGER IF EXISTS progress_state_version ON {ENROLLMENT};
        CREATE TRIGGER progress_state_version BEFORE UPDATE ON {ENROLLMENT}
            FOR EACH ROW EXECUTE FUNCTION progress_state_version_own();
        """
    ]
    # One function per (column, which transition tables), shared by the tables: PL/pgSQL plans a trigger
    # function per table it fires on, so the same body serves every table with that column.
    for column, target in _TARGET.items():
        for event, rows in (("INSERT", "new_rows"), ("DELETE", "old_rows"), ("UPDATE", "changed_rows")):
            source = (
                f"SELECT {column} FROM new_rows UNION SELECT {column} FROM old_rows"
                if rows == "changed_rows"
                else f"SELECT {column} FROM {rows}"
            )
            sql.append(
                f"""
                CREATE OR REPLACE FUNCTION progress_state_version_{column}_{event.lower()}() RETURNS trigger
                LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE {ENROLLMENT} SET state_version = state_version + 1 WHERE {target} IN ({source});
                    RETURN NULL;
                END $$;
                """
            )
    for table, column in tables:
        for event, referencing in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
            ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        ):
            name = f"{table}_state_{event.lower()}"
            sql.append(
                f"""
                DROP TRIGGER IF EXISTS {name} ON {table};
                CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing}
                    FOR EACH STATEMENT EXECUTE FUNCTION progress_state_version_{column}_{event.lower()}();
                """
            )
    return sql


def _sqlite(tables: tuple[tuple[str, str], ...]) -> list[str]:
    sql = [
        "DROP TRIGGER IF EXISTS progress_state_version",
        f"""
        CREATE TRIGGER progress_state_version AFTER UPDATE ON {ENROLLMENT}
        WHEN NEW.state_version <= OLD.state_version
        BEGIN
            UPDATE {ENROLLMENT} SET state_version = OLD.state_version + 1 WHERE id = NEW.id;
        END
        """,
    ]
    for table, column in tables:
        target = _TARGET[column]
        for event, match in (
            ("INSERT", f"= NEW.{column}"),
            ("DELETE", f"= OLD.{column}"),
            ("UPDATE", f"IN (OLD.{column}, NEW.{column})"),
        ):
            name = f"{table}_state_{event.lower()}"
            sql.append(f"DROP TRIGGER IF EXISTS {name}")
            sql.append(
                f"""
                CREATE TRIGGER {name} AFTER {event} ON {table}
                BEGIN
                    UPDATE {ENROLLMENT} SET state_version = state_version + 1 WHERE {target} {match};
                END
                """
            )
    return sql


def install(schema_editor: Any, tables: tuple[tuple[str, str], ...] = STATE_TABLES) -> None:
    """Create (or replace) the triggers for `tables` and for the enrollment row itself (only that one when
    `tables` is empty)."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = _postgresql(tables)
    elif vendor == "sqlite":
        statements = _sqlite(tables)
    else:
        raise NotImplementedError(f"no state-version triggers for {vendor}")
    for statement in statements:
        schema_editor.execute(statement, params=None)


def uninstall(schema_editor: Any, tables: tuple[tuple[str, str], ...] = STATE_TABLES) -> None:
    postgresql = schema_editor.connection.vendor == "postgresql"
    for table, _column in tables:
        for event in ("insert", "delete", "update"):
            on = f" ON {table}" if postgresql else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_state_{event}{on}", params=None)
    schema_editor.execute(
        f"DROP TRIGGER IF EXISTS progress_state_version{f' ON {ENROLLMENT}' if postgresql else ''}", params=None
    )
