"""The court bundle as a ZIP (``bundle_prepare``) and what any bundle holds (``bundle_plan``).

The ZIP:
- holds the case's exhibits the caller may download, each under ``exhibits/<number>_<sanitised name>`` with its
  original bytes, plus ``manifest.csv`` (``exhibit_number,filename,sha256,size``), ``SHA256SUMS`` (for
  ``sha256sum -c``), ``exhibit-list.docx``, ``chronology.docx``, ``custody-report.docx`` and ``README.txt``;
- restricted exhibits the caller may not download are left out of the files, the manifest and the checksums; the
  exhibit list inside still lists them (marked restricted) and README.txt names their numbers as withheld;
- every exported exhibit gets an ``exported`` custody event, and the bundle a ``DocumentExport`` row, in one
  transaction committed before the first byte is streamed: no bundle without its record. The custody report
  inside the bundle already shows those events;
- is streamed (zipstream-ng, stored, ZIP64 when needed), never held in memory, with an exact Content-Length so a
  browser shows real download progress; each blob is re-hashed while it streams and a blob that no longer matches
  its recorded digest aborts the stream, so a corrupt bundle is never delivered as a complete one.
"""
from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cases.models import Case
from documents import formatting as fmt
from documents import generators, selectors
from documents.data import BundleExhibit, ExhibitRow
from documents.generation import (
    chronology_bytes,
    custody_report_bytes,
    document_filename,
    export_record,
    username_of,
)
from documents.models import DocumentExport
from documents.pdf_tools import bundle_file_name, sanitise_filename  # noqa: F401  (sanitise_filename: re-exported)

logger = logging.getLogger("docket")

CHUNK = 1024 * 1024


class BundleError(Exception):
    """The bundle cannot be produced (e.g. a stored file is missing): nothing was recorded."""


class BundleIntegrityError(Exception):
    """A stored file no longer matches its recorded digest: the stream is aborted."""


def exhibit_arcname(row: ExhibitRow, width: int = 3) -> str:
    """``exhibits/003_Решение_суда.pdf``: the row's bundle file name (the exhibit list prints the same name)."""
    return "exhibits/" + (row.file_name or bundle_file_name(row.number, row.original_filename or row.title, width))


@dataclass
class BundlePlan:
    included: list[ExhibitRow]
    withheld: list[ExhibitRow]
    all_rows: list[ExhibitRow]

    @property
    def total_size(self) -> int:
        return sum(r.size for r in self.included)


def bundle_plan(*, user, case: Case, with_pages: bool = False) -> BundlePlan:
    """Which exhibits the caller's bundle holds: those they may download; restricted ones otherwise withheld."""
    rows = selectors.exhibit_rows_for_case(user=user, case=case, with_pages=with_pages)
    included = [r for r in rows if r.downloadable]
    withheld = [r for r in rows if not r.downloadable]
    return BundlePlan(included=included, withheld=withheld, all_rows=rows)


@dataclass
class PreparedBundle:
    filename: str
    stream: object  # zipstream.ZipStream
    size: int
    export: DocumentExport
    exhibits: list[BundleExhibit] = field(default_factory=list)
    withheld: list[int] = field(default_factory=list)

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.stream)


def _verified_chunks(exhibit: BundleExhibit, *, item, user, request) -> Iterator[bytes]:
    """The blob's bytes, re-hashed as they stream with the last block held back (``evidence.storage.VerifiedBlob``):
    a mismatch with the recorded digest is a custody event and aborts the stream before the file is complete."""
    from evidence import storage
    from evidence.services import custody_record_mismatch

    blob = storage.VerifiedBlob(
        exhibit.sha256, exhibit.size,
        on_mismatch=partial(custody_record_mismatch, item=item, user=user, request=request, during="bundle"),
    )
    try:
        yield from blob
    except storage.IntegrityMismatch as exc:
        logger.error("bundle: exhibit %s (item %s) no longer matches its digest; stream aborted",
                     exhibit.number, exhibit.item_id)
        raise BundleIntegrityError(f"exhibit {exhibit.number} does not match its recorded SHA-256") from exc
    finally:
        blob.close()


def manifest_csv(exhibits: list[BundleExhibit]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["exhibit_number", "filename", "sha256", "size"])
    for ex in exhibits:
        writer.writerow([ex.number, ex.arcname, ex.sha256, ex.size])
    return buffer.getvalue().encode("utf-8")


def sha256sums(exhibits: list[BundleExhibit]) -> bytes:
    return "".join(f"{ex.sha256}  {ex.arcname}\n" for ex in exhibits).encode("utf-8")


