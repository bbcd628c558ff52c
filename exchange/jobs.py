"""Running an import from the page in the background (django-tasks), with progress the page can read."""
from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from exchange.importer import incidents_import
from exchange.models import ImportJob

MAX_IMPORT_BYTES = 50 * 1024 * 1024
logger = logging.getLogger("docket")


def jobs_dir() -> Path:
    path = Path(settings.DATA_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


def file_of(job: ImportJob) -> Path:
    return jobs_dir() / f"{job.token}.upload"


def progress_of(job: ImportJob) -> dict:
    try:
        return json.loads((jobs_dir() / f"{job.token}.progress").read_text())
    except (OSError, ValueError):
        return {"phase": "waiting", "done": 0, "total": 0}


def _progress_writer(job: ImportJob):
    target = jobs_dir() / f"{job.token}.progress"
    last = {"n": -1}

    def write(phase: str, done: int, total: int) -> None:
        if phase in ("checking", "writing") and done not in (0, total) and done - last["n"] < 250:
            return
        last["n"] = done
        temp = target.with_suffix(".tmp")
        temp.write_text(json.dumps({"phase": phase, "done": done, "total": total}))
        os.replace(temp, target)

    return write


def job_create(*, user, uploaded, dry_run: bool, case=None, source: ImportJob | None = None) -> ImportJob:
    """Keep the uploaded file (or reuse the file of ``source``, a dry run being confirmed) and queue the run."""
    from exchange.tasks import run_import

    if source is None and uploaded.size > MAX_IMPORT_BYTES:
        raise ValidationError({"file": _("At most 50 MB can be imported at once.")})
    job = ImportJob.objects.create(user=user, filename=(source.filename if source else uploaded.name)[:255],
                                   dry_run=dry_run, case=case)
    target = file_of(job)
    if source is not None:
        os.link(file_of(source), target)
    else:
        with open(target, "wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
    run_import.enqueue(job.pk)
    return job


def job_run(job_id: int) -> None:
    job = ImportJob.objects.select_related("user", "case").get(pk=job_id)
    job.status = ImportJob.Status.RUNNING
    job.save(update_fields=["status"])
    try:
        data = file_of(job).read_bytes()
        result = incidents_import(user=job.user, data=data, filename=job.filename, dry_run=job.dry_run,
                                  case=job.case, progress=_progress_writer(job))
        job.result = {**result.as_dict(), "preview": result.preview}
        job.status = ImportJob.Status.DONE
    except Exception as error:  # recorded for the page; the import wrote nothing
        logger.exception("import %s failed", job.pk)
        job.result = {"errors": [{"row": 0, "field": "file", "message": str(error)[:500]}]}
        job.status = ImportJob.Status.FAILED
    finally:
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "result", "finished_at"])
        if not job.dry_run or job.status == ImportJob.Status.FAILED:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(file_of(job))
