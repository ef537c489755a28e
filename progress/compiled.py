"""QuerySets compiled to SQL once per database connection, then only executed.

Django turns a QuerySet into SQL again on every evaluation. For the few queries every learner page makes
(the learner's enrollments, their ticks and schedule rows) that compilation costs several times what the
database spends answering them: milliseconds of Python per request for a UNION of three selects or an
EXISTS annotation. A `CompiledQuery` is built from an ordinary QuerySet whose one varying value (an id)
is a marker (or two); the first use on a connection compiles it and notes where the marker sits among the
parameters, and every later use runs that SQL with the real id and converts the rows with the same
compiler, exactly as `values_list()` would have.

The SQL is kept per connection wrapper (one per thread and database alias), so a thread, a test database
or another vendor never runs SQL compiled for a different one. Only for queries whose SQL depends on
nothing but the id: no `now()`, no settings read at compile time.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.sql.compiler import SQLCompiler

# Ids no row has (ids are positive), so each can be found among the compiled query's parameters. Within a
# 32-bit integer: Django compiles a lookup on an `integer` column (auth_user.id) with a value out of its range
# to an empty result, not to SQL.
MARKERS = (-1_734_003_029, -1_734_003_031, -1_734_003_037)
# A string no argument is (a NUL byte cannot reach a query from a URL or a form).
TEXT_MARKER = "\x00compiled-text-marker\x00"


@dataclass(frozen=True)
class _Prepared:
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[int, int], ...]  # (position in params, which id) for each marker found
    compiler: SQLCompiler
    # What `compiler.results_iter()` works out on every call, worked out once: the backend's converters per
    # column (dozens of lookups for a wide row), and whether any column is a composite key.
    converters: dict[int, Any]
    fields: tuple[Any, ...]
    composite: bool


class CompiledQuery:
    """`build(*ids)` is a values_list() QuerySet; `rows(*ids)` returns its rows, compiling it once.

    The values are ids unless `markers` says otherwise: one value of the right type per argument, which no
    real argument equals (TEXT_MARKER for a string).
    """

    def __init__(
        self,
        name: str,
        build: Callable[..., QuerySet[Any, Any]],
        arity: int = 1,
        markers: tuple[object, ...] | None = None,
    ) -> None:
        self.name = name
        self.build = build
        self.markers = MARKERS[:arity] if markers is None else markers

    def _prepare(self, alias: str) -> _Prepared:
        connection = connections[alias]
        kept: dict[str, _Prepared] = connection.__dict__.setdefault("_progress_compiled", {})
        prepared = kept.get(self.name)
        if prepared is None:
            compiler = self.build(*self.markers).query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            slots = tuple(
                (i, k)
                for i, p in enumerate(params)
                for k, marker in enumerate(self.markers)
                if type(p) is type(marker) and p == marker
            )
            if {k for _, k in slots} != set(range(len(self.markers))):
                raise ValueError(f"{self.name}: an id is not among the compiled parameters")
            fields = tuple(s[0] for s in compiler.select[0 : compiler.col_count])
            prepared = kept[self.name] = _Prepared(
                sql,
                tuple(params),
                slots,
                compiler,
                compiler.get_converters(fields),
                fields,
                compiler.has_composite_fields(fields),
            )
        return prepared

    def rows(self, *ids: Any, using: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
        sql, params = self.statement(*ids, using=using)
        with server_cursor(connections[using]) as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return self.convert(fetched, using=using)

    def statement(self, *ids: Any, using: str = DEFAULT_DB_ALIAS) -> tuple[str, list[Any]]:
        """The SQL and its values for these ids, to run in a message of one's own (then `convert` the rows)."""
        prepared = self._prepare(using)
        params = list(prepared.params)
        for i, k in prepared.slots:
            params[i] = ids[k]
        return prepared.sql, params

    def convert(self, fetched: list[Any], using: str = DEFAULT_DB_ALIAS) -> list[tuple[Any, ...]]:
        """Rows of `statement`'s SQL as values_list() would return them."""
        prepared = self._prepare(using)
        # As values_list() would convert them (compiler.results_iter), with the converters found once.
        rows: Any = fetched
        if prepared.converters:
            rows = prepared.compiler.apply_converters(rows, prepared.converters)
        if prepared.composite:
            rows = prepared.compiler.composite_fields_to_tuples(rows, list(prepared.fields))
        return [tuple(row) for row in rows]


def server_cursor(connection: Any) -> Any:
    """On PostgreSQL (config.postgresql) a cursor bound on the server, whose statements are prepared there and
    not planned again on every use; elsewhere the connection's own cursor. For fixed SQL run with values."""
    prepared_cursor = getattr(connection, "prepared_cursor", None)
    return prepared_cursor() if prepared_cursor else connection.cursor()


def among(ids: Collection[int], using: str = DEFAULT_DB_ALIAS) -> Any:
    """The value of an `__in` lookup on an integer key for many ids: on PostgreSQL one array parameter
    (`IN (SELECT unnest(...))`), elsewhere the ids themselves.

    Django turns a list into one placeholder per id and prepares each value in Python on the way: for a
    reminder batch's few hundred ids that cost more than the queries themselves, several times per batch."""
    if connections[using].vendor != "postgresql":
        return ids
    return RawSQL("SELECT unnest(%s::bigint[])", (list(ids),))
