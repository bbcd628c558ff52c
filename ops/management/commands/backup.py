"""``manage.py backup --output FILE``: one archive of the database, the stored files, the key files and a manifest
of their hashes (``ops.backup``). Run it daily from cron or a systemd timer (see deploy/)."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_create
from ops.management.commands import _passphrase


class Command(BaseCommand):
    help = ("Write one backup archive: a consistent database snapshot, every stored evidence file and template, the "
            "secret key file, and a manifest of SHA-256 hashes and custody chain heads. Encrypted with a passphrase "
            "when one is given (--encrypt, --passphrase-file or DOCKET_BACKUP_PASSPHRASE).")

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", required=True, help="a new file (never overwritten), or - for stdout")
        parser.add_argument("--encrypt", action="store_true", help="encrypt; ask for the passphrase if none is set")
        parser.add_argument("--passphrase-file", help="read the passphrase from this file (first line)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, output, encrypt=False, passphrase_file=None, no_progress=False, verbosity=1, **options):
        passphrase = _passphrase.configured(passphrase_file)
        if encrypt and passphrase is None:
            passphrase = _passphrase.ask(confirm=True)
            if passphrase is None:
                raise CommandError("--encrypt needs a passphrase: --passphrase-file, DOCKET_BACKUP_PASSPHRASE, "
                                   "or run it on a terminal.")
        try:
            report = backup_create(output=output, passphrase=passphrase,
                                   progress=not no_progress and verbosity > 0, stream=self.stderr)
        except BackupError as exc:
            raise CommandError(f"Backup failed: {exc}") from None
        if output == "-":
            self.stderr.write(f"Backup written to standard output ({report.files} files).")
            return
        self.stdout.write(
            f"Backup written to {report.output}: {report.size:,} bytes, {report.tables} tables, "
            f"{report.evidence_items} evidence items, {report.files} stored files ({report.file_bytes:,} bytes), "
            f"{'encrypted' if report.encrypted else 'NOT encrypted'}, in {report.seconds:.1f}s."
        )
        if not report.encrypted:
            self.stderr.write("This archive holds the site's secret key and every record in clear: keep it as safe "
                              "as the server, or encrypt it (--encrypt).")
