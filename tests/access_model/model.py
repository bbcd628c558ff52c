"""A small reference model of docs/access-model.md: who may see, read and change what.

Pure Python, written from the rule book alone (it never calls ``cases.permissions`` or any other Docket code), so
that ``tests/test_access_model.py`` can compare every user's view through the API with it after every step.
Objects are keyed by their database ids; the model holds only what access depends on: members and roles, case
links, owners and shares of incidents, parties and involvements of persons, exhibits and incident links of
evidence, the restricted flag, and what is in the trash. Superusers, inactive users and two-factor cases are not
modelled (see the test module's docstring for the full list of what is and is not covered).

Every ``check_*`` method predicts the answer to a write, in the order the rule book gives: ``None`` when it is
allowed, else the set of status codes the refusal may carry (404 hidden, 403 visible but not allowed, 400 a body
naming something that is not there or a state that forbids it). The matching ``do_*`` method applies an allowed
write to the model.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# docs/access-model.md, "Roles on a case".
_ALL = {"view_case", "change_case", "delete_case", "manage_members", "move_out", "view_privileged",
        "view_identities", "edit_incidents", "edit_evidence", "download_restricted", "generate_documents",
        "edit_deadlines"}
ROLE_PERMS: dict[str, frozenset[str]] = {
    "lead": frozenset(_ALL),
    "lawyer": frozenset(_ALL - {"delete_case", "manage_members", "move_out"}),
    "researcher": frozenset({"view_case", "view_identities", "edit_incidents", "edit_evidence",
                             "download_restricted"}),
    "coordinator": frozenset({"view_case", "view_identities", "download_restricted", "generate_documents"}),
    "observer": frozenset({"view_case"}),
}
# "Incidents": a linked incident's permissions come from its live cases.
INCIDENT_FROM_CASE = {"view_incident": "view_case", "change_incident": "edit_incidents",
                      "delete_incident": "edit_incidents", "view_incident_identities": "view_identities",
                      "move_incident": "move_out"}
OWNER = frozenset(INCIDENT_FROM_CASE)
SHARED = frozenset({"view_incident", "view_incident_identities"})
SHARED_EDIT = SHARED | {"change_incident"}

HIDDEN = frozenset({404})
FORBIDDEN = frozenset({403})
BAD = frozenset({400})
BODY_HIDDEN = frozenset({400, 404})  # a hidden object named in a body: the same 400 as a missing one, or 404


@dataclass
class Case:
    members: dict[str, str]
    trashed: bool = False


@dataclass
class Incident:
    creator: str
    owner: str
    cases: set[int] = field(default_factory=set)  # live or trashed
    shares: dict[str, bool] = field(default_factory=dict)  # user -> with edit
    trashed: bool = False


@dataclass
class Person:
    creator: str
    parties: set[int] = field(default_factory=set)  # cases where the person is a party
    involvements: set[int] = field(default_factory=set)  # incidents


@dataclass
class Evidence:
    creator: str
    restricted: bool
    cases: set[int] = field(default_factory=set)  # live exhibits (the case itself may be in the trash)
    incidents: set[int] = field(default_factory=set)


@dataclass
class World:
    users: tuple[str, ...]
    cases: dict[int, Case] = field(default_factory=dict)
    incidents: dict[int, Incident] = field(default_factory=dict)
    persons: dict[int, Person] = field(default_factory=dict)
    evidence: dict[int, Evidence] = field(default_factory=dict)

    # --- Cases ------------------------------------------------------------------------------------------------
    def case_perms(self, u: str, c: int) -> frozenset[str]:
        """A case in the trash (or purged) grants nothing."""
        case = self.cases.get(c)
        if case is None or case.trashed or u not in case.members:
            return frozenset()
        return ROLE_PERMS[case.members[u]]

    def is_lead(self, u: str, c: int) -> bool:
        case = self.cases.get(c)
        return case is not None and case.members.get(u) == "lead"

    def visible_cases(self, u: str) -> set[int]:
        return {c for c in self.cases if "view_case" in self.case_perms(u, c)}

    def live(self, c: int) -> bool:
        return c in self.cases and not self.cases[c].trashed

    # --- Incidents --------------------------------------------------------------------------------------------
    def incident_base_perms(self, u: str, i: int) -> frozenset[str]:
        """The incident's permissions, leaving its own trash aside (what restore and purge need)."""
        inc = self.incidents.get(i)
        if inc is None:
            return frozenset()
        if inc.cases:  # linked, to a live case or one in the trash: reached through live cases only
            held: set[str] = set()
            for c in inc.cases:
                perms = self.case_perms(u, c)
                held |= {ip for ip, cp in INCIDENT_FROM_CASE.items() if cp in perms}
            return frozenset(held)
        if inc.owner == u:
            return OWNER
        if u in inc.shares:
            return SHARED_EDIT if inc.shares[u] else SHARED
        return frozenset()

    def incident_perms(self, u: str, i: int) -> frozenset[str]:
        """An incident in the trash grants nothing to anyone."""
        inc = self.incidents.get(i)
        if inc is None or inc.trashed:
            return frozenset()
        return self.incident_base_perms(u, i)

    def visible_incidents(self, u: str) -> set[int]:
        return {i for i in self.incidents if "view_incident" in self.incident_perms(u, i)}

    def trash(self, u: str) -> tuple[set[int], set[int]]:
        """Trashed cases u leads; trashed incidents u may delete."""
        cases = {c for c, case in self.cases.items() if case.trashed and case.members.get(u) == "lead"}
        incidents = {i for i, inc in self.incidents.items()
                     if inc.trashed and "delete_incident" in self.incident_base_perms(u, i)}
        return cases, incidents

    # --- Evidence ---------------------------------------------------------------------------------------------
    def evidence_perms(self, u: str, e: int) -> frozenset[str]:
        item = self.evidence[e]
        case_perms = [self.case_perms(u, c) for c in item.cases]
        inc_perms = {i: self.incident_perms(u, i) for i in item.incidents}
        view = any("view_case" in p for p in case_perms) or any("view_incident" in p for p in inc_perms.values())
        edit = any("edit_evidence" in p for p in case_perms) or any(
            "change_incident" in p for p in inc_perms.values())
        held = {"view"} if view else set()
        if edit:
            held.add("edit")
        if view:
            ok = not item.restricted or any("download_restricted" in p for p in case_perms)
            for i, perms in inc_perms.items():
                if not perms:
                    continue  # an incident in the trash (or hidden) reaches nothing
                cases = self.incidents[i].cases
                ok = ok or any("download_restricted" in self.case_perms(u, c) for c in cases)
                ok = ok or (not cases and "change_incident" in perms)
            if ok:
                held.add("download")
        return frozenset(held)

    def visible_evidence(self, u: str) -> set[int]:
        return {e for e in self.evidence if "view" in self.evidence_perms(u, e)}

    # --- Persons ----------------------------------------------------------------------------------------------
    def in_nothing(self, p: int) -> bool:
        person = self.persons[p]
        return not person.parties and not person.involvements

    def person_perms(self, u: str, p: int) -> frozenset[str]:
        person = self.persons[p]
        held: set[str] = set()
        for c in person.parties:
            perms = self.case_perms(u, c)
            held |= {name for name, need in (("view", "view_case"), ("identity", "view_identities"),
                                              ("edit", "edit_incidents")) if need in perms}
        for i in person.involvements:
            perms = self.incident_perms(u, i)
            held |= {name for name, need in (("view", "view_incident"), ("identity", "view_incident_identities"),
                                              ("edit", "change_incident")) if need in perms}
        if person.creator == u and self.in_nothing(p):
            held |= {"view", "identity", "edit"}
        return frozenset(held)

    def visible_persons(self, u: str) -> set[int]:
        return {p for p in self.persons if "view" in self.person_perms(u, p)}

    # --- Links: no transitive grants ("Links", rule 3) ----------------------------------------------------------
    def person_holding_cases(self, p: int) -> set[int]:
        person = self.persons[p]
        return set(person.parties) | {c for i in person.involvements for c in self.incidents[i].cases}

    def evidence_holding_cases(self, e: int) -> set[int]:
        item = self.evidence[e]
        return set(item.cases) | {c for i in item.incidents for c in self.incidents[i].cases}

    def movable(self, u: str, holding_cases: set[int], holding_incidents: set[int], creator: str) -> bool:
        if holding_cases:
            return any("move_out" in self.case_perms(u, c) for c in holding_cases)
        if holding_incidents:
            return any(self.incidents[i].owner == u for i in holding_incidents)
        return creator == u

    def _adds_audience(self, holding: set[int], already_in_target: bool, target_cases: set[int] | None) -> bool:
        """A target adds no audience when the thing is in it already, or when it is a case that holds the thing,
        or an incident with cases that all hold it. (The rule book says "every live case of the target"; a case in
        the trash counts here too, since a restore would show the thing to its members.)"""
        if already_in_target:
            return False
        return not target_cases or not target_cases <= holding

    def _case_target(self, u: str, c: int, perm: str) -> frozenset[int] | None:
        perms = self.case_perms(u, c)
        if "view_case" not in perms:
            return HIDDEN
        return None if perm in perms else FORBIDDEN

    def _incident_target(self, u: str, i: int, perm: str) -> frozenset[int] | None:
        perms = self.incident_perms(u, i)
        if "view_incident" not in perms:
            return HIDDEN
        return None if perm in perms else FORBIDDEN
