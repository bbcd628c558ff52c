"""A write refused because of the state of the data: the API answers 409 (``config.api.exception_handler``)."""
from __future__ import annotations

from typing import Any


class Conflict(Exception):
    """``detail`` is safe to show; ``extra`` is added to the API's JSON body."""

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra
