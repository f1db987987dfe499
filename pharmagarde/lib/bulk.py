"""Writing many rows at once, faster than `bulk_create` and `bulk_update` where it counts.

`insert_rows` and `update_rows` send one prepared statement run by `executemany` per
batch of rows; on PostgreSQL, a COPY (and, for updates, one UPDATE … FROM the rows copied
into a temporary table), a tenth of the time of a statement per row there. Django's bulk
methods compile their SQL again for every batch (at most 999 parameters per statement on
SQLite: 70 rows of a dozen columns) and `bulk_update` builds a `CASE WHEN` per field and
row, about a millisecond per row. They also convert each value through
`get_db_prep_save`; here the conversion of a value that repeats (the same `now` in every
row, a few hundred distinct dates in 100,000 rows, one history entry shared by every row)
is done once per batch, and the values the driver takes as they are (text, integers,
booleans, foreign keys) are not converted at all.

Measured in bench/inventory.py (docs/benchmarks.md): an import of 100,000 accounts.
Neither sends signals nor calls save(), like Django's bulk methods; only the model's own
table and column names, quoted, go into the SQL text, every value is a parameter.
"""

import datetime
import operator
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connections, models, router, transaction
from django.utils import timezone

# Field types whose Python value is already what the database driver takes.
_PLAIN_TYPES = {"CharField", "TextField", "BooleanField", "IntegerField", "BigIntegerField",
                "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField",
                "SmallIntegerField", "ForeignKey", "OneToOneField", "SlugField",
                "EmailField", "URLField"}
_MISSING = object()


def _is_auto(field) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _prep(field, connection):
    """value -> database value, as field.get_db_prep_save(value, connection)."""
    internal = field.get_internal_type()
    if internal in _PLAIN_TYPES:
        return None  # the value as it is
    if internal == "GenericIPAddressField":
        return lambda value: value or None
    return lambda value: field.get_db_prep_save(value, connection)


class _Memo:
    """A conversion remembered for the values already seen in this batch: hashable values
    by value, others (a JSONField's dict or list) by identity with the previous one."""

    def __init__(self, prep):
        self.prep, self.cache, self.last, self.last_result = prep, {}, _MISSING, None

    def __call__(self, value):
        try:
            return self.cache[value]
        except KeyError:
            result = self.cache[value] = self.prep(value)
            return result
        except TypeError:  # unhashable
            if value is not self.last:
                self.last, self.last_result = value, self.prep(value)
            return self.last_result

    def clear(self):
        self.cache.clear()
        self.last, self.last_result = _MISSING, None


def _columns(model, names=None):
    meta = model._meta
    if names is not None:
        return [meta.get_field(name) for name in names]
    return [field for field in meta.concrete_fields
            if not field.primary_key and not getattr(field, "generated", False)]


