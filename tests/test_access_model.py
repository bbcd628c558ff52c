"""The access model, tested against a reference model (issue 13; docs/access-model.md is the rule book).

A hypothesis ``RuleBasedStateMachine`` drives the real HTTP API (DRF's APIClient, one per user) through random
sequences of writes by three ordinary users, and after every step compares what each user sees through the API
with a small reference model written from docs/access-model.md (``tests/access_model/``: pure Python, it never
calls ``cases.permissions``). Refused writes must be predicted by the model (404 hidden, 403 visible but not
allowed, 400 a body naming what is not there or a forbidden state) and must change nothing in the database.

What the model covers
- Writes, in any order, by any of the three users: create cases; add, change and remove members with every role
  (lead, lawyer, researcher, coordinator, observer); trash, restore and purge cases; log incidents, linked to a
  case or not; link an incident to a case and take it off one (its last one included: it lands with whoever did
  it); share and unshare unlinked incidents, with or without edit; trash, restore and purge incidents; create
  persons (pseudonym and real name); add a person to a case as a party and to an incident; edit a person's real
  name; upload evidence, restricted or not, to a case or an incident; link evidence to a case or an incident.
- After every step, for every user: the ids in the case, incident, person and evidence lists and the trash; which
  case ids each listed incident shows; whether each listed person's real name is shown; ``can_download`` and
  ``can_edit`` of each evidence item; search results (ids) for a word in every title, for a word only in real
  names (persons whose identity the user may read) and for a word only in evidence files (items the user may
  download); that no search snippet of an item the user may not download quotes its file text.
- As steps hypothesis chooses: every object's detail (200 or 404) for one user, the case and incident history
  (200 or 404), privileged notes, the real name on the person's page, the derived data (extracted text length,
  metadata) of evidence and its download (200 or 404), the exhibit list document (200, 403 or 404); the ``case=``
  filter of incidents, evidence and search (a hidden case answers exactly as a missing one); the incident history
  records every share and unshare.

What it does not cover
- Superusers, staff and the admin, inactive users, two-factor cases, tokens (every client is authenticated with
  ``force_authenticate``); pages (HTML views), except through the services they share with the API.
- Proceedings, party roles other than claimant, organisation parties, removing parties or incident persons,
  unlinking evidence, evidence trash, person merge and erasure, legal hold; deadlines and the calendar feed,
  claims, authorities, requests and tasks; the PDF documents and bundles; import, export, statistics, the map and
  intake.
- Field contents beyond access (titles, dates, versions), history contents beyond shares, custody log contents,
  search ranking (see tests/search/test_no_oracles.py for order and scores with and without hidden documents).

Run longer with ``DOCKET_MODEL_EXAMPLES`` (examples, default 8) and ``DOCKET_MODEL_STEPS`` (steps per example,
default 25); ``DOCKET_MODEL_SEED`` fixes the seed. In CI (``CI`` or ``DOCKET_REQUIRE_SYSTEM_TOOLS`` set, as
``.ci/run`` does) the examples are derandomized, so a run is repeatable.
"""
from __future__ import annotations

import os
import time

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import TestCase
from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from rest_framework.test import APIClient

from tests.access_model.snapshot import db_state
from tests.access_model.views import FILE, MARK, REAL, check_case_filter, check_details, check_lists
from tests.access_model.writes import Model

USERS = ("ana", "boris", "vera")
ROLES = ("lead", "lawyer", "researcher", "coordinator", "observer")
EXAMPLES = int(os.environ.get("DOCKET_MODEL_EXAMPLES", "8"))
STEPS = int(os.environ.get("DOCKET_MODEL_STEPS", "25"))

users = st.sampled_from(USERS)
User = get_user_model()


