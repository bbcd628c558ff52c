"""Rows of tests/test_permission_matrix.py for claims, authorities, requests and tasks (issue 16), and the objects
they need in the matrix's world. Kept here so the shared matrix file only imports them."""
from __future__ import annotations

import datetime as dt

from litigation import services


def litigation_world(users: dict, case) -> dict:
    lawyer = users["lawyer"]
    claim = services.claim_create(user=lawyer, case=case, right="Article 8 of the Convention")
    library = services.authority_create(user=lawyer, title="Glukhin v. Russia", identifier="11519/20")
    private = services.authority_create(user=lawyer, case=case, title="Decision in this very case")
    citation = services.citation_add(user=lawyer, claim=claim, authority=library, pinpoint="§ 72")
    request = services.request_create(user=lawyer, case=case, kind="ru-152fz-access", addressee="Moscow Metro",
                                      received_on=dt.date(2025, 12, 30))
    task = services.task_create(user=lawyer, case=case, title="Collect the police log", assignee=users["researcher"])
    return {"claim": claim, "library": library, "private": private, "citation": citation, "request": request,
            "task": task}


def rows(Row, _expect) -> list:
    """The rows, built with the matrix's own Row and _expect (no import cycle)."""
    no_write = dict(observer=403, coordinator=403, researcher=403)
    docs = dict(observer=403, researcher=403)

    def x(w, key):
        return w.extra[key].pk

    return [
        # --- API: claims and citations
        Row("api claims list", "get", lambda w: f"/api/v1/cases/{w.case.pk}/claims/", _expect(401, 404, 200)),
        Row("api claim create", "post", lambda w: f"/api/v1/cases/{w.case.pk}/claims/",
            _expect(401, 404, 201, **no_write), lambda w: {"right": "Article 11 of the Convention"}),
        Row("api claim detail", "get", lambda w: f"/api/v1/claims/{x(w, 'claim')}/", _expect(401, 404, 200)),
        Row("api claim patch", "patch", lambda w: f"/api/v1/claims/{x(w, 'claim')}/",
            _expect(401, 404, 200, **no_write), lambda w: {"outcome": "Dismissed"}),
        Row("api claim delete", "delete", lambda w: f"/api/v1/claims/{x(w, 'claim')}/",
            _expect(401, 404, 204, **no_write)),
        Row("api claim history", "get", lambda w: f"/api/v1/claims/{x(w, 'claim')}/history/", _expect(401, 404, 200)),
        Row("api claim citations", "get", lambda w: f"/api/v1/claims/{x(w, 'claim')}/authorities/",
            _expect(401, 404, 200)),
        Row("api claim cite", "post", lambda w: f"/api/v1/claims/{x(w, 'claim')}/authorities/",
            _expect(401, 404, 201, **no_write), lambda w: {"authority": x(w, "library"), "pinpoint": "§ 90"}),
        Row("api citation patch", "patch",
            lambda w: f"/api/v1/claims/{x(w, 'claim')}/authorities/{x(w, 'citation')}/",
            _expect(401, 404, 200, **no_write), lambda w: {"pinpoint": "§§ 72-73"}),
        Row("api citation delete", "delete",
            lambda w: f"/api/v1/claims/{x(w, 'claim')}/authorities/{x(w, 'citation')}/",
            _expect(401, 404, 204, **no_write)),
        # --- API: authorities
        Row("api authorities list", "get", lambda w: "/api/v1/authorities/", _expect(401, 200, 200)),
        Row("api authority create (library)", "post", lambda w: "/api/v1/authorities/",
            _expect(401, 403, 201, **no_write), lambda w: {"title": "S. and Marper v. the United Kingdom"}),
        Row("api authority create (private)", "post", lambda w: "/api/v1/authorities/",
            _expect(401, 400, 201, **no_write), lambda w: {"title": "Appeal ruling", "case": w.case.pk}),
        Row("api library authority", "get", lambda w: f"/api/v1/authorities/{x(w, 'library')}/",
            _expect(401, 200, 200)),
        Row("api private authority", "get", lambda w: f"/api/v1/authorities/{x(w, 'private')}/",
            _expect(401, 404, 200)),
        Row("api library authority patch", "patch", lambda w: f"/api/v1/authorities/{x(w, 'library')}/",
            _expect(401, 403, 403, 200, lawyer=200), lambda w: {"court": "ECtHR"}),
        Row("api private authority patch", "patch", lambda w: f"/api/v1/authorities/{x(w, 'private')}/",
            _expect(401, 404, 200, **no_write), lambda w: {"court": "Meshchansky District Court"}),
        Row("api authority history", "get", lambda w: f"/api/v1/authorities/{x(w, 'private')}/history/",
            _expect(401, 404, 200)),
        Row("api table of authorities", "get",
            lambda w: f"/api/v1/cases/{w.case.pk}/documents/table-of-authorities.docx", _expect(401, 404, 200, **docs)),
        # --- API: requests
        Row("api request kinds", "get", lambda w: "/api/v1/request-kinds/", _expect(401, 200, 200)),
        Row("api requests list", "get", lambda w: "/api/v1/requests/", _expect(401, 200, 200)),
        Row("api requests by hidden case", "get", lambda w: f"/api/v1/requests/?case={w.trashed_case.pk}",
            _expect(401, 200, 200)),
        Row("api request create", "post", lambda w: "/api/v1/requests/", _expect(401, 400, 201, **no_write),
            lambda w: {"case": w.case.pk, "kind": "ru-59fz-appeal", "addressee": "Roskomnadzor"}),
        Row("api request detail", "get", lambda w: f"/api/v1/requests/{x(w, 'request')}/", _expect(401, 404, 200)),
        Row("api request patch", "patch", lambda w: f"/api/v1/requests/{x(w, 'request')}/",
            _expect(401, 404, 200, **no_write), lambda w: {"extended": True}),
        Row("api request delete", "delete", lambda w: f"/api/v1/requests/{x(w, 'request')}/",
            _expect(401, 404, 204, **no_write)),
        Row("api request history", "get", lambda w: f"/api/v1/requests/{x(w, 'request')}/history/",
            _expect(401, 404, 200)),
        Row("api request letter", "get", lambda w: f"/api/v1/requests/{x(w, 'request')}/letter.docx",
            _expect(401, 404, 200, **docs)),
        Row("api request reply without a file", "post", lambda w: f"/api/v1/requests/{x(w, 'request')}/reply/",
            _expect(401, 404, 400, **no_write), lambda w: {"replied_on": "2026-01-20"}),
        # --- API: tasks, my work, caseload
        Row("api tasks list", "get", lambda w: "/api/v1/tasks/", _expect(401, 200, 200)),
        Row("api my tasks", "get", lambda w: "/api/v1/tasks/?assignee=me", _expect(401, 200, 200)),
        Row("api task create", "post", lambda w: "/api/v1/tasks/", _expect(401, 400, 201, **no_write),
            lambda w: {"case": w.case.pk, "title": "Draft the application", "assignee": "lawyer"}),
        Row("api task detail", "get", lambda w: f"/api/v1/tasks/{x(w, 'task')}/", _expect(401, 404, 200)),
        Row("api task done (assignee may)", "patch", lambda w: f"/api/v1/tasks/{x(w, 'task')}/",
            _expect(401, 404, 200, observer=403, coordinator=403), lambda w: {"done": True}),
        Row("api task patch", "patch", lambda w: f"/api/v1/tasks/{x(w, 'task')}/",
            _expect(401, 404, 200, **no_write), lambda w: {"title": "Renamed"}),
        Row("api task delete", "delete", lambda w: f"/api/v1/tasks/{x(w, 'task')}/",
            _expect(401, 404, 204, **no_write)),
        Row("api task history", "get", lambda w: f"/api/v1/tasks/{x(w, 'task')}/history/", _expect(401, 404, 200)),
        Row("api my work", "get", lambda w: "/api/v1/my-work/", _expect(401, 200, 200)),
        Row("api caseload", "get", lambda w: "/api/v1/caseload/", _expect(401, 200, 200)),
        # --- pages
        Row("page my work", "get", lambda w: "/work/", _expect(302, 200, 200), api=False),
        Row("page caseload", "get", lambda w: "/caseload/", _expect(302, 200, 200), api=False),
        Row("page claim new", "get", lambda w: f"/cases/{w.case.pk}/claims/new/", _expect(302, 404, 200, **no_write),
            api=False),
        Row("page claim", "get", lambda w: f"/claims/{x(w, 'claim')}/", _expect(302, 404, 200), api=False),
        Row("page claim edit", "get", lambda w: f"/claims/{x(w, 'claim')}/edit/", _expect(302, 404, 200, **no_write),
            api=False),
        Row("page claim delete", "get", lambda w: f"/claims/{x(w, 'claim')}/delete/",
            _expect(302, 404, 200, **no_write), api=False),
        Row("page cite", "post", lambda w: f"/claims/{x(w, 'claim')}/cite/", _expect(302, 404, 302, **no_write),
            lambda w: {"authority": x(w, "library"), "pinpoint": "§ 91"}, api=False),
        Row("page citation remove", "post", lambda w: f"/citations/{x(w, 'citation')}/remove/",
            _expect(302, 404, 302, **no_write), api=False),
        Row("page authorities", "get", lambda w: "/authorities/", _expect(302, 200, 200), api=False),
        Row("page authority new", "get", lambda w: "/authorities/new/", _expect(302, 403, 200, **no_write),
            api=False),
        Row("page library authority", "get", lambda w: f"/authorities/{x(w, 'library')}/", _expect(302, 200, 200),
            api=False),
        Row("page private authority", "get", lambda w: f"/authorities/{x(w, 'private')}/", _expect(302, 404, 200),
            api=False),
        Row("page library authority edit", "get", lambda w: f"/authorities/{x(w, 'library')}/edit/",
            _expect(302, 403, 403, 200, lawyer=200), api=False),
        Row("page requests", "get", lambda w: "/requests/", _expect(302, 200, 200), api=False),
        Row("page request new (pick a case)", "get", lambda w: "/requests/new/", _expect(302, 200, 200), api=False),
        Row("page request new", "get", lambda w: f"/requests/new/?case={w.case.pk}",
            _expect(302, 404, 200, **no_write), api=False),
        Row("page request", "get", lambda w: f"/requests/{x(w, 'request')}/", _expect(302, 404, 200), api=False),
        Row("page request edit", "get", lambda w: f"/requests/{x(w, 'request')}/edit/",
            _expect(302, 404, 200, **no_write), api=False),
        Row("page request delete", "get", lambda w: f"/requests/{x(w, 'request')}/delete/",
            _expect(302, 404, 200, **no_write), api=False),
        Row("page request reply without a file", "post", lambda w: f"/requests/{x(w, 'request')}/reply/",
            _expect(302, 404, 302, **no_write), lambda w: {"replied_on": "2026-01-20"}, api=False),
        Row("page tasks", "get", lambda w: "/tasks/", _expect(302, 200, 200), api=False),
        Row("page task new", "get", lambda w: f"/tasks/new/?case={w.case.pk}", _expect(302, 404, 200, **no_write),
            api=False),
        Row("page task", "get", lambda w: f"/tasks/{x(w, 'task')}/", _expect(302, 404, 200), api=False),
        Row("page task edit", "get", lambda w: f"/tasks/{x(w, 'task')}/edit/", _expect(302, 404, 200, **no_write),
            api=False),
        Row("page task done (assignee may)", "post", lambda w: f"/tasks/{x(w, 'task')}/done/",
            _expect(302, 404, 302, observer=403, coordinator=403), lambda w: {"done": "1"}, api=False),
        Row("page task delete", "post", lambda w: f"/tasks/{x(w, 'task')}/delete/",
            _expect(302, 404, 302, **no_write), api=False),
    ]