def insert_rows(model, rows: Iterable, batch_size=2000) -> int:
    """Insert `rows` (new instances of `model`, or mappings {attname: value} whose missing
    fields take their default) as `bulk_create` would, when their primary keys are not
    needed afterwards. auto_now and auto_now_add fields get the same time for every row
    (set on the instances too). Returns the number of rows."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = _columns(model)
    now, today = timezone.now(), datetime.date.today()  # as DateField.pre_save
    # Two readers per column, one for instances and one for mappings: each batch is read
    # with the kind of its first row (isinstance for each value would cost a second per
    # million values).
    from_item, from_row, preps, constants = [], [], [], []
    for field in columns:
        prep = _prep(field, connection)
        if _is_auto(field):
            value = now if isinstance(field, models.DateTimeField) else today
            constants.append((field.attname, value))
            from_item.append(lambda row, value=value: value)
            from_row.append(from_item[-1])
        elif type(field).pre_save is not models.Field.pre_save \
                and not isinstance(field, models.DateField):
            # A field that computes its value when saved (a file, say): Django's own path.
            from_item.append(lambda row, field=field: field.pre_save(row, True))
            from_row.append(_no_mapping(field))
        else:
            from_item.append(operator.attrgetter(field.attname))
            from_row.append(_row_reader(field))
        preps.append(_Memo(prep) if prep is not None else None)
    names = ", ".join(quote(field.column) for field in columns)
    marks = ", ".join(["%s"] * len(columns))
    table = quote(model._meta.db_table)
    if connection.vendor == "postgresql":
        # COPY: a tenth of the time of a prepared INSERT per row on PostgreSQL.
        plan = _Plan(copy=f"COPY {table} ({names}) FROM STDIN")
    else:
        plan = _Plan(sql=f"INSERT INTO {table} ({names}) VALUES ({marks})")  # noqa: S608

    def params(chunk):
        if isinstance(chunk[0], Mapping):
            return _mapping_values(chunk, columns, from_row, preps)
        for row in chunk:
            for attname, value in constants:
                setattr(row, attname, value)
        pairs = list(zip(from_item, preps, strict=True))
        return [[read(row) if prep is None else prep(read(row)) for read, prep in pairs]
                for row in chunk]
    return _execute(connection, plan, rows, batch_size, params, preps)


@dataclass(frozen=True)
class _Plan:
    """How a batch of parameters is written: `sql` run with executemany, or `copy` (a
    PostgreSQL COPY … FROM STDIN) fed one row at a time; `before` and `after`, statements
    run once around the batches."""

    sql: str = ""
    copy: str = ""
    before: tuple[str, ...] = ()
    after: tuple[str, ...] = ()


def _execute(connection, plan, rows, batch_size, params, preps) -> int:
    """Write `rows`, batch_size at a time (params(batch): their parameters), as `plan`
    says, in a transaction; the conversions remembered are forgotten after each batch.
    Returns the number of rows."""
    count = 0
    with transaction.atomic(using=connection.alias, savepoint=False), \
            connection.cursor() as cursor:
        for statement in plan.before:
            cursor.execute(statement)
        for chunk in _chunks(rows, batch_size):
            if plan.copy:
                # The driver's own cursor: Django's wrapper has no COPY.
                with cursor.cursor.copy(plan.copy) as copy:
                    for values in params(chunk):
                        copy.write_row(values)
            else:
                cursor.executemany(plan.sql, params(chunk))
            count += len(chunk)
            for prep in preps:
                if prep is not None:
                    prep.clear()
        if count:
            for statement in plan.after:
                cursor.execute(statement)
    return count


def _mapping_values(chunk, columns, readers, preps) -> list[list]:
    """The parameters of a batch of mappings. A column no mapping of the batch names (a
    default, an auto_now time) is converted once and copied into every row."""
    named = set().union(*chunk)
    template, filled = [], []
    for index, (field, read, prep) in enumerate(zip(columns, readers, preps, strict=True)):
        if field.attname in named:
            template.append(None)
            filled.append((index, field.attname, read, prep))
        else:
            value = read({})
            template.append(value if prep is None else prep(value))
    values = []
    for row in chunk:
        params = template.copy()
        for index, attname, read, prep in filled:
            value = row[attname] if attname in row else read(row)
            params[index] = value if prep is None else prep(value)
        values.append(params)
    return values


def _no_mapping(field):
    def read(row):
        raise TypeError(f"{field.name}: this field needs an instance, not a mapping")
    return read


def _row_reader(field):
    """row -> the field's value in a mapping, field.get_default() (computed once: "" for
    text, None when there is none) when it is absent."""
    attname, default = field.attname, field.get_default()
    return lambda row: row.get(attname, default)


def update_rows(model, objects, fields, batch_size=2000) -> int:
    """Save `fields` of each of `objects` (saved instances of `model`; or mappings with
    "pk" and the fields; or sequences of the fields' values in their order, then the pk):
    what `bulk_update(objects, fields)` writes, as one prepared
    UPDATE … WHERE id = %s run with executemany. Like bulk_update, it calls no save() and
    sends no signal, and an auto_now field changes only if it is named (with the value
    the instance holds)."""
    connection = connections[router.db_for_write(model)]
    meta, quote = model._meta, connection.ops.quote_name
    columns = _columns(model, fields)
    table, key = quote(meta.db_table), quote(meta.pk.column)
    attnames = [field.attname for field in columns]
    preps = [_Memo(prep) if (prep := _prep(field, connection)) is not None else None
             for field in columns]
    pairs = list(zip(attnames, preps, strict=True))
    if connection.vendor == "postgresql":
        # COPY into a temporary table, then one UPDATE … FROM: an UPDATE per row costs
        # PostgreSQL ten times as much.
        temp = quote("pharmagarde_bulk_update")
        names = ", ".join(quote(field.column) for field in columns)
        plan = _Plan(
            before=(f"DROP TABLE IF EXISTS {temp}",
                    f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS "  # noqa: S608
                    f"SELECT {names}, {key} FROM {table} WITH NO DATA"),
            copy=f"COPY {temp} ({names}, {key}) FROM STDIN",
            after=(f"UPDATE {table} AS target SET "  # noqa: S608
                   + ", ".join(f"{quote(field.column)} = batch.{quote(field.column)}"
                               for field in columns)
                   + f" FROM {temp} AS batch WHERE target.{key} = batch.{key}",
                   f"DROP TABLE {temp}"))
    else:
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
        plan = _Plan(sql=f"UPDATE {table} SET {assignments} WHERE {key} = %s")  # noqa: S608

    def params(chunk):
        if isinstance(chunk[0], Mapping):
            return [[row[attname] if prep is None else prep(row[attname])
                     for attname, prep in pairs] + [row["pk"]] for row in chunk]
        if isinstance(chunk[0], list | tuple):
            last = len(preps)
            return [[row[index] if prep is None else prep(row[index])
                     for index, prep in enumerate(preps)] + [row[last]] for row in chunk]
        return [[getattr(item, attname) if prep is None else prep(getattr(item, attname))
                 for attname, prep in pairs] + [item.pk] for item in chunk]
    return _execute(connection, plan, objects, batch_size, params, preps)


def _chunks(rows: Iterable, size: int):
    if isinstance(rows, list):
        for start in range(0, len(rows), size):
            yield rows[start:start + size]
        return
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
