"""Writes of the litigation app, one module per concern; import them from here."""
from litigation.services.claims import (  # noqa: F401
    authority_create,
    authority_update,
    citation_add,
    citation_remove,
    citation_update,
    claim_create,
    claim_delete,
    claim_update,
)
from litigation.services.requests import (  # noqa: F401
    request_compute,
    request_create,
    request_delete,
    request_mark_overdue,
    request_reply_attach,
    request_update,
)
from litigation.services.tasks import task_create, task_delete, task_update  # noqa: F401
