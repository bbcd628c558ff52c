"""``manage.py rebuild_index``: rebuild the search index from the database and the text of stored files."""
from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand

from search.backends import get_backend


class Progress:
    """A plain text progress bar (no dependency), redrawn in place on a terminal."""

    def __init__(self, stream, width: int = 40):
        self.stream = stream
        self.width = width
        self.started = time.monotonic()
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.last_line = ""

    def __call__(self, done: int, total: int) -> None:
        total = max(total, done, 1)
        filled = int(self.width * done / total)
        elapsed = max(time.monotonic() - self.started, 1e-6)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} ({done / elapsed:,.0f} docs/s)"
        if self.tty:
            self.stream.write("\r" + line)
        elif line != self.last_line:
            self.stream.write(line + "\n")
        self.stream.flush()
        self.last_line = line

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")


class Command(BaseCommand):
    help = "Rebuild the search index from the database (including the text extracted from evidence files)."

    def add_arguments(self, parser):
        parser.add_argument("--backend", choices=["whoosh", "postgres"], help="Default: DOCKET_SEARCH_BACKEND.")
        parser.add_argument("--check", action="store_true", help="Only report whether the index is healthy.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, backend=None, check=False, no_progress=False, verbosity=1, **options):
        engine = get_backend(backend)
        if check:
            problems = engine.check()
            for problem in problems:
                self.stderr.write(problem)
            if problems:
                sys.exit(1)
            self.stdout.write(f"{engine.name} index is healthy ({engine.doc_count()} documents).")
            return
        progress = None if no_progress or verbosity == 0 else Progress(self.stdout)
        started = time.monotonic()
        n = engine.rebuild(progress=progress)
        if progress:
            progress.finish()
        if engine.name == get_backend().name:
            # Changes queued while the rebuild held the write lock (their drainers found it taken).
            from search.indexing import drain

            drain()
        self.stdout.write(f"Indexed {n} documents with {engine.name} in {time.monotonic() - started:.1f}s.")
