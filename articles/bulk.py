"""Writing many rows at once (imports): rows streamed with COPY on PostgreSQL, and the
articles' history (django-reversion) written as one revision with its versions in one
insert, serialised as Django's serializer would but without its per-field overhead."""

import collections
import functools
import io
import json
import multiprocessing
from datetime import date, datetime, time

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection as default_connection
from django.db import connections, reset_queries
from django.db.models import Field, JSONField
from django.utils.encoding import is_protected_type

COPY_NULL = r"\N"
COPY_CHUNK = 1 << 20  # bytes sent to the server at a time


def lz4_available(cursor) -> bool:
    """Whether the server can compress long values with lz4: several times less of its
    time than its default (pglz), and read back the same way."""
    cursor.execute(
        "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
    )
    row = cursor.fetchone()
    return bool(row and row[0])


def copy_escape(text: str) -> str:
    """Text as COPY's text format reads it (str.translate is slow on non-ASCII text)."""
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def copy_rows(cursor, table: str, columns, lines) -> None:
    """Stream `lines` (rows already in COPY's text format, without their newline) into
    `columns` of `table`, through psycopg2's copy_expert on a Django cursor; errors are
    Django's, as any query raises."""
    quote = cursor.db.ops.quote_name
    sql = f"COPY {quote(table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN"
    lines = list(lines)
    # Encoded once (the connection's encoding is UTF-8) and sent in large pieces: a text
    # stream would be copied again and encoded a few kilobytes at a time.
    data = ("\n".join(lines) + "\n").encode() if lines else b""
    with cursor.db.wrap_database_errors:
        cursor.cursor.copy_expert(sql, io.BytesIO(data), size=COPY_CHUNK)


class _NotCopyable(Exception):
    """A value COPY's text format is not written for here: the rows go by INSERT."""


def _copy_text(value) -> str:
    if value is None:
        return COPY_NULL
    if isinstance(value, str):
        return copy_escape(value)
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, datetime | date | time):
        if isinstance(value, datetime) and value.tzinfo is None:
            raise _NotCopyable  # Django would interpret it: leave that to the ORM
        return value.isoformat()
    raise _NotCopyable


def _copy_field_value(field, obj, connection) -> str:
    value = getattr(obj, field.attname)
    if type(value) is str and not isinstance(field, JSONField):
        return copy_escape(value)  # most values: text
    if isinstance(field, JSONField):
        return COPY_NULL if value is None else copy_escape(json.dumps(value, cls=field.encoder))
    try:
        return _copy_text(value)
    except _NotCopyable:
        return _copy_text(field.get_db_prep_save(value, connection))


def _can_copy(connection) -> bool:
    if connection.vendor != "postgresql":
        return False
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    return not is_psycopg3  # psycopg2's copy_expert


def insert_rows(model, objs: list, *, now: datetime | None = None, connection=None) -> bool:
    """Insert new `objs` of `model`; each gets its primary key. On PostgreSQL (psycopg2) the
    rows are streamed with COPY, their values as they are: auto_now(_add) fields left empty
    get `now`. Elsewhere, bulk_create (which sets those fields itself). Returns whether the
    values were written as given (COPY)."""
    connection = connection or default_connection
    if not objs:
        return True
    if _can_copy(connection):
        try:
            _copy(model, objs, now=now, connection=connection)
            return True
        except _NotCopyable:
            pass
    model._base_manager.using(connection.alias).bulk_create(objs)
    return False


def insert_values(model, names: tuple[str, ...], rows: list[tuple], *, connection=None) -> None:
    """Insert rows given as tuples of values for the fields `names` (attnames), when their
    ids are not needed: no model instance is made for them on PostgreSQL (COPY)."""
    connection = connection or default_connection
    if not rows:
        return
    if _can_copy(connection):
        meta = model._meta
        fields = [meta.get_field(name) for name in names]
        try:
            lines = [
                "\t".join(
                    _copy_text(value)
                    if not isinstance(field, JSONField)
                    else copy_escape(json.dumps(value, cls=field.encoder))
                    for field, value in zip(fields, row, strict=True)
                )
                for row in rows
            ]
        except _NotCopyable:
            pass
        else:
            with connection.cursor() as cursor:
                copy_rows(cursor, meta.db_table, [field.column for field in fields], lines)
            return
    model._base_manager.using(connection.alias).bulk_create(
        [model(**dict(zip(names, row, strict=True))) for row in rows]
    )


def _copy(model, objs: list, *, now, connection) -> None:
    meta = model._meta
    pk = meta.pk
    fields = [field for field in meta.concrete_fields if not getattr(field, "generated", False)]
    if fields[0] is not pk or any(obj.pk is not None for obj in objs):
        raise _NotCopyable
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                if getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, now)
    # Every value first: a value COPY cannot take leaves nothing written.
    lines = ["\t".join(_copy_field_value(f, obj, connection) for f in fields[1:]) for obj in objs]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        copy_rows(
            cursor,
            meta.db_table,
            [field.column for field in fields],
            [f"{pk_value}\t{line}" for pk_value, line in zip(ids, lines, strict=True)],
        )
    for obj, pk_value in zip(objs, ids, strict=True):
        setattr(obj, pk.attname, pk_value)
        obj._state.adding = False
        obj._state.db = connection.alias


