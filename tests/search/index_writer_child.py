"""A separate process for ``test_concurrent_saves``: ``write`` saves evidence descriptions through the real service
(each save queues its index entry and drains after the commit), ``check`` compares the index with the database.

    python -m tests.search.index_writer_child write <process number> <rounds> <item id>...
    python -m tests.search.index_writer_child check <processes> <rounds> <item id>...

The database and the index come from the environment (DOCKET_DATA_DIR, DATABASE_URL, DOCKET_SEARCH_BACKEND)."""
from __future__ import annotations

import json
import os
import sys


def word(proc: int, rnd: int, pk: int) -> str:
    """A word only this save writes (letters only, ending in x: stemming leaves it whole)."""
    letters = "abcdfghjkm"

    def enc(n: int) -> str:
        return "".join(letters[int(d)] for d in str(n))

    return f"zz{enc(proc)}q{enc(rnd)}q{enc(pk)}x"


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.test_settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from evidence.models import EvidenceItem

    mode, procs_or_n, rounds, *ids = argv
    rounds, ids = int(rounds), [int(i) for i in ids]
    if mode == "write":
        from evidence.services import evidence_update

        proc = int(procs_or_n)
        user = get_user_model().objects.get(username="writer")
        for rnd in range(rounds):
            for pk in ids:
                item = EvidenceItem.objects.get(pk=pk)
                evidence_update(user=user, item=item, data={"description": word(proc, rnd, pk)})
        return 0
    from search import text
    from search.backends import QuerySpec, Scope, get_backend
    from search.models import IndexQueue

    backend, everyone = get_backend(), Scope(everything=True)

    def hits(q: str) -> set[str]:
        return {h.key for h in backend.query(QuerySpec(node=text.parse_query(q), scope=everyone))}

    bad = []
    for pk in ids:
        final = EvidenceItem.objects.get(pk=pk).description
        if hits(final) != {f"evidence:{pk}"}:
            bad.append(f"evidence:{pk}: its description {final!r} is not found")
        for proc in range(int(procs_or_n)):
            for rnd in range(rounds):
                old = word(proc, rnd, pk)
                if old != final and f"evidence:{pk}" in hits(old):
                    bad.append(f"evidence:{pk}: found by the overwritten {old!r}")
    print(json.dumps({"queued": IndexQueue.objects.count(), "bad": bad}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
