"""``manage.py rotate_identity_key``: re-seal every person's identity (and every history row) under the current
``DOCKET_IDENTITY_KEY``, then re-index every person (the blind index is keyed by it too).

To change the key: put the old key in ``DOCKET_IDENTITY_PREVIOUS_KEYS``, the new one in ``DOCKET_IDENTITY_KEY``,
run this command (it may be run again; it only rewrites what is not under the current key yet), then remove the old
key from ``DOCKET_IDENTITY_PREVIOUS_KEYS``. ``--check`` only counts what is not under the current key (exit 1 if any).
"""
from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from privacy import crypto
from privacy.reseal import reseal_model, sealed_models
from search.management.commands.rebuild_index import Progress


class Command(BaseCommand):
    help = "Re-encrypt every person's identity and history rows under DOCKET_IDENTITY_KEY and rebuild the blind index."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="Only count the values not sealed under the current key; exit 1 if there are any.")
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, check=False, batch=500, no_progress=False, verbosity=1, **options):
        current = crypto.key_id()
        if check:
            stale = sum(_count_stale(model, fields) for model, fields in sealed_models())
            self.stdout.write(f"current key {current}: {stale} row(s) hold values not sealed under it")
            if stale:
                sys.exit(1)
            return
        quiet = no_progress or verbosity == 0
        self.stdout.write(f"Re-sealing identities under key {current}")
        for model, fields in sealed_models():
            self.stdout.write(f"{model._meta.verbose_name_plural}:")
            progress = None if quiet else Progress(self.stdout)
            rewritten = reseal_model(model, fields, batch=batch, progress=progress)
            if progress:
                progress.finish()
            self.stdout.write(f"  {rewritten} row(s) re-sealed")
        self.stdout.write("Blind index (persons in the search index):")
        progress = None if quiet else Progress(self.stdout)
        indexed = _reindex_persons(batch, progress)
        if progress:
            progress.finish()
        self.stdout.write(self.style.SUCCESS(f"Done: {indexed} person(s) re-indexed under key {current}."))


def _count_stale(model, fields) -> int:
    from privacy.reseal import raw_rows

    stale, after = 0, 0
    while True:
        rows = raw_rows(model, list(fields), after, 1000)
        if not rows:
            return stale
        stale += sum(1 for _pk, *values in rows if any(crypto.needs_reseal(v) for v in values))
        after = rows[-1][0]


def _reindex_persons(batch: int, progress) -> int:
    from cases.models import Person
    from search.documents import key_of
    from search.indexing import sync_keys

    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        sync_keys([key_of("person", pk) for pk in ids[start:start + batch]])
        if progress:
            progress(min(start + batch, len(ids)), len(ids))
    return len(ids)
