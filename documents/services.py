"""Writes for documents: generating a document (with its export record), the court bundle, organisation templates.

The court bundle (``bundle_prepare``):
- holds the case's exhibits the caller may download, each under ``exhibits/<number>_<sanitised name>`` with its
  original bytes, plus ``manifest.csv`` (``exhibit_number,filename,sha256,size``), ``SHA256SUMS`` (for
  ``sha256sum -c``), ``exhibit-list.docx``, ``custody-report.docx`` and ``README.txt``;
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

import contextlib
import csv
import hashlib
import io
import logging
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cases import permissions as cp
from cases.models import Case
from documents import generators, selectors
from documents.data import BundleExhibit, DossierFilter, ExhibitRow
from documents.models import DocumentExport, DocumentTemplate
from documents.permissions import can_delete_template, can_use_templates
from evidence.blobstores import upload_tmp_dir

logger = logging.getLogger("docket")

CHUNK = 1024 * 1024


@dataclass
class GeneratedDocument:
    filename: str
    content: bytes
    media_type: str = generators.DOCX_MEDIA_TYPE
    export: DocumentExport | None = None


def _username(user) -> str:
    return user.get_username() if user is not None and getattr(user, "is_authenticated", False) else ""


def _slug(text: str, fallback: str) -> str:
    text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._")
    return text[:60] or fallback


def document_filename(case: Case, stem: str, ext: str = "docx") -> str:
    return f"{_slug(case.reference, f'case-{case.pk}')}-{stem}.{ext}"


def _record(*, user, case: Case, kind: str, language: str, content: bytes | None = None,
            detail: dict | None = None) -> DocumentExport:
    return DocumentExport.objects.create(
        case=case, kind=kind, user=user if _username(user) else None, username=_username(user), language=language,
        sha256=hashlib.sha256(content).hexdigest() if content is not None else "", detail=detail or {},
    )


# --- Generated documents --------------------------------------------------------------------------------------------
def exhibit_list_generate(*, user, case: Case, language: str) -> GeneratedDocument:
    lang = selectors.language_code(language)
    with translation.override(lang):
        rows = selectors.exhibit_rows_for_case(user=user, case=case)
        content = generators.exhibit_list_docx(
            case=selectors.case_info(case), exhibits=rows, meta=selectors.document_meta(user=user, language=lang)
        )
    export = _record(user=user, case=case, kind=DocumentExport.Kind.EXHIBIT_LIST, language=lang, content=content,
                     detail={"exhibits": len(rows)})
    return GeneratedDocument(document_filename(case, "exhibit-list"), content, export=export)


def chronology_generate(*, user, case: Case, language: str) -> GeneratedDocument:
    lang = selectors.language_code(language)
    with translation.override(lang):
        entries = selectors.chronology_for_case(user=user, case=case)
        content = generators.chronology_docx(
            case=selectors.case_info(case), entries=entries, meta=selectors.document_meta(user=user, language=lang)
        )
    export = _record(user=user, case=case, kind=DocumentExport.Kind.CHRONOLOGY, language=lang, content=content,
                     detail={"entries": len(entries)})
    return GeneratedDocument(document_filename(case, "chronology"), content, export=export)


def incident_dossier_generate(*, user, case: Case, language: str, selection: DossierFilter) -> GeneratedDocument:
    lang = selectors.language_code(language)
    with translation.override(lang):
        incidents = selectors.dossier_incidents(user=user, case=case, selection=selection)
        shown = selection
        if selection.category:
            labels = dict(selectors.incident_categories())
            shown = DossierFilter(category=str(labels.get(selection.category, selection.category)),
                                  location=selection.location, date_from=selection.date_from,
                                  date_to=selection.date_to, incident_ids=selection.incident_ids)
        content = generators.incident_dossier_docx(
            case=selectors.case_info(case), incidents=incidents, selection=shown,
            meta=selectors.document_meta(user=user, language=lang),
        )
    export = _record(user=user, case=case, kind=DocumentExport.Kind.INCIDENT_DOSSIER, language=lang, content=content,
                     detail={"incidents": [i.id for i in incidents]})
    return GeneratedDocument(document_filename(case, "incident-dossier"), content, export=export)


def _custody_report_bytes(*, user, case: Case, lang: str, numbers=None) -> tuple[bytes, int, int]:
    with translation.override(lang):
        exhibits, rows = selectors.custody_rows_for_case(user=user, case=case, numbers=numbers)
        content = generators.custody_report_docx(
            case=selectors.case_info(case), rows=rows, exhibits=exhibits,
            meta=selectors.document_meta(user=user, language=lang),
        )
    return content, len(exhibits), len(rows)


def custody_report_generate(*, user, case: Case, language: str, exhibit_number: int | None = None
                            ) -> GeneratedDocument:
    lang = selectors.language_code(language)
    numbers = None if exhibit_number is None else [exhibit_number]
    content, n_exhibits, n_rows = _custody_report_bytes(user=user, case=case, lang=lang, numbers=numbers)
    if exhibit_number is not None and n_exhibits == 0:
        from django.http import Http404

        raise Http404("No such exhibit in this case.")
    export = _record(user=user, case=case, kind=DocumentExport.Kind.CUSTODY_REPORT, language=lang, content=content,
                     detail={"exhibits": n_exhibits, "events": n_rows, "exhibit_number": exhibit_number})
    stem = "custody-report" if exhibit_number is None else f"custody-report-exhibit-{exhibit_number}"
    return GeneratedDocument(document_filename(case, stem), content, export=export)


# --- The court bundle ---------------------------------------------------------------------------------------------
class BundleError(Exception):
    """The bundle cannot be produced (e.g. a stored file is missing): nothing was recorded."""


class BundleIntegrityError(Exception):
    """A stored file no longer matches its recorded digest: the stream is aborted."""


_UNSAFE_NAME = re.compile(r"[^\w.\-]+", re.UNICODE)


def sanitise_filename(name: str, fallback: str = "exhibit") -> str:
    """A name safe in any archive tool and file system: letters (any script), digits, '.', '-', '_'."""
    name = unicodedata.normalize("NFC", os.path.basename((name or "").replace("\\", "/")))
    name = _UNSAFE_NAME.sub("_", name).strip("._")
    if len(name) > 100:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 100 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:100]
    return name or fallback


def exhibit_arcname(row: ExhibitRow, width: int = 3) -> str:
    return f"exhibits/{row.number:0{width}d}_{sanitise_filename(row.original_filename or row.title)}"


@dataclass
class BundlePlan:
    included: list[ExhibitRow]
    withheld: list[ExhibitRow]
    all_rows: list[ExhibitRow]

    @property
    def total_size(self) -> int:
        return sum(r.size for r in self.included)


def bundle_plan(*, user, case: Case) -> BundlePlan:
    """Which exhibits the caller's bundle holds: those they may download; restricted ones otherwise withheld."""
    from evidence.permissions import evidence_for

    rows = selectors.exhibit_rows_for_case(user=user, case=case)
    downloadable = set(
        selectors.exhibits_queryset(user=user, case=case)
        .filter(item__in=evidence_for(user, "download").values("pk"))
        .values_list("item_id", flat=True)
    )
    included = [r for r in rows if r.item_id in downloadable]
    withheld = [r for r in rows if r.item_id not in downloadable]
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


