"""What a user sees through the API, compared with the reference model (``machine.model``)."""
from __future__ import annotations

MARK, REAL, FILE = "zyxmark", "qqrealname", "qqfiletext"
MISSING = 2**40
ALL = {"page_size": 500}


def _rows(response) -> list[dict]:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    body = response.json()
    return body["results"] if isinstance(body, dict) else body


def _same(u: str, what: str, got, want) -> None:
    assert got == want, f"{u} sees {what} {sorted(got) if isinstance(got, set) else got}, " \
                        f"the model says {sorted(want) if isinstance(want, set) else want}"


def _search(m, u: str, **params) -> list[dict]:
    return _rows(m.call(u, "get", "/api/v1/search/", {"page_size": 100, **params}))


def check_lists(m, u: str) -> None:
    """Lists, trash and search of ``u`` (run after every step)."""
    w = m.model
    visible_cases = w.visible_cases(u)
    _same(u, "cases", {r["id"] for r in _rows(m.call(u, "get", "/api/v1/cases/", ALL))}, visible_cases)

    rows = _rows(m.call(u, "get", "/api/v1/incidents/", ALL))
    _same(u, "incidents", {r["id"] for r in rows}, w.visible_incidents(u))
    for row in rows:
        _same(u, f"incident {row['id']} in cases", set(row["cases"]),
              w.incidents[row["id"]].cases & visible_cases)

    rows = _rows(m.call(u, "get", "/api/v1/persons/", ALL))
    _same(u, "persons", {r["id"] for r in rows}, w.visible_persons(u))
    _same(u, "real names of persons", {r["id"] for r in rows if "real_name" in r},
          {p for p in w.visible_persons(u) if "identity" in w.person_perms(u, p)})

    rows = _rows(m.call(u, "get", "/api/v1/evidence/", ALL))
    visible_evidence = w.visible_evidence(u)
    downloadable = {e for e in visible_evidence if "download" in w.evidence_perms(u, e)}
    _same(u, "evidence", {r["id"] for r in rows}, visible_evidence)
    _same(u, "evidence with can_download", {r["id"] for r in rows if r["can_download"]}, downloadable)
    _same(u, "evidence with can_edit", {r["id"] for r in rows if r["can_edit"]},
          {e for e in visible_evidence if "edit" in w.evidence_perms(u, e)})

    trash = m.call(u, "get", "/api/v1/trash/").json()
    cases, incidents = w.trash(u)
    _same(u, "cases in the trash", {r["id"] for r in trash["cases"]}, cases)
    _same(u, "incidents in the trash", {r["id"] for r in trash["incidents"]}, incidents)

    hits = _search(m, u, q=MARK)
    want = ({("case", c) for c in visible_cases} | {("incident", i) for i in w.visible_incidents(u)}
            | {("person", p) for p in w.visible_persons(u)} | {("evidence", e) for e in visible_evidence})
    _same(u, f"search results for {MARK}", {(r["type"], r["id"]) for r in hits}, want)
    for r in hits:
        if r["type"] == "evidence" and r["id"] not in downloadable:
            assert FILE not in (r.get("snippet") or ""), f"{u} reads the file text of evidence {r['id']} in a snippet"
    # Words only in real names and only in files: persons whose identity u may read, items u may download.
    hits = _search(m, u, q=f"{REAL} OR {FILE}", type="person,evidence")
    _same(u, f"search results for {REAL} OR {FILE}", {(r["type"], r["id"]) for r in hits},
          {("person", p) for p in w.visible_persons(u) if "identity" in w.person_perms(u, p)}
          | {("evidence", e) for e in downloadable})


def _status(m, u: str, path: str) -> tuple[int, dict | None]:
    response = m.call(u, "get", path)
    body = response.json() if response.status_code == 200 and "json" in response.get("Content-Type", "") else None
    return response.status_code, body


def check_details(m, u: str) -> None:
    """Every object ever created, as ``u`` sees it one by one (purged ones included: 404)."""
    w = m.model
    for c in m.created["cases"]:
        perms = w.case_perms(u, c)
        code, body = _status(m, u, f"/api/v1/cases/{c}/")
        _same(u, f"case {c} detail", code, 200 if "view_case" in perms else 404)
        if body is not None:
            _same(u, f"privileged notes of case {c}", "privileged_notes" in body, "view_privileged" in perms)
        _same(u, f"case {c} history", _status(m, u, f"/api/v1/cases/{c}/history/")[0],
              200 if "view_case" in perms else 404)
        if c != m.created["cases"][-1]:
            continue  # a document is dear to make: the latest case's only
        code = _status(m, u, f"/api/v1/cases/{c}/documents/exhibit-list.docx")[0]
        want = {200} if "generate_documents" in perms else {403, 404} if "view_case" in perms else {404}
        assert code in want, f"{u} gets {code} for the exhibit list of case {c}, the model says {want}"
    for i in m.created["incidents"]:
        view = "view_incident" in w.incident_perms(u, i)
        _same(u, f"incident {i} detail", _status(m, u, f"/api/v1/incidents/{i}/")[0], 200 if view else 404)
        code, history = _status(m, u, f"/api/v1/incidents/{i}/history/")
        _same(u, f"incident {i} history", code, 200 if view else 404)
        if history is not None and m.shared_events.get(i):
            shares = [e for e in history if "share" in (e.get("object") or "").lower()]
            assert len(shares) >= m.shared_events[i], f"incident {i}'s history misses shares: {history}"
    for p in m.created["persons"]:
        perms = w.person_perms(u, p) if p in w.persons else frozenset()
        code, body = _status(m, u, f"/api/v1/persons/{p}/")
        _same(u, f"person {p} detail", code, 200 if "view" in perms else 404)
        if body is not None:
            _same(u, f"real name of person {p} shown", "real_name" in body, "identity" in perms)
    for e in m.created["evidence"]:
        perms = w.evidence_perms(u, e)
        code, body = _status(m, u, f"/api/v1/evidence/{e}/")
        _same(u, f"evidence {e} detail", code, 200 if "view" in perms else 404)
        if body is not None:
            for derived in ("extracted_text_chars", "metadata"):
                _same(u, f"{derived} of evidence {e} shown", derived in body, "download" in perms)
        _same(u, f"download of evidence {e}", _status(m, u, f"/api/v1/evidence/{e}/download/")[0],
              200 if "download" in perms else 404)


def check_case_filter(m, u: str, c: int) -> None:
    """``?case=`` of a case hidden from ``u`` answers exactly as ``?case=`` of a case that does not exist."""
    w = m.model
    visible = "view_case" in w.case_perms(u, c)
    for path, params, want in (
        ("/api/v1/incidents/", ALL, {i for i in w.visible_incidents(u) if c in w.incidents[i].cases}),
        ("/api/v1/evidence/", ALL, {e for e in w.visible_evidence(u) if c in w.evidence[e].cases}),
        ("/api/v1/search/", {"q": MARK, "page_size": 100}, None),
    ):
        response = m.call(u, "get", path, {**params, "case": c})
        if visible:
            if want is not None:
                _same(u, f"{path}?case={c}", {r["id"] for r in _rows(response)}, want)
            continue
        missing = m.call(u, "get", path, {**params, "case": MISSING})
        assert (response.status_code, response.json()) == (missing.status_code, missing.json()), \
            f"{path}?case={c} (hidden from {u}) answers unlike a missing case"
