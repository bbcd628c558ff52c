"""What a refused write must leave as it was: every row access depends on (read straight from the database)."""
from __future__ import annotations

from cases.models import Case, CaseMembership, Incident, IncidentPerson, IncidentShare, Party, Person
from evidence.models import CaseExhibit, EvidenceItem


def db_state() -> tuple:
    def rows(qs, *fields):
        return sorted(qs.values_list(*fields))

    return (
        rows(Case.objects.all(), "pk", "deleted_at"),
        rows(CaseMembership.objects.all(), "case_id", "user_id", "role"),
        rows(Incident.objects.all(), "pk", "deleted_at", *(["owner_id"] if hasattr(Incident, "owner") else [])),
        rows(Incident.cases.through.objects.all(), "incident_id", "case_id"),
        rows(IncidentShare.objects.all(), "incident_id", "user_id", "can_edit")
        if IncidentShare is not None else [],
        rows(Party.objects.all(), "case_id", "person_id"),
        rows(IncidentPerson.objects.all(), "incident_id", "person_id"),
        sorted((p.pk, p.real_name) for p in Person.objects.all()),
        rows(EvidenceItem.objects.all(), "pk", "restricted", "deleted_at"),
        rows(CaseExhibit.objects.filter(removed_at__isnull=True), "case_id", "item_id"),
        rows(EvidenceItem.incidents.through.objects.all(), "evidenceitem_id", "incident_id"),
    )