def _verified_chunks(exhibit: BundleExhibit) -> Iterator[bytes]:
    """The blob's bytes, hashed on the way; a mismatch with the recorded digest aborts the stream."""
    from evidence import storage

    digest = hashlib.sha256()
    size = 0
    with storage.open_blob(exhibit.sha256) as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            yield chunk
    if digest.hexdigest() != exhibit.sha256 or size != exhibit.size:
        logger.error("bundle: exhibit %s (item %s) no longer matches its digest; stream aborted",
                     exhibit.number, exhibit.item_id)
        raise BundleIntegrityError(f"exhibit {exhibit.number} does not match its recorded SHA-256")


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
        lines = [
            _("Court bundle"),
            "",
            _("Case") + f": {case.title}",
            _("Reference") + f": {case.reference}",
            _("Generated on %(when)s by %(user)s.") % {
                "when": timezone.localtime().strftime("%Y-%m-%d %H:%M %Z"), "user": _username(user)},
            "",
            _("Exhibit files in exhibits/: %(count)s. manifest.csv lists each with its SHA-256 and size.")
            % {"count": len(exhibits)},
            _("Check every file with:") + " sha256sum -c SHA256SUMS",
            _("exhibit-list.docx lists every exhibit of the case; custody-report.docx is their chain of custody."),
        ]
        if withheld:
            lines += ["", _("Withheld (restricted, not downloadable by the person who made this bundle): "
                            "exhibits No. %(numbers)s.") % {"numbers": ", ".join(str(r.number) for r in withheld)}]
    return ("\n".join(lines) + "\n").encode("utf-8")


