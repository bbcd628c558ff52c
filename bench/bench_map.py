"""Benchmark: the map's data for 100,000 incidents (BENCH_POINTS) visible to a case member.

Prints the time and size of the full GeoJSON (every point, what /api/v1/incidents/geo.json answers without a
zoom) against the clustered answers the map page asks for (the world at zoom 3, a country at zoom 6, a city at
zoom 11, a district at zoom 15), and the statistics by month and by city over the same incidents.
Run: `.venv/bin/python bench/bench_map.py` (BENCH_DATABASE_URL=postgres://… for PostgreSQL).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
POINTS = int(os.environ.get("BENCH_POINTS", "100000"))


def timed(label: str, call):
    start = time.perf_counter()
    result = call()
    elapsed = time.perf_counter() - start
    return elapsed, result


def main() -> None:
    os.environ["DOCKET_DATA_DIR"] = tempfile.mkdtemp(prefix="docket-bench-")
    os.environ.pop("DATABASE_URL", None)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import warnings

    import django

    warnings.filterwarnings("ignore", message="No directory at")
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from cases import services
    from cases.models import Incident
    from exchange.importer import _refresh_statistics
    from stats import selectors

    call_command("migrate", verbosity=0)
    users = get_user_model().objects
    lead, _ = users.get_or_create(username="bench-map-lead")
    member, _ = users.get_or_create(username="bench-map-member")
    case = services.case_create(user=lead, title="Bench map case")
    services.member_set(actor=lead, case=case, user=member, role="observer")
    rng = random.Random(15)
    start = time.perf_counter()
    through = Incident.cases.through
    when = timezone.make_aware(dt.datetime(2024, 1, 1))
    for offset in range(0, POINTS, 5000):
        # Bulk rows for the benchmark's data only (the import path is measured in bench_import.py).
        batch = [Incident(title=f"Camera {offset + i}", occurred_at=when + dt.timedelta(hours=offset + i),
                          location=rng.choice(["Tverskaya, Moscow", "Nevsky, Saint Petersburg", "Kazan", "Sochi"]),
                          latitude=Decimal(f"{rng.gauss(55.75, 3):.6f}").max(Decimal(-90)).min(Decimal(90)),
                          longitude=Decimal(f"{rng.gauss(37.62, 8):.6f}").max(Decimal(-180)).min(Decimal(180)),
                          category="camera_deployment", created_by=lead, owner=lead)
                 for i in range(min(5000, POINTS - offset))]
        made = Incident.objects.bulk_create(batch)
        through.objects.bulk_create([through(incident_id=obj.pk, case_id=case.pk) for obj in made])
    _refresh_statistics()
    print(f"database: {connection.vendor}; {POINTS} incidents with coordinates in one case "
          f"(made in {time.perf_counter() - start:.1f} s)")

    elapsed, full = timed("full", lambda: selectors.incident_points(user=member))
    size = len(json.dumps(full, separators=(",", ":")))
    print(f"full GeoJSON:          {elapsed:6.2f} s  {len(full['features']):7d} features  {size / 2**20:6.1f} MiB")
    views = [("world, zoom 3", 3, (-180, -85, 180, 85)), ("country, zoom 6", 6, (20, 40, 60, 65)),
             ("city, zoom 11", 11, (37.3, 55.5, 37.9, 56.0)), ("district, zoom 15", 15, (37.60, 55.74, 37.64, 55.76))]
    for label, zoom, box in views:
        bbox = tuple(Decimal(str(v)) for v in box)
        elapsed, data = timed(label, lambda: selectors.incident_clusters(user=member, zoom=zoom, bbox=bbox))
        size = len(json.dumps(data, separators=(",", ":")))
        print(f"clusters, {label:17s} {elapsed:6.2f} s  {len(data['features']):7d} features  "
              f"{size / 1024:7.1f} KiB  ({data['total']} incidents in view)")
    for by in ("month", "city"):
        elapsed, buckets = timed(by, lambda: selectors.incident_buckets(user=member, by=by))
        print(f"statistics by {by:6s}   {elapsed:6.2f} s  {len(buckets):7d} buckets")


if __name__ == "__main__":
    main()