# History --------------------------------------------------------------------------------------


@functools.cache
def _version_fields(model):
    """What django-reversion serialises of `model`: (fields, foreign keys, many-to-many)."""
    from reversion.revisions import _get_options

    selected = set(_get_options(model).fields)
    meta = model._meta.concrete_model._meta
    plain, foreign, many = [], [], []
    for field in meta.local_fields:
        if not field.serialize:
            continue
        if field.remote_field is None:
            if field.attname in selected:
                # Text fields keep their value as it is (Field.value_to_string is str()).
                as_is = type(field).value_to_string is Field.value_to_string
                plain.append((field, as_is))
        elif field.attname[:-3] in selected:
            foreign.append(field)
    for field in meta.local_many_to_many:
        if field.serialize and field.attname in selected:
            many.append(field)
    return plain, foreign, many


def version_data(obj, related: dict[str, list]) -> str:
    """What `serializers.serialize("json", [obj], fields=<reversion's fields>)` returns for
    `obj`, its many-to-many values given as {name: [pk, …]} instead of read back."""
    plain, foreign, many = _version_fields(type(obj))
    current = {}
    for field, as_is in plain:
        value = getattr(obj, field.attname)
        if not is_protected_type(value) and not (as_is and isinstance(value, str)):
            value = field.value_to_string(obj)
        current[field.name] = value
    for field in foreign:
        current[field.name] = getattr(obj, field.attname)
    for field in many:
        current[field.name] = list(related.get(field.name, ()))
    dump = {"model": str(obj._meta), "pk": obj.pk, "fields": current}
    return "[" + json.dumps(dump, cls=DjangoJSONEncoder, ensure_ascii=False) + "]"


def add_revision(objs: list, *, related: list[dict], comment: str, now: datetime) -> None:
    """One revision holding a version of each of `objs` (new rows of one registered model),
    as `reversion.create_revision()` with `add_to_revision(obj)` for each would write it."""
    from reversion.models import Revision, Version
    from reversion.revisions import create_revision
    from reversion.signals import post_revision_commit, pre_revision_commit

    if not objs:
        return
    model = type(objs[0])
    connection = default_connection
    content_type = ContentType.objects.db_manager(connection.alias).get_for_model(model)
    revision = Revision(date_created=now, user=None, comment=comment)
    versions = [
        Version(
            content_type=content_type,
            object_id=str(obj.pk),
            db=connection.alias,
            format="json",
            serialized_data=version_data(obj, links),
            object_repr=str(obj),
        )
        for obj, links in zip(objs, related, strict=True)
    ]
    pre_revision_commit.send(sender=create_revision, revision=revision, versions=versions)
    revision.save(using=connection.alias)
    for version in versions:
        version.revision = revision
    insert_rows(Version, versions, now=now, connection=connection)
    post_revision_commit.send(sender=create_revision, revision=revision, versions=versions)


# Other processes ------------------------------------------------------------------------------


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def fork_context():
    """The context that forks worker processes, this process's database connections closed
    first: a forked process must not share them (each process opens its own, when next
    used)."""
    connections.close_all()
    return multiprocessing.get_context("fork")


# Search rows beside the import --------------------------------------------------------------


def _write_search_rows(rows: list[dict]) -> str:
    """In the indexer's process: the search rows of `rows`; an error comes back as text
    (the caller writes the batch again itself, where the error is reported)."""
    from articles import search

    try:
        search.index_rows(rows)
    except Exception as error:  # noqa: BLE001 - any error: the batch is written again
        return f"{type(error).__name__}: {error}"
    finally:
        reset_queries()  # with DEBUG on, the connection would keep every insert's text
    return ""


def _close_connections() -> None:
    connections.close_all()


class BackgroundIndexer:
    """Writes the search rows of committed articles in a second process, on its own
    database connection, while the import reads and writes the next batch: the search rows
    are the largest part of an import (analysing the text, then the database's work), and
    a process of its own does it on another core, free of the import's GIL. At most
    IN_FLIGHT batches wait for it (memory stays flat, and the import need not wait while the
    database is slower for a moment); `finish()` waits for the last. A batch whose rows fail is
    written again on the caller's connection, so an error shows where it happened.

    Made outside any transaction (see `fork_context`); the caller's connections open again
    on their next query, through `connection_created` receivers like any connection."""

    IN_FLIGHT = 2

    def __init__(self):
        self._pool = fork_context().Pool(1)
        self._pending = collections.deque()

    def submit(self, articles: list) -> None:
        from articles.search.index import article_values

        while len(self._pending) >= self.IN_FLIGHT:
            self._wait_oldest()
        rows = [article_values(article) for article in articles]
        self._pending.append((rows, self._pool.apply_async(_write_search_rows, (rows,))))

    def _wait_oldest(self) -> None:
        rows, result = self._pending.popleft()
        if result.get():  # failed there: again here, where its error is reported
            from articles import search

            search.index_rows(rows)

    def finish(self) -> None:
        try:
            while self._pending:
                self._wait_oldest()
        finally:
            self._pool.apply(_close_connections)
            self._pool.close()
            self._pool.join()