def bundle_prepare(*, user, case: Case, language: str, request=None) -> PreparedBundle:
    """Record the export (custody events + export row, one transaction), then return the ready-to-stream ZIP."""
    import zipstream

    from evidence import storage
    from evidence.models import EvidenceItem
    from evidence.services import custody_record

    lang = selectors.language_code(language)
    plan = bundle_plan(user=user, case=case)
    missing = [r.number for r in plan.included if not storage.blob_exists(r.sha256)]
    if missing:
        raise BundleError(
            _("The stored files of exhibits No. %(numbers)s are missing; the bundle was not produced.")
            % {"numbers": ", ".join(map(str, missing))}
        )
    width = max(3, len(str(max((r.number for r in plan.all_rows), default=0))))
    exhibits = [
        BundleExhibit(number=r.number, arcname=exhibit_arcname(r, width), sha256=r.sha256, size=r.size,
                      item_id=r.item_id, title=r.title)
        for r in plan.included
    ]
    manifest = manifest_csv(exhibits)
    items = EvidenceItem.objects.only("pk", "sha256").in_bulk([e.item_id for e in exhibits])

    with transaction.atomic():
        export = _record(
            user=user, case=case, kind=DocumentExport.Kind.BUNDLE, language=lang, content=manifest,
            detail={"exhibits": [e.number for e in exhibits], "withheld": [r.number for r in plan.withheld],
                    "size": plan.total_size},
        )
        for ex in exhibits:
            custody_record(
                item=items[ex.item_id], user=user, action="exported", request=request,
                detail={"bundle": export.pk, "case": case.pk, "exhibit_number": ex.number},
            )
        # Both documents are made after the events, inside the transaction: the report shows this export, and a
        # failure here leaves no record of a bundle that was never delivered.
        with translation.override(lang):
            meta = selectors.document_meta(user=user, language=lang)
            exhibit_list = generators.exhibit_list_docx(case=selectors.case_info(case), exhibits=plan.all_rows,
                                                        meta=meta)
        custody_report, _n, _r = _custody_report_bytes(user=user, case=case, lang=lang)

        # Stored, not deflated: exhibits are mostly compressed media already, and a stored ZIP has an exact size
        # known in advance (Content-Length, real progress). Queued inside the transaction: if it fails, no record.
        zs = zipstream.ZipStream(sized=True, compress_type=zipstream.ZIP_STORED)
        for ex in exhibits:
            zs.add(_verified_chunks(ex), ex.arcname, size=ex.size)
        zs.add(manifest, "manifest.csv")
        zs.add(sha256sums(exhibits), "SHA256SUMS")
        zs.add(exhibit_list, "exhibit-list.docx")
        zs.add(custody_report, "custody-report.docx")
        zs.add(_readme(case=case, user=user, exhibits=exhibits, withheld=plan.withheld, lang=lang), "README.txt")
        size = len(zs)
    return PreparedBundle(
        filename=document_filename(case, "bundle", "zip"), stream=zs, size=size, export=export,
        exhibits=exhibits, withheld=[r.number for r in plan.withheld],
    )


