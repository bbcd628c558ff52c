"""Background work: text and metadata extraction (django-tasks; ``manage.py db_worker`` runs it)."""
from __future__ import annotations

import logging

from django_tasks import task

from evidence import storage
from evidence.extraction import ExtractionRefused, extract
from evidence.models import EvidenceItem

logger = logging.getLogger("docket")


def run_extraction(item: EvidenceItem) -> str:
    """Extract an item's text and metadata now and store the outcome (state done or failed + error)."""
    from evidence.services import evidence_extraction_save
    from search.indexing import index_on_commit

    evidence_extraction_save(item=item, state=EvidenceItem.Extraction.RUNNING, error="")
    try:
        try:
            with storage.local_copy(item.sha256) as path:
                text, metadata = extract(path, item.media_type)
        except FileNotFoundError:
            raise ExtractionRefused("the stored file is missing") from None
    except ExtractionRefused as exc:
        evidence_extraction_save(item=item, state=EvidenceItem.Extraction.FAILED, error=str(exc))
        return "failed"
    except Exception as exc:  # noqa: BLE001 - any parser error is the file's, never the worker's
        logger.warning("extraction of evidence %s failed: %r", item.pk, exc)
        evidence_extraction_save(item=item, state=EvidenceItem.Extraction.FAILED,
                                 error=f"{type(exc).__name__}: {str(exc)[:1000]}")
        return "failed"
    evidence_extraction_save(item=item, state=EvidenceItem.Extraction.DONE, text=text, metadata=metadata, error="")
    index_on_commit(item)
    return "done"


@task()
def extract_evidence(item_id: int) -> str:
    item = EvidenceItem.objects.filter(pk=item_id).first()
    if item is None:
        return "missing"
    return run_extraction(item)
