"""Find stored files without an item and items without a stored file (and stale temporary uploads).

With ``--delete``: blobs that no item references are removed (under the same per-digest lock an upload holds, so
an upload being committed is never touched); items whose file is missing are moved to the trash — never destroyed,
their custody log stays as the record of the loss; temporary uploads older than a day are removed."""
from __future__ import annotations

import os
import sys
import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from evidence import storage
from evidence.models import CustodyEvent, EvidenceItem
from evidence.services import custody_record

TMP_MAX_AGE = 24 * 3600


class Command(BaseCommand):
    help = "List (and with --delete clean up) evidence blobs without rows and rows without blobs."

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true")

    def handle(self, *args, delete=False, **options):
        referenced = set(EvidenceItem.objects.values_list("sha256", flat=True).distinct())
        orphans = [sha for sha in storage.iter_blobs() if sha not in referenced]
        missing = [item for item in EvidenceItem.objects.order_by("pk") if not storage.blob_exists(item.sha256)]
        stale = []
        now = time.time()
        tmp = storage.tmp_dir()
        for entry in os.scandir(tmp):
            if entry.is_file() and entry.name.startswith("upload-") and now - entry.stat().st_mtime > TMP_MAX_AGE:
                stale.append(entry.path)
        for sha in orphans:
            self.stdout.write(f"blob without item: {storage.blob_path(sha)}")
        for item in missing:
            self.stdout.write(f"item without blob: #{item.pk} {item.sha256}")
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
                    with transaction.atomic():
                        item.deleted_at = timezone.now()
                        item.save()
                        custody_record(item=item, user=None, action=CustodyEvent.Action.TRASHED,
                                       detail={"reason": "stored file missing (evidence_orphans --delete)"})
                    trashed += 1
            for path in stale:
                try:
                    os.unlink(path)
                except FileNotFoundError:
                    pass
            self.stdout.write(f"removed {removed} blob(s), moved {trashed} item(s) to the trash, "
                              f"removed {len(stale)} temporary upload(s)")
        total = len(orphans) + len(missing)
        self.stdout.write(f"{len(orphans)} blob(s) without item, {len(missing)} item(s) without blob")
        if total and not delete:
            sys.exit(1)