def _readme(*, case: Case, user, exhibits: list[BundleExhibit], withheld: list[ExhibitRow], lang: str) -> bytes:
    with translation.override(lang):
        now = timezone.now()
        lines = [
            pgettext("doc", "Court bundle"),
            "",
            pgettext("doc", "Case") + f": {case.title}",
            pgettext("doc", "Internal reference") + f": {case.reference}",
            pgettext("doc", "Made on %(when)s by %(user)s.") % {
                "when": fmt.format_datetime(now, lang), "user": username_of(user)},
            pgettext("doc", "Times are given in the time zone %(zone)s.") % {"zone": fmt.zone_statement(now, lang)},
            "",
            pgettext("doc", "Exhibit files in exhibits/: %(count)s. manifest.csv lists each with its SHA-256 and "
                            "size.") % {"count": len(exhibits)},
            pgettext("doc", "Check every file with:") + " sha256sum -c SHA256SUMS",
            pgettext("doc", "exhibit-list.docx lists every exhibit of the case; chronology.docx is the chronology of "
                            "events; custody-report.docx is the custody and integrity record of the exhibits."),
        ]
        if withheld:
            lines += ["", pgettext("doc", "Withheld (restricted, not downloadable by the person who made this "
                                          "bundle): exhibits No. %(numbers)s.")
                      % {"numbers": ", ".join(str(r.number) for r in withheld)}]
    return ("\n".join(lines) + "\n").encode("utf-8")


def bundle_prepare(*, user, case: Case, language: str, request=None) -> PreparedBundle:
    """Record the export (custody events + export row, one transaction), then return the ready-to-stream ZIP."""
    import zipstream

    from evidence import storage
    from evidence.models import EvidenceItem
    from evidence.services import custody_record

    lang = selectors.language_code(language)
    plan = bundle_plan(user=user, case=case, with_pages=True)
    missing = [r.number for r in plan.included if not storage.blob_exists(r.sha256)]
    if missing:
        raise BundleError(
            _("The stored files of exhibits No. %(numbers)s are missing; the bundle was not produced.")
            % {"numbers": ", ".join(map(str, missing))}
        )
    exhibits = [
        BundleExhibit(number=r.number, arcname=exhibit_arcname(r), sha256=r.sha256, size=r.size,
                      item_id=r.item_id, title=r.title)
        for r in plan.included
    ]
    manifest = manifest_csv(exhibits)
    items = EvidenceItem.objects.only("pk", "sha256").in_bulk([e.item_id for e in exhibits])

    with transaction.atomic():
        export = export_record(
            user=user, case=case, kind=DocumentExport.Kind.BUNDLE, language=lang, content=manifest,
            detail={"exhibits": [e.number for e in exhibits], "withheld": [r.number for r in plan.withheld],
                    "size": plan.total_size},
        )
        for ex in exhibits:
            custody_record(
                item=items[ex.item_id], user=user, action="exported", request=request,
                detail={"bundle": export.pk, "case": case.pk, "exhibit_number": ex.number, "format": "zip"},
            )
        # The documents are made after the events, inside the transaction: the report shows this export, and a
        # failure here leaves no record of a bundle that was never delivered.
        with translation.override(lang):
            info = selectors.case_info(case, user=user, language=lang)
            meta = selectors.document_meta(user=user, language=lang)
            exhibit_list = generators.exhibit_list_docx(case=info, exhibits=plan.all_rows, meta=meta)
        chronology, _e, _p = chronology_bytes(user=user, case=case, lang=lang)
        custody_report, _n, _r = custody_report_bytes(user=user, case=case, lang=lang)

        # Stored, not deflated: exhibits are mostly compressed media already, and a stored ZIP has an exact size
        # known in advance (Content-Length, real progress). Queued inside the transaction: if it fails, no record.
        zs = zipstream.ZipStream(sized=True, compress_type=zipstream.ZIP_STORED)
        for ex in exhibits:
            zs.add(_verified_chunks(ex, item=items[ex.item_id], user=user, request=request), ex.arcname,
                   size=ex.size)
        zs.add(manifest, "manifest.csv")
        zs.add(sha256sums(exhibits), "SHA256SUMS")
        zs.add(exhibit_list, "exhibit-list.docx")
        zs.add(chronology, "chronology.docx")
        zs.add(custody_report, "custody-report.docx")
        zs.add(_readme(case=case, user=user, exhibits=exhibits, withheld=plan.withheld, lang=lang), "README.txt")
        size = len(zs)
    return PreparedBundle(
        filename=document_filename(case, "bundle", "zip"), stream=zs, size=size, export=export,
        exhibits=exhibits, withheld=[r.number for r in plan.withheld],
    )
