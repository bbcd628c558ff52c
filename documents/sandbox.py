"""The sandbox that fills organisation .docx templates: checks on the file, a locked-down Jinja, the context's shape.

A template is data, not code: no method calls, no ``range``, loops nested at most twice, no huge repetitions; every
placeholder must exist in the context (``template_context_specimen``), checked before the template is stored.
"""
from __future__ import annotations

import io
import logging
import re
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

logger = logging.getLogger("docket")

MAX_TEMPLATE_ENTRIES = 1000
MAX_TEMPLATE_UNCOMPRESSED = 64 * 1024 * 1024
MAX_ENTRY_RATIO = 100  # uncompressed / compressed, for entries above 1 MB
DOCX_MAIN_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


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
                             "privileged_notes", "url", "court_case_number", "procedure")}
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
        "signature": {f: "x" for f in ("full_name", "position", "power_of_attorney", "place", "date")},
    }



MAX_LOOP_NESTING = 2
MAX_REPEAT = 1000


def jinja_env():
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


def template_ast(tpl, env):
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


def placeholders(ast) -> tuple[set[str], list[tuple[str, ...]]]:
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


def render_docx(tpl, context: dict) -> bytes:
    """Render a docxtpl template in the sandbox; every template problem becomes a ValidationError (a 400)."""
    from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import SecurityError

    env = jinja_env()
    try:
        ast = template_ast(tpl, env)
        top, chains = placeholders(ast)
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


def open_template(data: bytes):
    from docxtpl import DocxTemplate

    try:
        return DocxTemplate(io.BytesIO(data))
    except Exception:  # python-docx raises a variety of errors for broken packages
        raise ValidationError(_("The file is not a .docx document.")) from None
