"""The import page: upload, a background run with a progress bar (the page refreshes itself, no JavaScript), the
dry run's preview with row errors by line and field, then the real import of the same file."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import permissions as cp
from exchange import jobs
from exchange.forms import ImportForm
from exchange.models import ImportJob
from exchange.reading import COLUMNS


def _job(request: HttpRequest, token) -> ImportJob:
    job = ImportJob.objects.filter(token=token, user=request.user).select_related("case").first()
    if job is None:
        raise Http404("No such import.")
    return job


def _cases(user):
    return cp.cases_for(user, cp.EDIT_INCIDENTS).order_by("title")


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, cases=_cases(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.job_create(user=request.user, uploaded=form.cleaned_data["file"],
                                  dry_run=form.cleaned_data["dry_run"], case=form.cleaned_data["case"])
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect("incident-import-job", token=job.token)
    recent = ImportJob.objects.filter(user=request.user).order_by("-id")[:10]
    return render(request, "exchange/import.html", {"form": form, "columns": COLUMNS, "recent": recent},
                  status=400 if form.errors else 200)


@login_required
def import_job(request: HttpRequest, token) -> HttpResponse:
    job = _job(request, token)
    progress = jobs.progress_of(job)
    percent = int(100 * progress["done"] / progress["total"]) if progress.get("total") else 0
    result = job.result or {}
    return render(request, "exchange/job.html", {
        "job": job, "progress": progress, "percent": percent, "result": result,
        "running": job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING),
        "can_confirm": job.dry_run and job.status == ImportJob.Status.DONE and not result.get("errors")
        and (result.get("created") or result.get("updated")) and jobs.file_of(job).exists(),
    })


@login_required
@require_POST
def import_confirm(request: HttpRequest, token) -> HttpResponse:
    source = _job(request, token)
    if not source.dry_run or not jobs.file_of(source).exists():
        messages.error(request, _("This dry run can no longer be imported: upload the file again."))
        return redirect("incident-import")
    case = source.case if source.case_id and _cases(request.user).filter(pk=source.case_id).exists() else None
    job = jobs.job_create(user=request.user, uploaded=None, dry_run=False, case=case, source=source)
    return redirect("incident-import-job", token=job.token)
