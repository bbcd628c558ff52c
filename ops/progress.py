"""Progress bars for long operations (backup, restore, verification): tqdm on the given stream, or nothing."""
from __future__ import annotations

import sys
from typing import TextIO

from tqdm import tqdm


def bar(*, total: int, desc: str, unit: str = "B", enabled: bool = True, stream: TextIO | None = None) -> tqdm:
    return tqdm(
        total=total, desc=desc, unit=unit, unit_scale=unit == "B", unit_divisor=1024 if unit == "B" else 1000,
        disable=not enabled, file=stream or sys.stderr, mininterval=0.5, dynamic_ncols=True, leave=True,
    )
