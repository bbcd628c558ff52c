"""Run text and metadata extraction now (in this process) for some or all items."""
from __future__ import annotations

from django.core.management.base import BaseCommand

from evidence.models import EvidenceItem
from evidence.tasks import run_extraction


class Command(BaseCommand):
    help = "Extract text and metadata of evidence items: given ids, --pending (pending/failed/stuck), or --all."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int)
        parser.add_argument("--pending", action="store_true")
        parser.add_argument("--all", action="store_true")

    def handle(self, *args, ids=None, pending=False, all=False, **options):
        items = EvidenceItem.objects.order_by("pk")
        if ids:
            items = items.filter(pk__in=ids)
        elif pending:
            items = items.exclude(extraction_state=EvidenceItem.Extraction.DONE)
        elif not all:
            self.stderr.write("give item ids, --pending or --all")
            return
        for item in items.iterator(chunk_size=50):
            outcome = run_extraction(item)
            self.stdout.write(f"#{item.pk}: {outcome}{' — ' + item.extraction_error if item.extraction_error else ''}")
