"""What a refused write must leave as it was: every row access depends on (read straight from the database),
the object-permission rows included."""
from __future__ import annotations

from cases import models as cm
from evidence.models import CaseExhibit, EvidenceItem


def _rows(qs, *fields) -> list:
    return sorted(qs.values_list(*fields))


def db_state() -> tuple:
    shares = getattr(cm, "IncidentShare", None)  # absent before issue 13 (shares were bare guardian rows)
    return (
        _rows(cm.Case.objects.all(), "pk", "deleted_at"),
        _rows(cm.CaseMembership.objects.all(), "case_id", "user_id", "role"),
        _rows(cm.Incident.objects.all(), "pk", "deleted_at", *(["owner_id"] if hasattr(cm.Incident, "owner") else [])),
        _rows(cm.Incident.cases.through.objects.all(), "incident_id", "case_id"),
        _rows(shares.objects.all(), "incident_id", "user_id", "can_edit") if shares else [],
        _rows(cm.CaseUserObjectPermission.objects.all(), "content_object_id", "user_id", "permission__codename"),
        _rows(cm.IncidentUserObjectPermission.objects.all(), "content_object_id", "user_id", "permission__codename"),
        _rows(cm.Party.objects.all(), "case_id", "person_id"),
        _rows(cm.IncidentPerson.objects.all(), "incident_id", "person_id"),
        sorted((p.pk, p.real_name) for p in cm.Person.objects.all()),
        _rows(EvidenceItem.objects.all(), "pk", "restricted", "deleted_at"),
        _rows(CaseExhibit.objects.filter(removed_at__isnull=True), "case_id", "item_id"),
        _rows(EvidenceItem.incidents.through.objects.all(), "evidenceitem_id", "incident_id"),
    )
