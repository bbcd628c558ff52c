"""Re-hash every stored evidence file and check every custody chain; exit non-zero on any problem.

Read-only: it writes no custody entry (the API's verify does, for the user who asks)."""
from __future__ import annotations

import sys

from argparse import ArgumentTypeError

from django.core.management.base import BaseCommand

from config.inputs import parse_id
from evidence.models import EvidenceItem


def _item_id(value: str) -> int:
    number = parse_id(value)
    if number is None:
        raise ArgumentTypeError(f"not an evidence id: {value[:40]!r}")
    return number
from evidence.services import evidence_check


class Command(BaseCommand):
    help = "Verify every evidence file against its SHA-256 and every custody chain. Exit 1 on any mismatch."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=_item_id, help="only these item ids")
        parser.add_argument("--quiet", action="store_true", help="print only problems and the summary")

    def handle(self, *args, ids=None, quiet=False, **options):
        items = EvidenceItem.objects.order_by("pk")
        if ids:
            items = items.filter(pk__in=ids)
        checked = bad = 0
        for item in items.iterator(chunk_size=200):
            checked += 1
            result = evidence_check(item)
            label = f"#{item.pk} {item.sha256[:64]}"
            if result["ok"]:
                if not quiet:
                    self.stdout.write(f"OK    {label} ({result['custody_entries']} custody entries)")
                continue
            bad += 1
            self.stdout.write(f"FAIL  {label} actual={result['actual_sha256'] or 'missing'}")
            for problem in result["problems"]:
                self.stdout.write(f"        - {problem}")
        summary = f"{checked} item(s) checked, {bad} with problems"
        if bad:
            self.stderr.write(summary)
            sys.exit(1)
        self.stdout.write(summary)
