"""What pages and API views call: ``search_params`` (validate input) and ``search`` (run it for a user).

A result is only ever something the caller may view *now*: the backend pre-filters with the caller's visible ids,
then every hit is re-checked against the database through the permission modules. Text only some viewers may
read (a restricted item's file text, a person's real name) is searched and shown only to those viewers; a real
name is in the index only as keyed hashes of its words (``search.documents``), so the gated query also carries each
word's hashed form (``text.with_hashed_terms``).

``count`` counts the visible matches among the best ``MAX_HITS`` (settings.DOCKET_SEARCH_MAX_HITS, 1000).

No oracles (docs/access-model.md): ranking uses only each document's own text (see the backends), the score stays
inside (``Result.score`` is for tests and never serialised), and a filter by the id of a case the caller may not
see answers exactly as one by an id that does not exist. A snippet drawn from a restricted item's file text is a
read of derived content: it is shown only to those who may download the item, and recorded in its custody log.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from privacy.crypto import blind_token
from search import access, documents, text
from search.backends import QuerySpec, get_backend

logger = logging.getLogger("docket")

API_TYPES = documents.TYPES
TYPE_LABELS = {
    "case": gettext_lazy("Case"),
    "incident": gettext_lazy("Incident"),
    "evidence": gettext_lazy("Evidence"),
    "person": gettext_lazy("Person"),
    "proceeding": gettext_lazy("Proceeding"),
    "claim": gettext_lazy("Claim"),
    "authority": gettext_lazy("Authority"),
    "request": gettext_lazy("Request to an authority"),
    "task": gettext_lazy("Task"),
}
TYPE_PLURALS = {
    "case": gettext_lazy("Cases"),
    "incident": gettext_lazy("Incidents"),
    "evidence": gettext_lazy("Evidence"),
    "person": gettext_lazy("Persons"),
    "proceeding": gettext_lazy("Proceedings"),
    "claim": gettext_lazy("Claims"),
    "authority": gettext_lazy("Authorities"),
    "request": gettext_lazy("Requests to authorities"),
    "task": gettext_lazy("Tasks"),
}
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class SearchError(ValueError):
    """Bad search input; the message is safe to show."""


@dataclass(frozen=True)
class SearchParams:
    q: str
    node: object
    types: tuple[str, ...] = ()
    case_id: int | None = None
    category: str = ""
    status: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE


@dataclass
class Result:
    type: str
    id: int
    title: str
    snippet: str
    url: str | None
    score: float  # internal: it orders the results; never serialised nor shown (no oracles)
    object: object = field(repr=False, default=None)

    @property
    def type_label(self) -> str:
        return str(TYPE_LABELS.get(self.type, self.type))

    def as_dict(self) -> dict:
        return {"type": self.type, "id": self.id, "title": self.title, "snippet": self.snippet, "url": self.url}


@dataclass
class Page:
    params: SearchParams
    count: int
    results: list[Result]

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.params.page_size))

    @property
    def has_next(self) -> bool:
        return self.params.page < self.num_pages

    @property
    def has_previous(self) -> bool:
        return self.params.page > 1


def _int(value, name: str, *, minimum: int = 1, maximum: int | None = None, default=None):
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise SearchError(_("%(name)s must be a whole number.") % {"name": name}) from None
    if number < minimum or (maximum is not None and number > maximum):
        if maximum is None:
            raise SearchError(_("%(name)s must be at least %(min)d.") % {"name": name, "min": minimum})
        raise SearchError(
            _("%(name)s must be between %(min)d and %(max)d.") % {"name": name, "min": minimum, "max": maximum}
        )
    return number


def _date(value, name: str):
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise SearchError(_("%(name)s must be a date (YYYY-MM-DD).") % {"name": name}) from None


def _choice(value, name: str, choices) -> str:
    if value in (None, ""):
        return ""
    value = str(value).strip()
    if value not in choices:
        raise SearchError(
            _("%(name)s must be one of: %(choices)s.") % {"name": name, "choices": ", ".join(choices)}
        )
    return value


def search_params(data, *, require_q: bool = True) -> SearchParams:
    """Validate query-string ``data`` (a QueryDict or dict). Raises SearchError with a message for the user.

    An empty or missing ``q`` (or one with nothing searchable in it, like ``*`` or ``AND``) is an error."""
    from cases.models import Case, Incident

    q = str(data.get("q") or "")[: text.MAX_QUERY_CHARS]
    node = text.parse_query(q)
    if require_q and node is None:
        if q.strip():
            raise SearchError(_("The search has no words to look for."))
        raise SearchError(_("Enter something to search for (parameter q)."))
    type_values = data.getlist("type") if hasattr(data, "getlist") else [data.get("type")]
    types: list[str] = []
    for value in type_values:
        for part in str(value or "").split(","):
            part = part.strip()
            if part:
                types.append(_choice(part, "type", API_TYPES))
    categories = [c for c, _label in Incident.Category.choices]
    evidence = documents.evidence_model()
    if evidence is not None and hasattr(evidence, "Kind"):
        categories += [k for k, _label in evidence.Kind.choices if k not in categories]
    date_from = _date(data.get("date_from"), "date_from")
    date_to = _date(data.get("date_to"), "date_to")
    if date_from and date_to and date_to < date_from:
        raise SearchError(_("date_to cannot come before date_from."))
    return SearchParams(
        q=q, node=node, types=tuple(dict.fromkeys(types)),
        case_id=_int(data.get("case"), "case"),
        category=_choice(data.get("category"), "category", categories),
        status=_choice(data.get("status"), "status", [s for s, _label in Case.Status.choices]),
        date_from=date_from, date_to=date_to,
        page=_int(data.get("page"), "page", default=1, maximum=10_000),
        page_size=_int(data.get("page_size"), "page_size", default=DEFAULT_PAGE_SIZE, maximum=MAX_PAGE_SIZE),
    )


def _max_hits() -> int:
    return int(getattr(settings, "DOCKET_SEARCH_MAX_HITS", 1000))


def search(user, params: SearchParams) -> Page:
    """The page ``params.page`` of what ``user`` may see that matches ``params``."""
    if params.node is None:
        return Page(params=params, count=0, results=[])
    scope = access.scope_for(user)
    if params.case_id is not None and not access.case_in_scope(scope, params.case_id):
        # A case the caller may not see is a case that does not exist: nothing belongs to it.
        return Page(params=params, count=0, results=[])
    spec = QuerySpec(
        node=params.node, scope=scope, types=params.types, case_id=params.case_id,
        category=params.category, status=params.status, date_from=params.date_from, date_to=params.date_to,
        limit=_max_hits(), gated_node=text.with_hashed_terms(params.node, blind_token),
    )
    hits = get_backend().query(spec)
    kept, gated = access.recheck(user, hits)
    start = (params.page - 1) * params.page_size
    page_hits = kept[start:start + params.page_size]
    terms = text.positive_terms(params.node)
    results = []
    by_type: dict[str, list[int]] = {}
    for hit in page_hits:
        by_type.setdefault(hit.type, []).append(hit.id)
    # Snippets come from the database (never staler than the permissions), built like the index documents.
    docs = {t: documents.docs_for(t, ids) for t, ids in by_type.items()}
    for hit in page_hits:
        doc = docs.get(hit.type, {}).get(hit.id)
        if doc is None:
            continue
        may_read_gated = hit.id in gated.get(hit.type, set())
        html, from_gated = snippet_and_source(doc, terms, may_read_gated)
        if from_gated and hit.type == "evidence" and not doc.gate_open and not _record_preview(user, hit.id):
            html = snippet(doc, terms, False)  # no custody entry, no derived content
        results.append(Result(
            type=hit.type, id=hit.id, title=doc.title, snippet=html,
            url=doc.url or documents.url_for(hit.type, hit.id), score=hit.score,
        ))
    return Page(params=params, count=len(kept), results=results)


def _record_preview(user, item_id: int) -> bool:
    """A restricted item's file text is about to be shown in a snippet: a custody event (the query is not kept).
    False if it could not be recorded, or the item is no longer the user's to download (then the text is not
    shown)."""
    from evidence import permissions as ep
    from evidence.services import custody_record

    try:
        item = ep.evidence_for(user, ep.DOWNLOAD).defer("extracted_text", "metadata").filter(pk=item_id).first()
        if item is None:
            return False
        custody_record(item=item, user=user, action="previewed", detail={"via": "search"})
    except Exception:
        logger.exception("could not record the search preview of evidence item %s", item_id)
        return False
    return True


def snippet_and_source(doc: documents.SearchDoc, terms: text.TermSet, may_read_gated: bool) -> tuple[str, bool]:
    """HTML: escaped text around the matches with ``<mark>``; gated text only for those who may read it.
    The second value tells whether the snippet was drawn from the gated text."""
    body_html, body_hit = text.highlight(doc.body, terms)
    gated = doc.gated_display if doc.gated_display is not None else doc.gated
    if may_read_gated and gated and not body_hit:
        gated_html, gated_hit = text.highlight(gated, terms)
        if gated_hit or not doc.body:
            return gated_html, bool(gated_html)
    return body_html, False


def snippet(doc: documents.SearchDoc, terms: text.TermSet, may_read_gated: bool) -> str:
    return snippet_and_source(doc, terms, may_read_gated)[0]
