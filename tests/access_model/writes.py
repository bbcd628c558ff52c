"""The writes of the reference model: for each, ``check_*`` predicts the API's answer (``None`` allowed, else the
status codes a refusal may carry) in the order of docs/access-model.md, and ``do_*`` applies it to the model."""
from __future__ import annotations

from tests.access_model.model import (
    BAD,
    BODY_HIDDEN,
    FORBIDDEN,
    HIDDEN,
    Case,
    Evidence,
    Incident,
    Person,
    World,
)

Refusal = frozenset[int] | None


class Model(World):
    # --- Cases and members ------------------------------------------------------------------------------------
    def do_case_create(self, u: str, c: int) -> None:
        self.cases[c] = Case(members={u: "lead"})

    def check_member_set(self, actor: str, c: int, user: str, role: str) -> Refusal:
        refused = self._case_target(actor, c, "manage_members")
        if refused:
            return refused
        members = self.cases[c].members
        if members.get(user) == "lead" and role != "lead" and self._leads_other_than(c, user) == 0:
            return BAD  # a case keeps at least one lead
        return None

    def do_member_set(self, actor: str, c: int, user: str, role: str) -> None:
        self.cases[c].members[user] = role

    def check_member_remove(self, actor: str, c: int, user: str) -> Refusal:
        refused = self._case_target(actor, c, "manage_members")
        if refused:
            return refused
        members = self.cases[c].members
        if user not in members or (members[user] == "lead" and self._leads_other_than(c, user) == 0):
            return BAD
        return None

    def do_member_remove(self, actor: str, c: int, user: str) -> None:
        del self.cases[c].members[user]

    def _leads_other_than(self, c: int, user: str) -> int:
        return sum(1 for u, role in self.cases[c].members.items() if role == "lead" and u != user)

    # --- Case trash, restore, purge -----------------------------------------------------------------------------
    def check_case_trash(self, u: str, c: int) -> Refusal:
        return self._case_target(u, c, "delete_case")  # a case already in the trash is hidden from everyone

    def do_case_trash(self, u: str, c: int) -> None:
        self.cases[c].trashed = True

    def check_case_from_trash(self, u: str, c: int) -> Refusal:
        """Restore or purge: only a lead of a case in the trash."""
        case = self.cases.get(c)
        if case is None or u not in case.members:
            return HIDDEN
        if not case.trashed:
            return BAD if case.members[u] == "lead" else FORBIDDEN
        # In the trash, the case grants nothing but to its leads: other members get 404 (or 403, as members).
        return None if case.members[u] == "lead" else HIDDEN | FORBIDDEN

    def do_case_restore(self, u: str, c: int) -> None:
        self.cases[c].trashed = False

    def do_case_purge(self, u: str, c: int) -> None:
        """Parties and exhibits go with the case; an incident that loses its last link lands with ``u``."""
        del self.cases[c]
        for person in self.persons.values():
            person.parties.discard(c)
        for item in self.evidence.values():
            item.cases.discard(c)
        for inc in self.incidents.values():
            if c in inc.cases:
                inc.cases.discard(c)
                if not inc.cases:
                    self._lands_with(inc, u)

    @staticmethod
    def _lands_with(inc: Incident, u: str) -> None:
        inc.owner = u
        inc.shares.clear()

    # --- Incidents --------------------------------------------------------------------------------------------
    def check_incident_create(self, u: str, cases: list[int]) -> Refusal:
        for c in cases:
            if "edit_incidents" not in self.case_perms(u, c):
                return BODY_HIDDEN if "view_case" not in self.case_perms(u, c) else BAD | FORBIDDEN
        return None

    def do_incident_create(self, u: str, i: int, cases: list[int]) -> None:
        self.incidents[i] = Incident(creator=u, owner=u, cases=set(cases))

    def check_incident_cases(self, u: str, i: int, new: set[int]) -> Refusal:
        """PATCH {"cases": new}: ``edit_incidents`` on each case added or removed; adding one, or taking the
        incident off its last case, moves it (``move_incident``)."""
        refused = self._incident_target(u, i, "change_incident")
        if refused:
            return refused
        old = self.incidents[i].cases
        if new == old:
            return None  # nothing to change
        for c in sorted((new - old) | (old - new)):
            if "edit_incidents" not in self.case_perms(u, c):
                return BODY_HIDDEN if "view_case" not in self.case_perms(u, c) else BAD | FORBIDDEN
        if (new - old or not new) and "move_incident" not in self.incident_perms(u, i):
            return FORBIDDEN
        return None

    def do_incident_cases(self, u: str, i: int, new: set[int]) -> None:
        inc = self.incidents[i]
        had = bool(inc.cases)
        inc.cases = set(new)
        if had and not new:
            self._lands_with(inc, u)

    def check_incident_trash(self, u: str, i: int) -> Refusal:
        return self._incident_target(u, i, "delete_incident")

    def do_incident_trash(self, u: str, i: int) -> None:
        self.incidents[i].trashed = True

    def check_incident_from_trash(self, u: str, i: int) -> Refusal:
        perms = self.incident_base_perms(u, i)
        if "view_incident" not in perms:
            return HIDDEN
        if "delete_incident" not in perms:
            return FORBIDDEN
        return None if self.incidents[i].trashed else BAD

    def do_incident_restore(self, u: str, i: int) -> None:
        self.incidents[i].trashed = False

    def do_incident_purge(self, u: str, i: int) -> None:
        del self.incidents[i]
        for person in self.persons.values():
            person.involvements.discard(i)
        for item in self.evidence.values():
            item.incidents.discard(i)

    def check_share(self, actor: str, i: int, user: str, *, unshare: bool = False) -> Refusal:
        """Only the owner shares an incident linked to no case (and unshares it)."""
        if "view_incident" not in self.incident_perms(actor, i):
            return HIDDEN
        inc = self.incidents[i]
        if inc.cases:
            return BAD
        if inc.owner != actor:
            return FORBIDDEN
        if user == inc.owner or (unshare and user not in inc.shares):
            return BAD
        return None

    def do_share(self, actor: str, i: int, user: str, can_edit: bool) -> None:
        self.incidents[i].shares[user] = can_edit

    def do_unshare(self, actor: str, i: int, user: str) -> None:
        del self.incidents[i].shares[user]

    # --- Persons ----------------------------------------------------------------------------------------------
    def do_person_create(self, u: str, p: int) -> None:
        self.persons[p] = Person(creator=u)

    def check_person_edit_identity(self, u: str, p: int) -> Refusal:
        perms = self.person_perms(u, p)
        if "view" not in perms:
            return HIDDEN
        return None if {"edit", "identity"} <= perms else FORBIDDEN

    def _person_link(self, u: str, p: int, already_in: bool, target_cases: set[int] | None) -> Refusal:
        """A person named in a body: hidden is 404, or the 400 of a missing one."""
        perms = self.person_perms(u, p) if p in self.persons else frozenset()
        if "view" not in perms:
            return BODY_HIDDEN
        person = self.persons[p]
        if person.creator != u and "identity" not in perms:
            return FORBIDDEN
        holding = self.person_holding_cases(p)
        if self._adds_audience(holding, already_in, target_cases) and not self.movable(
                u, holding, set(person.involvements), person.creator):
            return FORBIDDEN
        return None

    def check_party_add(self, u: str, c: int, p: int) -> Refusal:
        refused = self._case_target(u, c, "change_case")
        if refused:
            return refused
        return self._person_link(u, p, False, {c})

    def do_party_add(self, u: str, c: int, p: int) -> None:
        self.persons[p].parties.add(c)

    def check_involvement_add(self, u: str, i: int, p: int) -> Refusal:
        refused = self._incident_target(u, i, "change_incident")
        if refused:
            return refused
        if p not in self.persons:
            return BODY_HIDDEN
        already = i in self.persons[p].involvements
        refused = self._person_link(u, p, already, set(self.incidents[i].cases))
        if refused is None and already:
            return BAD  # recorded in this part already
        return refused

    def do_involvement_add(self, u: str, i: int, p: int) -> None:
        self.persons[p].involvements.add(i)

    # --- Evidence ---------------------------------------------------------------------------------------------
    def check_upload(self, u: str, c: int | None, i: int | None) -> Refusal:
        if c is not None:
            refused = self._case_target(u, c, "edit_evidence")
            if refused:
                return refused
        if i is not None:
            return self._incident_target(u, i, "change_incident")
        return None

    def do_upload(self, u: str, e: int, c: int | None, i: int | None, restricted: bool) -> None:
        self.evidence[e] = Evidence(creator=u, restricted=restricted, cases={c} - {None}, incidents={i} - {None})

    def check_evidence_link(self, u: str, e: int, c: int | None, i: int | None) -> Refusal:
        perms = self.evidence_perms(u, e) if e in self.evidence else frozenset()
        if "view" not in perms:
            return HIDDEN
        if "edit" not in perms:
            return FORBIDDEN  # the item is visible but not theirs to link (nor to move)
        item = self.evidence[e]
        if c is not None:  # the target is named in the body: hidden is 404, or the 400 of a missing one
            refused = self._case_target(u, c, "edit_evidence")
            already, target_cases = False, {c}
        else:
            refused = self._incident_target(u, i, "change_incident")
            already, target_cases = i in item.incidents, set(self.incidents[i].cases) if i in self.incidents else None
        refused = BODY_HIDDEN if refused == HIDDEN else refused
        if refused:
            return refused
        holding = self.evidence_holding_cases(e)
        if self._adds_audience(holding, already, target_cases) and not self.movable(
                u, holding, set(item.incidents), item.creator):
            return FORBIDDEN
        return None

    def do_evidence_link(self, u: str, e: int, c: int | None, i: int | None) -> None:
        if c is not None:
            self.evidence[e].cases.add(c)
        else:
            self.evidence[e].incidents.add(i)
