"""Re-seal stored identity values under the current key: after a key change (``rotate_identity_key``) and once, at
migration time, for values written before encryption existed (``cases`` migration 0003).

The raw column values are read with SQL (the model field would already have opened them), and a row is rewritten
only when a value is not sealed under the current key. The rewrite is a ``queryset.update`` that writes no history
on purpose: the value does not change, only the key it is stored under, and the history rows themselves are
re-sealed the same way (they are rows of this kind too).
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import connection, transaction

from privacy import crypto

ProgressFn = Callable[[int, int], None]


def raw_rows(model, fields: list[str], after, batch: int) -> list[tuple]:
    meta = model._meta
    pk = meta.pk.column
    q = connection.ops.quote_name
    columns = ", ".join(q(meta.get_field(f).column) for f in fields)
    sql = f"SELECT {q(pk)}, {columns} FROM {q(meta.db_table)} WHERE {q(pk)} > %s ORDER BY {q(pk)} LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [after, batch])
        return list(cursor.fetchall())


def reseal_model(model, fields: Iterable[str], *, batch: int = 500, progress: ProgressFn | None = None,
                 unseal: bool = False) -> int:
    """Re-seal every stored value of ``fields`` in ``model``'s table that is not under the current key (or, with
    ``unseal``, store every value in the clear: only for reversing the migration). Returns the rows rewritten."""
    fields = list(fields)
    total = model._default_manager.count()
    done = rewritten = 0
    after = 0 if model._meta.pk.get_internal_type() != "CharField" else ""
    while True:
        rows = raw_rows(model, fields, after, batch)
        if not rows:
            break
        with transaction.atomic():
            for pk, *values in rows:
                changes = {}
                for name, raw in zip(fields, values):
                    if raw in (None, ""):
                        continue
                    if unseal and crypto.is_sealed(raw):
                        changes[name] = crypto.decrypt(raw, context=name)
                    elif not unseal and crypto.needs_reseal(raw):
                        changes[name] = crypto.decrypt(raw, context=name)
                if changes:
                    if unseal:
                        _write_plain(model, pk, changes)
                    else:
                        model._default_manager.filter(pk=pk).update(**changes)
                    rewritten += 1
        done += len(rows)
        after = rows[-1][0]
        if progress:
            progress(done, total)
    return rewritten


def _write_plain(model, pk, changes: dict[str, str]) -> None:
    meta = model._meta
    q = connection.ops.quote_name
    sets = ", ".join(f"{q(meta.get_field(name).column)} = %s" for name in changes)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {q(meta.db_table)} SET {sets} WHERE {q(meta.pk.column)} = %s",
                       [*changes.values(), pk])


def sealed_models(apps=None) -> list[tuple[object, tuple[str, ...]]]:
    """Every table that holds sealed values, with its sealed fields: persons and their history rows."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    fields = ("real_name", "contacts", "consent_scope")
    return [(apps.get_model("cases", "Person"), fields), (apps.get_model("cases", "HistoricalPerson"), fields)]