class AccessMachine(RuleBasedStateMachine):
    cases = Bundle("cases")
    incidents = Bundle("incidents")
    persons = Bundle("persons")
    evidence = Bundle("evidence")

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()  # one savepoint per example, rolled back in teardown
        self._atomic.__enter__()
        from search.backends import get_backend

        get_backend().clear()
        self.model = Model(users=USERS)
        self.api = {}
        for name in USERS:
            client = APIClient()
            client.force_authenticate(User.objects.create_user(name, f"{name}@example.org", "x" * 20))
            self.api[name] = client
        self.n = 0
        self.requests: dict[str, int] = {}
        self.changed = False  # since the lists were last compared
        self.unchecked_details = self.unchecked_filters = True  # changes since the details, filters were compared
        self.created: dict[str, list[int]] = {"cases": [], "incidents": [], "persons": [], "evidence": []}
        self.shared_events: dict[int, int] = {}  # incident -> share and unshare writes that succeeded

    def teardown(self):
        if os.environ.get("DOCKET_MODEL_DEBUG"):
            print("example:", {k: len(v) for k, v in self.created.items()}, "requests:", self.requests)
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- Talking to the API -------------------------------------------------------------------------------------
    def call(self, u: str, method: str, path: str, data=None, fmt: str | None = "json"):
        """One request as ``u``; indexing and extraction (scheduled on commit) run at its end, as in production."""
        key = method + " " + "/".join("#" if part.isdigit() else part for part in path.split("/"))
        started = time.perf_counter()
        with TestCase.captureOnCommitCallbacks(execute=True):
            if method == "get":
                response = self.api[u].get(path, data)
            else:
                response = getattr(self.api[u], method)(path, data, format=fmt)
        n, t = self.requests.get(key, (0, 0.0))
        self.requests[key] = (n + 1, round(t + time.perf_counter() - started, 3))
        assert response.status_code < 500, (method, path, response.status_code)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        return response

    def write(self, u: str, refusal, method: str, path: str, data=None, ok=(200, 201, 204), fmt="json"):
        """A write the model predicts: allowed (``refusal`` None) → one of ``ok``; refused → one of ``refusal``,
        and nothing changed."""
        before = db_state() if refusal else None
        response = self.call(u, method, path, data, fmt)
        detail = response.content[:300]
        if refusal:
            assert response.status_code in refusal, (u, method, path, data, response.status_code, detail)
            assert db_state() == before, f"a refused {method} {path} by {u} changed something"
        else:
            assert response.status_code in ok, (u, method, path, data, response.status_code, detail)
            self.changed = self.unchecked_details = self.unchecked_filters = True
        return response

    def next_n(self) -> int:
        self.n += 1
        return self.n

    # --- A starting world: a case with a second member, a person and an incident (the rules link them) ---------
    @initialize(target=cases, u=users, member=users, role=st.sampled_from(ROLES))
    def first_case(self, u, member, role):
        c = self.create_case(u)
        self.set_member(u, c, member, role)
        return c

    @initialize(target=persons, u=users)
    def first_person(self, u):
        return self.create_person(u)

    @initialize(target=incidents, u=users)
    def first_incident(self, u):
        return self.log_incident(u)

    # --- Cases and members --------------------------------------------------------------------------------------
    @rule(target=cases, u=users)
    def create_case(self, u):
        response = self.write(u, None, "post", "/api/v1/cases/", {
            "title": f"Case {MARK} {self.next_n()}", "privileged_notes": "strategy"})
        self.model.do_case_create(u, response.json()["id"])
        self.created["cases"].append(response.json()["id"])
        return response.json()["id"]

    @rule(actor=users, c=cases, user=users, role=st.sampled_from(ROLES))
    def set_member(self, actor, c, user, role):
        refusal = self.model.check_member_set(actor, c, user, role)
        self.write(actor, refusal, "post", f"/api/v1/cases/{c}/members/", {"username": user, "role": role})
        if refusal is None:
            self.model.do_member_set(actor, c, user, role)

    @rule(actor=users, c=cases, user=users)
    def remove_member(self, actor, c, user):
        refusal = self.model.check_member_remove(actor, c, user)
        self.write(actor, refusal, "delete", f"/api/v1/cases/{c}/members/{user}/")
        if refusal is None:
            self.model.do_member_remove(actor, c, user)

    @rule(u=users, c=cases)
    def trash_case(self, u, c):
        refusal = self.model.check_case_trash(u, c)
        self.write(u, refusal, "delete", f"/api/v1/cases/{c}/")
        if refusal is None:
            self.model.do_case_trash(u, c)

    @rule(u=users, c=cases)
    def restore_case(self, u, c):
        refusal = self.model.check_case_from_trash(u, c)
        self.write(u, refusal, "post", f"/api/v1/cases/{c}/restore/")
        if refusal is None:
            self.model.do_case_restore(u, c)

    @rule(u=users, c=cases)
    def purge_case(self, u, c):
        refusal = self.model.check_case_from_trash(u, c)
        self.write(u, refusal, "post", f"/api/v1/cases/{c}/purge/")
        if refusal is None:
            self.model.do_case_purge(u, c)

    # --- Incidents ----------------------------------------------------------------------------------------------
    def _create_incident(self, u, cases: list[int]):
        refusal = self.model.check_incident_create(u, cases)
        response = self.write(u, refusal, "post", "/api/v1/incidents/", {
            "title": f"Incident {MARK} {self.next_n()}", "occurred_at": "2025-03-01T10:00:00+03:00", "cases": cases})
        if refusal is not None:
            return multiple()
        self.model.do_incident_create(u, response.json()["id"], cases)
        self.created["incidents"].append(response.json()["id"])
        return response.json()["id"]

    @rule(target=incidents, u=users)
    def log_incident(self, u):
        return self._create_incident(u, [])

    @rule(target=incidents, u=users, c=cases)
    def log_incident_in_case(self, u, c):
        return self._create_incident(u, [c])

    def _set_cases(self, u, i, sent: set[int]):
        """PATCH {"cases": sent}. Per API.md, links to cases the caller may not edit stay as they are."""
        old = self.model.incidents[i].cases if i in self.model.incidents else set()
        kept = {c for c in old if "edit_incidents" not in self.model.case_perms(u, c)}
        new = sent | kept
        refusal = self.model.check_incident_cases(u, i, new)
        self.write(u, refusal, "patch", f"/api/v1/incidents/{i}/", {"cases": sorted(sent)})
        if refusal is None:
            self.model.do_incident_cases(u, i, new)

    @rule(u=users, i=incidents, c=cases)
    def link_incident(self, u, i, c):
        old = self.model.incidents[i].cases if i in self.model.incidents else set()
        self._set_cases(u, i, old | {c})

    @rule(u=users, i=incidents, c=cases)
    def unlink_incident(self, u, i, c):
        old = self.model.incidents[i].cases if i in self.model.incidents else set()
        self._set_cases(u, i, old - {c})

    @rule(u=users, i=incidents)
    def trash_incident(self, u, i):
        refusal = self.model.check_incident_trash(u, i)
        self.write(u, refusal, "delete", f"/api/v1/incidents/{i}/")
        if refusal is None:
            self.model.do_incident_trash(u, i)

    @rule(u=users, i=incidents)
    def restore_incident(self, u, i):
        refusal = self.model.check_incident_from_trash(u, i)
        self.write(u, refusal, "post", f"/api/v1/incidents/{i}/restore/")
        if refusal is None:
            self.model.do_incident_restore(u, i)

    @rule(u=users, i=incidents)
    def purge_incident(self, u, i):
        refusal = self.model.check_incident_from_trash(u, i)
        self.write(u, refusal, "post", f"/api/v1/incidents/{i}/purge/")
        if refusal is None:
            self.model.do_incident_purge(u, i)

    @rule(actor=users, i=incidents, user=users, can_edit=st.booleans())
    def share(self, actor, i, user, can_edit):
        refusal = self.model.check_share(actor, i, user)
        self.write(actor, refusal, "post", f"/api/v1/incidents/{i}/share/", {"username": user, "can_edit": can_edit})
        if refusal is None:
            self.model.do_share(actor, i, user, can_edit)
            self.shared_events[i] = self.shared_events.get(i, 0) + 1

    @rule(actor=users, i=incidents, user=users)
    def unshare(self, actor, i, user):
        refusal = self.model.check_share(actor, i, user, unshare=True)
        self.write(actor, refusal, "delete", f"/api/v1/incidents/{i}/share/", {"username": user})
        if refusal is None:
            self.model.do_unshare(actor, i, user)
            self.shared_events[i] = self.shared_events.get(i, 0) + 1

    # --- Persons ------------------------------------------------------------------------------------------------
    @rule(target=persons, u=users)
    def create_person(self, u):
        n = self.next_n()
        response = self.write(u, None, "post", "/api/v1/persons/", {
            "pseudonym": f"Witness {MARK} {n}", "real_name": f"{REAL} Petrova {n}", "contacts": "+7 900 000 00 00"})
        self.model.do_person_create(u, response.json()["id"])
        self.created["persons"].append(response.json()["id"])
        return response.json()["id"]

    @rule(u=users, c=cases, p=persons)
    def add_party(self, u, c, p):
        refusal = self.model.check_party_add(u, c, p)
        self.write(u, refusal, "post", f"/api/v1/cases/{c}/parties/", {"role": "claimant", "person": p})
        if refusal is None:
            self.model.do_party_add(u, c, p)

    @rule(u=users, i=incidents, p=persons)
    def add_involvement(self, u, i, p):
        refusal = self.model.check_involvement_add(u, i, p)
        self.write(u, refusal, "post", f"/api/v1/incidents/{i}/persons/", {"person": p, "part": "affected"})
        if refusal is None:
            self.model.do_involvement_add(u, i, p)

    @rule(u=users, p=persons)
    def edit_real_name(self, u, p):
        refusal = self.model.check_person_edit_identity(u, p)
        self.write(u, refusal, "patch", f"/api/v1/persons/{p}/", {"real_name": f"{REAL} Edited {self.next_n()}"})

    # --- Evidence -----------------------------------------------------------------------------------------------
    def _upload(self, u, c, i, restricted):
        refusal = self.model.check_upload(u, c, i)
        n = self.next_n()
        data = {"file": SimpleUploadedFile(f"statement-{n}.txt", f"{FILE} statement number {n}\n".encode()),
                "title": f"Exhibit {MARK} {n}", "restricted": "true" if restricted else "false"}
        data.update({"case": c} if c is not None else {"incident": i})
        response = self.write(u, refusal, "post", "/api/v1/evidence/", data, fmt="multipart")
        if refusal is not None:
            return multiple()
        self.model.do_upload(u, response.json()["id"], c, i, restricted)
        self.created["evidence"].append(response.json()["id"])
        return response.json()["id"]

    @rule(target=evidence, u=users, c=cases, restricted=st.booleans())
    def upload_to_case(self, u, c, restricted):
        return self._upload(u, c, None, restricted)

    @rule(target=evidence, u=users, i=incidents, restricted=st.booleans())
    def upload_to_incident(self, u, i, restricted):
        return self._upload(u, None, i, restricted)

    @rule(u=users, e=evidence, c=cases)
    def link_evidence_to_case(self, u, e, c):
        refusal = self.model.check_evidence_link(u, e, c, None)
        self.write(u, refusal, "post", f"/api/v1/evidence/{e}/link/", {"case": c})
        if refusal is None:
            self.model.do_evidence_link(u, e, c, None)

    @rule(u=users, e=evidence, i=incidents)
    def link_evidence_to_incident(self, u, e, i):
        refusal = self.model.check_evidence_link(u, e, None, i)
        self.write(u, refusal, "post", f"/api/v1/evidence/{e}/link/", {"incident": i})
        if refusal is None:
            self.model.do_evidence_link(u, e, None, i)

    # --- What every user sees, after every step -----------------------------------------------------------------
    @invariant()
    def every_view_matches_the_model(self):
        """After a refused write nothing changed (``write`` checks the database), so neither did any view."""
        if self.changed:
            for u in USERS:
                check_lists(self, u)
            self.changed = False

    @precondition(lambda self: self.unchecked_details)
    @rule(u=users)
    def details_match_the_model(self, u):
        check_details(self, u)
        self.unchecked_details = False

    @precondition(lambda self: self.unchecked_filters)
    @rule(u=users, c=cases)
    def case_filter_is_no_oracle(self, u, c):
        check_case_filter(self, u, c)
        self.unchecked_filters = False


@pytest.mark.django_db
def test_access_model(data_dir):
    """After every step of any sequence of writes, every user's view through the API is the reference model's."""
    options = settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
        derandomize=bool(os.environ.get("CI") or os.environ.get("DOCKET_REQUIRE_SYSTEM_TOOLS"))
        and "DOCKET_MODEL_SEED" not in os.environ,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    machine = AccessMachine
    if "DOCKET_MODEL_SEED" in os.environ:
        machine = seed(int(os.environ["DOCKET_MODEL_SEED"]))(AccessMachine)
    run_state_machine_as_test(machine, settings=options)
