"""``manage.py restore FILE``: bring a backup archive into an EMPTY instance, verifying every hash, row count and
custody chain, then rebuild the search index (``ops.restore``). Nothing is changed when anything fails."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ops.management.commands import _passphrase
from ops.restore import RestoreError, backup_restore


class Command(BaseCommand):
    help = ("Restore a backup archive into an empty instance (a new DOCKET_DATA_DIR and database). Verifies every "
            "file's SHA-256, every table's row count and every evidence item's custody chain; refuses a non-empty "
            "instance and changes nothing on any mismatch.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the archive written by manage.py backup, or - for stdin")
        parser.add_argument("--passphrase-file", help="read the passphrase of an encrypted archive from this file")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument("--skip-index", action="store_true", help="do not rebuild the search index afterwards")

    def handle(self, *args, archive, passphrase_file=None, no_progress=False, skip_index=False, verbosity=1,
               **options):
        def passphrase():
            return _passphrase.configured(passphrase_file) or _passphrase.ask(confirm=False)

        try:
            report = backup_restore(source=archive, passphrase=passphrase, progress=not no_progress and verbosity > 0,
                                    stream=self.stderr, rebuild_index=not skip_index)
        except RestoreError as exc:
            raise CommandError(f"Restore refused: {exc}") from None
        self.stdout.write(
            f"Restored {report.tables} tables ({report.rows:,} rows), {report.files} stored files and "
            f"{report.evidence_items} evidence items, every one verified, in {report.seconds:.1f}s."
        )
        if report.indexed:
            self.stdout.write(report.indexed)
        for note in report.notes:
            self.stdout.write(f"Note: {note}")
