"""Find stored files without an item, items without a stored file, items linked to nothing (their case was purged:
nobody but a superuser can reach them) and stale temporary uploads.

With ``--delete``: blobs that no item references are removed (under the same per-digest lock an upload holds, so
an upload being committed is never touched); items whose file is missing or that are linked to nothing are moved to
the trash through ``evidence_trash`` — never destroyed, their custody log says why; temporary uploads older than a
day are removed."""
from __future__ import annotations

import os
import sys
import time

from django.core.management.base import BaseCommand
from django.db.models import Exists, OuterRef

from evidence import storage
from evidence.models import CaseExhibit, EvidenceItem
from evidence.services import evidence_trash

TMP_MAX_AGE = 24 * 3600


class Command(BaseCommand):
    help = "List (and with --delete clean up) evidence blobs without rows and rows without blobs."

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true")

    def handle(self, *args, delete=False, **options):
        referenced = set(EvidenceItem.objects.values_list("sha256", flat=True).distinct())
        orphans = [sha for sha in storage.iter_blobs() if sha not in referenced]
        missing = [item for item in EvidenceItem.objects.order_by("pk") if not storage.blob_exists(item.sha256)]
        unlinked = list(
            EvidenceItem.objects.alive().exclude(pk__in=[i.pk for i in missing])
            .exclude(Exists(CaseExhibit.objects.filter(item=OuterRef("pk"), removed_at__isnull=True)))
            .exclude(Exists(EvidenceItem.incidents.through.objects.filter(evidenceitem=OuterRef("pk"))))
            .order_by("pk")
        )
        stale = []
        now = time.time()
        tmp = storage.tmp_dir()
        for entry in os.scandir(tmp):
            if entry.is_file() and entry.name.startswith("upload-") and now - entry.stat().st_mtime > TMP_MAX_AGE:
                stale.append(entry.path)
        for sha in orphans:
            self.stdout.write(f"blob without item: {storage.blob_name(sha)}")
        for item in missing:
            self.stdout.write(f"item without blob: #{item.pk} {item.sha256}")
        for item in unlinked:
            self.stdout.write(f"item linked to nothing: #{item.pk} {item.sha256}")
        for path in stale:
            self.stdout.write(f"stale temporary upload: {path}")
        if delete:
            removed = 0
            for sha in orphans:
                with storage.blob_lock(sha, blocking=False) as locked:
                    if locked and not EvidenceItem.objects.filter(sha256=sha).exists():
                        removed += storage.remove_blob(sha)
            trashed = 0
            for item in missing:
                if item.deleted_at is None:
                    evidence_trash(user=None, item=item, reason="stored file missing (evidence_orphans --delete)")
                    trashed += 1
            for item in unlinked:
                evidence_trash(user=None, item=item, reason="linked to nothing (evidence_orphans --delete)")
                trashed += 1
            for path in stale:
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
            self.stdout.write(f"removed {removed} blob(s), moved {trashed} item(s) to the trash, "
                              f"removed {len(stale)} temporary upload(s)")
        total = len(orphans) + len(missing) + len(unlinked)
        self.stdout.write(f"{len(orphans)} blob(s) without item, {len(missing)} item(s) without blob, "
                          f"{len(unlinked)} item(s) linked to nothing")
        if total and not delete:
            sys.exit(1)