# --- Organisation templates -----------------------------------------------------------------------------------------
class TemplateTooLarge(ValidationError):
    pass


def max_template_bytes() -> int:
    return int(getattr(settings, "DOCKET_MAX_TEMPLATE_BYTES", 10 * 1024 * 1024))


MAX_TEMPLATE_ENTRIES = 1000
MAX_TEMPLATE_UNCOMPRESSED = 64 * 1024 * 1024
MAX_ENTRY_RATIO = 100  # uncompressed / compressed, for entries above 1 MB
DOCX_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


def template_storage():
    """The storage holding template files (``STORAGES["templates"]``: ``DOCUMENT_TEMPLATES_DIR`` or a bucket)."""
    from django.core.files.storage import storages

    return storages["templates"]


def template_name(sha256: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
        raise ValidationError(_("The template's file is missing."))
    return f"{sha256}.docx"


def _template_bytes(template: DocumentTemplate) -> bytes:
    with template_storage().open_stream(template_name(template.sha256)) as fh:
        return fh.read(max_template_bytes() + 1)


def _read_limited(uploaded_file, limit: int) -> bytes:
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        raise TemplateTooLarge(_("The template is larger than %(limit)s bytes.") % {"limit": limit})
    chunks, total = [], 0
    for chunk in uploaded_file.chunks() if hasattr(uploaded_file, "chunks") else iter(lambda: uploaded_file.read(CHUNK), b""):
        total += len(chunk)
        if total > limit:
            raise TemplateTooLarge(_("The template is larger than %(limit)s bytes.") % {"limit": limit})
        chunks.append(chunk)
    return b"".join(chunks)


def check_docx(data: bytes) -> None:
    """A real .docx (a ZIP with [Content_Types].xml declaring a Word main part), not a ZIP bomb; else 400."""
    if not data.startswith(b"PK\x03\x04"):
        raise ValidationError(_("The file is not a .docx document."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_TEMPLATE_ENTRIES:
                raise ValidationError(_("The .docx holds too many parts."))
            total = 0
            for info in infos:
                total += info.file_size
                if info.file_size > 1024 * 1024 and info.file_size > MAX_ENTRY_RATIO * max(info.compress_size, 1):
                    raise ValidationError(_("The .docx is compressed suspiciously well (a ZIP bomb?)."))
            if total > MAX_TEMPLATE_UNCOMPRESSED:
                raise ValidationError(_("The .docx unpacks to more than %(limit)s bytes.")
                                      % {"limit": MAX_TEMPLATE_UNCOMPRESSED})
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names:
                raise ValidationError(_("The file is not a .docx document."))
            content_types = zf.read("[Content_Types].xml")
            if DOCX_MAIN_TYPE.encode() not in content_types:
                raise ValidationError(_("The file is not a Word .docx document (macro-enabled files are refused)."))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError, KeyError):
        raise ValidationError(_("The file is not a .docx document.")) from None


def template_context_specimen() -> dict:
    """The shape of the context offered to templates: every field a template may use, with a sample value."""
    case = {f: "x" for f in ("title", "reference", "court", "jurisdiction", "status", "summary",
                             "privileged_notes", "url")}
    case["id"] = 1
    return {
        "case": case,
        "proceedings": [{f: "x" for f in ("stage", "court", "case_number", "judge", "filed_on", "hearing_on",
                                          "decided_on", "outcome")}],
        "parties": [{f: "x" for f in ("role", "name")}],
        "incidents": [{f: "x" for f in ("title", "date", "time", "location", "category", "description", "agency",
                                        "system_involved")}],
        "exhibits": [{"number": 1, **{f: "x" for f in ("title", "kind", "date", "source", "sha256")}, "size": 1}],
        "deadlines": [{f: "x" for f in ("title", "due_date", "status", "rule")}],
        "today": "x",
        "user": {"username": "x", "name": "x"},
    }


def template_context(*, user, case: Case, language: str) -> dict:
    """A plain dict of safe fields: privileged notes only with VIEW_PRIVILEGED, identities only with VIEW_IDENTITIES."""
    lang = selectors.language_code(language)
    perms = cp.case_perms(user, case)
    with translation.override(lang):
        def d(value):
            return generators.fmt_date(value, lang)

        case_ctx = {
            "id": case.pk, "title": case.title, "reference": case.reference, "court": case.court,
            "jurisdiction": case.jurisdiction, "status": str(case.get_status_display()), "summary": case.summary,
            "url": case.get_absolute_url(),
        }
        if cp.VIEW_PRIVILEGED in perms:
            case_ctx["privileged_notes"] = case.privileged_notes
        parties_qs = list(case.parties.select_related("person").order_by("role", "id"))
        identities = cp.person_identity_ids(user, {p.person_id for p in parties_qs if p.person_id}) \
            if cp.VIEW_IDENTITIES in perms else frozenset()
        parties = []
        for party in parties_qs:
            name = party.name
            if party.person_id:
                name = party.person.pseudonym
                if party.person_id in identities and party.person.real_name:
                    name = party.person.real_name
            parties.append({"role": str(party.get_role_display()), "name": name})
        incidents = [
            {"title": i.title, "date": d(selectors._local_date(i.occurred_at)),
             "time": selectors._local(i.occurred_at).strftime("%H:%M"), "location": i.location,
             "category": str(i.get_category_display()), "description": i.description, "agency": i.agency,
             "system_involved": i.system_involved}
            for i in selectors.case_incidents(user=user, case=case).order_by("occurred_at", "id")
        ]
        exhibits = [
            {"number": r.number, "title": r.title, "kind": str(r.kind), "date": d(r.obtained_on), "source": r.source,
             "sha256": r.sha256, "size": r.size}
            for r in selectors.exhibit_rows_for_case(user=user, case=case)
        ]
        proceedings = [
            {"stage": str(p.get_stage_display()), "court": p.court, "case_number": p.case_number, "judge": p.judge,
             "filed_on": d(p.filed_on), "hearing_on": d(p.hearing_on), "decided_on": d(p.decided_on),
             "outcome": p.outcome}
            for p in case.proceedings.order_by("filed_on", "id")
        ]
        deadlines = [
            {"title": x.title, "due_date": d(getattr(x, "due_date", None)),
             "status": str(x.get_status_display()) if hasattr(x, "get_status_display") else "",
             "rule": selectors.deadline_rule_code(x)}
            for x in selectors._deadlines_for_case(user=user, case=case)
        ]
        return {
            "case": case_ctx, "proceedings": proceedings, "parties": parties, "incidents": incidents,
            "exhibits": exhibits, "deadlines": deadlines, "today": d(timezone.localdate()),
            "user": {"username": _username(user), "name": (user.get_full_name() or _username(user))},
        }


MAX_LOOP_NESTING = 2
MAX_REPEAT = 1000


def _jinja_env():
    from jinja2 import StrictUndefined
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    class DocumentSandbox(SandboxedEnvironment):
        """The sandbox, plus no way to blow up the output: ``"x" * 10**9`` and huge powers are refused."""

        intercepted_binops = frozenset({"*", "**"})

        def call_binop(self, context, operator, left, right):
            if operator == "**" and isinstance(right, (int, float)) and abs(right) > 64:
                raise SecurityError("power too large")
            if operator == "*":
                for seq, times in ((left, right), (right, left)):
                    if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and times > MAX_REPEAT:
                        raise SecurityError("repetition too large")
            return super().call_binop(context, operator, left, right)

    env = DocumentSandbox(undefined=StrictUndefined, autoescape=True)
    # No unbounded loops from a template: range() is not offered (loops run over the case's own lists).
    env.globals.pop("range", None)
    return env


def _loop_nesting(node, depth: int = 0) -> int:
    from jinja2 import nodes

    deepest = depth
    for child in node.iter_child_nodes():
        inner = depth + 1 if isinstance(child, nodes.For) else depth
        deepest = max(deepest, _loop_nesting(child, inner))
    return deepest


def _template_ast(tpl, env):
    """The Jinja AST of a docxtpl template's body, headers and footers (as docxtpl itself reads them)."""
    from docx import Document
    from docx.oxml import parse_xml

    doc = Document(tpl.template_file)
    xml = tpl.patch_xml(tpl.xml_to_string(doc._element.body))
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for rel in doc.part.rels.values():
            if rel.reltype == uri and rel.target_part.blob:
                xml += tpl.patch_xml(tpl.xml_to_string(parse_xml(rel.target_part.blob)))
    return env.parse(xml)


def _placeholders(ast) -> tuple[set[str], list[tuple[str, ...]]]:
    from jinja2 import meta, nodes

    top = set(meta.find_undeclared_variables(ast))
    chains = []
    for node in ast.find_all(nodes.Getattr):
        parts = []
        current = node
        while isinstance(current, nodes.Getattr):
            parts.insert(0, current.attr)
            current = current.node
        if isinstance(current, nodes.Name) and current.name in top:
            chains.append((current.name, *parts))
    return top, chains


def _method_calls(ast) -> list[str]:
    """Calls of anything but a plain name (``x.format_map(...)``, ``x.__init__(...)``): templates hold data, not code."""
    from jinja2 import nodes

    found = []
    for call in ast.find_all(nodes.Call):
        if isinstance(call.node, nodes.Getattr):
            found.append(call.node.attr)
        elif not isinstance(call.node, nodes.Name):
            found.append(type(call.node).__name__)
    return sorted(set(found))


def _unknown_message(exc) -> str:
    text = str(getattr(exc, "message", None) or exc)
    match = re.search(r"has no attribute '([^']+)'", text) or re.search(r"'([^']+)' is undefined", text)
    name = match.group(1) if match else text
    return _("Unknown placeholder: %(name)s.") % {"name": name}


def _render_docx(tpl, context: dict) -> bytes:
    """Render a docxtpl template in the sandbox; every template problem becomes a ValidationError (a 400)."""
    from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    env = _jinja_env()
    try:
        ast = _template_ast(tpl, env)
        top, chains = _placeholders(ast)
        unknown = sorted(top - set(context))
        if unknown:
            raise ValidationError(_("Unknown placeholder: %(name)s.") % {"name": ", ".join(unknown)})
        for chain in chains:
            value = context
            for depth, key in enumerate(chain):
                if not isinstance(value, dict) or key not in value:
                    # A missing field, or an attribute of a plain value (a text's or a list's methods).
                    raise ValidationError(_("Unknown placeholder: %(name)s.") % {"name": ".".join(chain[: depth + 1])})
                value = value[key]
        if _loop_nesting(ast) > MAX_LOOP_NESTING:
            raise ValidationError(_("Loops may be nested at most %(n)s deep.") % {"n": MAX_LOOP_NESTING})
        calls = _method_calls(ast)
        if calls:
            raise ValidationError(_("Templates may not call methods: %(name)s.") % {"name": ", ".join(calls)})
        tpl.render(context, jinja_env=env, autoescape=True)
        buffer = io.BytesIO()
        tpl.save(buffer)
        return buffer.getvalue()
    except ValidationError:
        raise
    except SecurityError:
        raise ValidationError(_("The template tries to reach something templates may not use.")) from None
    except UndefinedError as exc:
        raise ValidationError(_unknown_message(exc)) from None
    except TemplateSyntaxError as exc:
        raise ValidationError(_("Template syntax error (line %(line)s): %(message)s")
                              % {"line": exc.lineno, "message": exc.message}) from None
    except TemplateError as exc:
        raise ValidationError(_("The template cannot be filled: %(message)s") % {"message": str(exc)[:300]}) from None
    except (KeyError, ValueError, TypeError, AttributeError, zipfile.BadZipFile) as exc:
        logger.warning("template render failed: %r", exc)
        raise ValidationError(_("The template cannot be filled: %(message)s") % {"message": str(exc)[:300]}) from None


def _open_template(data: bytes):
    from docxtpl import DocxTemplate

    try:
        return DocxTemplate(io.BytesIO(data))
    except Exception:  # python-docx raises a variety of errors for broken packages
        raise ValidationError(_("The file is not a .docx document.")) from None


def template_upload(*, user, name: str, uploaded_file, description: str = "") -> DocumentTemplate:
    if not can_use_templates(user):
        raise PermissionDenied(_("You may not upload document templates."))
    name = (name or "").strip() or os.path.splitext(getattr(uploaded_file, "name", "") or "")[0].strip()
    if not name:
        raise ValidationError({"name": [_("A template needs a name.")]})
    if len(name) > 200:
        raise ValidationError({"name": [_("At most 200 characters.")]})
    data = _read_limited(uploaded_file, max_template_bytes())
    check_docx(data)
    # Validate the placeholders against the context's shape before anything is stored.
    _render_docx(_open_template(data), template_context_specimen())
    _top, chains = _placeholders(_template_ast(_open_template(data), _jinja_env()))
    used = sorted({".".join(c) for c in chains} | _top)

    sha = hashlib.sha256(data).hexdigest()
    stored_name = template_name(sha)
    store = template_storage()
    fd, tmp = tempfile.mkstemp(dir=upload_tmp_dir(), prefix="template-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        created_file = store.put_once(stored_name, tmp, sha256=sha, size=len(data))  # write-once, like evidence
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    try:
        with transaction.atomic():
            return DocumentTemplate.objects.create(
                name=name, description=(description or "")[:1000], sha256=sha,
                size=len(data), original_filename=os.path.basename(getattr(uploaded_file, "name", "") or "")[:255],
                placeholders=used, uploaded_by=user,
            )
    except Exception:
        if created_file and not DocumentTemplate.objects.filter(sha256=sha).exists():
            store.delete(stored_name)
        raise


def templates_for(user):
    if not can_use_templates(user):
        return DocumentTemplate.objects.none()
    return DocumentTemplate.objects.filter(deleted_at__isnull=True).order_by("name", "id")


def template_get(user, pk) -> DocumentTemplate:
    from django.http import Http404

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such template.") from None
    template = templates_for(user).filter(pk=pk).first()
    if template is None:
        raise Http404("No such template.")
    return template


def template_delete(*, user, template: DocumentTemplate) -> None:
    """Soft delete (the row and its history stay; the file stays for the history's sake)."""
    if not can_delete_template(user, template):
        raise PermissionDenied(_("Only the person who uploaded a template, or staff, may delete it."))
    template.deleted_at = timezone.now()
    template._history_user = user
    template.save(update_fields=["deleted_at"])


def template_fill(*, user, case: Case, template: DocumentTemplate, language: str) -> GeneratedDocument:
    lang = selectors.language_code(language)
    try:
        data = _template_bytes(template)
    except OSError:
        raise ValidationError(_("The template's file is missing.")) from None
    if hashlib.sha256(data).hexdigest() != template.sha256:
        raise ValidationError(_("The template's file has changed since it was uploaded."))
    context = template_context(user=user, case=case, language=lang)
    with translation.override(lang):
        content = _render_docx(_open_template(data), context)
    export = _record(user=user, case=case, kind=DocumentExport.Kind.TEMPLATE, language=lang, content=content,
                     detail={"template": template.pk, "name": template.name})
    return GeneratedDocument(document_filename(case, _slug(template.name, f"template-{template.pk}")), content,
                             export=export)
