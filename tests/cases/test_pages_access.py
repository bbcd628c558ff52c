"""Pages by role: allowed/denied pairs. Outsiders get 404 and nothing is written; observers never see privileged
notes or identities; each action is offered to and allowed for exactly the roles that hold its permission."""
from __future__ import annotations

import pytest
from django.test import Client

from cases import services
from cases.models import Case, CaseMembership, Incident, IncidentPerson, Party, Role
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member
from tests.test_permission_matrix import history_counts

pytestmark = pytest.mark.django_db

PRIVILEGED = "PRIV-NOTE-7731"
REAL_NAME = "REAL-NAME-Voronova-5512"


@pytest.fixture
def world():
    lead = UserFactory(username="lead")
    case = CaseFactory(lead=lead, title="Sfera challenge", privileged_notes=PRIVILEGED)
    users = {"lead": lead, "outsider": UserFactory(username="outsider")}
    for role in ("lawyer", "researcher", "coordinator", "observer"):
        users[role] = UserFactory(username=role)
        add_member(case, users[role], role)
    person = PersonFactory(user=lead, pseudonym="Applicant A.", real_name=REAL_NAME, contacts="CONTACT-9981")
    services.party_create(user=lead, case=case, role=Party.Role.CLAIMANT, person=person)
    proceeding = services.proceeding_create(user=lead, case=case, stage="first_instance", court="District court")
    incident = IncidentFactory(user=lead, cases=[case], title="Stop at Novoslobodskaya")
    involvement = services.incident_person_add(user=lead, incident=incident, person=person, part="affected")
    # Put the privileged notes into the history as a change, too.
    services.case_update(user=lead, case=case, data={"privileged_notes": PRIVILEGED + " (revised)"})
    return {"users": users, "case": case, "person": person, "proceeding": proceeding, "incident": incident,
            "involvement": involvement, "party": case.parties.get()}


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def case_urls(w) -> list[str]:
    c, p = w["case"].pk, w["proceeding"].pk
    return [
        f"/cases/{c}/", f"/cases/{c}/edit/", f"/cases/{c}/members/", f"/cases/{c}/history/", f"/cases/{c}/delete/",
        f"/cases/{c}/proceedings/new/", f"/cases/proceedings/{p}/edit/", f"/cases/proceedings/{p}/delete/",
        f"/cases/{c}/parties/new/", f"/cases/parties/{w['party'].pk}/edit/", f"/persons/new/?case={c}",
        f"/incidents/{w['incident'].pk}/", f"/incidents/{w['incident'].pk}/edit/",
        f"/incidents/{w['incident'].pk}/history/", f"/incidents/{w['incident'].pk}/delete/",
        f"/incidents/{w['incident'].pk}/persons/add/", f"/persons/{w['person'].pk}/edit/",
    ]


def test_outsider_gets_404_for_every_page_of_the_case(world):
    c = client(world["users"]["outsider"])
    for url in case_urls(world):
        assert c.get(url).status_code == 404, url


def test_missing_objects_are_404_like_forbidden_ones(world):
    c = client(world["users"]["lead"])
    for url in ("/cases/99999/", "/cases/99999/edit/", "/incidents/99999/", "/persons/99999/edit/",
                "/cases/proceedings/99999/edit/", "/cases/parties/99999/edit/"):
        assert c.get(url).status_code == 404, url


def test_lead_reaches_every_page_of_the_case(world):
    c = client(world["users"]["lead"])
    for url in case_urls(world):
        assert c.get(url).status_code == 200, url


def test_anonymous_is_sent_to_sign_in():
    response = Client().get("/cases/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("name,url,data", [
    ("case edit", "/cases/{case}/edit/", {"title": "Hijacked", "status": "closed"}),
    ("case delete", "/cases/{case}/delete/", {}),
    ("member add", "/cases/{case}/members/", {"action": "add", "add-username": "outsider", "add-role": "lead"}),
    ("proceeding add", "/cases/{case}/proceedings/new/", {"stage": "appeal"}),
    ("proceeding delete", "/cases/proceedings/{proceeding}/delete/", {}),
    ("party add", "/cases/{case}/parties/new/", {"role": "respondent", "name": "X"}),
    ("person add to case", "/persons/new/", {"case": "{case}", "pseudonym": "P", "party_role": "claimant"}),
    ("person edit", "/persons/{person}/edit/", {"pseudonym": "Renamed"}),
    ("incident edit", "/incidents/{incident}/edit/", {"title": "Hijacked", "occurred_at": "2025-01-01T10:00",
                                                      "category": "other"}),
    ("incident delete", "/incidents/{incident}/delete/", {}),
    ("incident person add", "/incidents/{incident}/persons/add/", {"person": "{person}", "part": "witness"}),
    ("incident person remove", "/incidents/persons/{involvement}/remove/", {}),
    ("incident share", "/incidents/{incident}/share/", {"username": "outsider"}),
])
def test_outsider_post_is_404_and_writes_nothing(world, name, url, data):
    keys = {"case": world["case"].pk, "proceeding": world["proceeding"].pk, "person": world["person"].pk,
            "incident": world["incident"].pk, "involvement": world["involvement"].pk}
    before = history_counts()
    response = client(world["users"]["outsider"]).post(
        url.format(**keys), {k: str(v).format(**keys) for k, v in data.items()}
    )
    assert response.status_code == 404
    assert history_counts() == before


@pytest.mark.parametrize("role", ["observer", "coordinator", "researcher"])
def test_roles_without_privilege_never_see_privileged_notes(world, role):
    c = client(world["users"][role])
    for url in (f"/cases/{world['case'].pk}/", f"/cases/{world['case'].pk}/history/"):
        page = c.get(url).content.decode()
        assert "Sfera challenge" in page
        assert PRIVILEGED not in page, url


@pytest.mark.parametrize("role", ["lead", "lawyer"])
def test_privileged_roles_see_privileged_notes(world, role):
    c = client(world["users"][role])
    assert PRIVILEGED in c.get(f"/cases/{world['case'].pk}/").content.decode()
    assert PRIVILEGED in c.get(f"/cases/{world['case'].pk}/history/").content.decode()


def test_observer_sees_pseudonyms_but_no_identity(world):
    c = client(world["users"]["observer"])
    for url in (f"/cases/{world['case'].pk}/", f"/incidents/{world['incident'].pk}/"):
        page = c.get(url).content.decode()
        assert "Applicant A." in page
        assert REAL_NAME not in page and "CONTACT-9981" not in page, url


@pytest.mark.parametrize("role", ["lawyer", "researcher", "coordinator"])
def test_identity_roles_see_the_real_name(world, role):
    c = client(world["users"][role])
    assert REAL_NAME in c.get(f"/cases/{world['case'].pk}/").content.decode()
    assert REAL_NAME in c.get(f"/incidents/{world['incident'].pk}/").content.decode()


def test_person_form_has_identity_fields_only_for_identity_roles(world):
    lead, researcher = world["users"]["lead"], world["users"]["researcher"]
    assert 'name="real_name"' in client(lead).get(f"/persons/new/?case={world['case'].pk}").content.decode()
    page = client(researcher).get(f"/persons/new/?incident={world['incident'].pk}").content.decode()
    assert 'name="real_name"' in page
    # An observer-only user may record a person of their own but gets no identity fields.
    loner = UserFactory(username="loner")
    add_member(world["case"], loner, Role.OBSERVER)
    page = client(loner).get("/persons/new/").content.decode()
    assert 'name="pseudonym"' in page and 'name="real_name"' not in page


@pytest.mark.parametrize("role,status", [("observer", 404), ("coordinator", 404), ("researcher", 404),
                                         ("lawyer", 200), ("lead", 200)])
def test_edit_case_needs_change_case(world, role, status):
    assert client(world["users"][role]).get(f"/cases/{world['case'].pk}/edit/").status_code == status


@pytest.mark.parametrize("role,status", [("observer", 404), ("lawyer", 404), ("lead", 200)])
def test_members_page_is_for_the_lead_only(world, role, status):
    assert client(world["users"][role]).get(f"/cases/{world['case'].pk}/members/").status_code == status


def test_lead_adds_changes_and_removes_a_member(world):
    case, c = world["case"], client(world["users"]["lead"])
    newbie = UserFactory(username="newbie")
    response = c.post(f"/cases/{case.pk}/members/", {"action": "add", "add-username": "newbie", "add-role": "observer"})
    assert response.status_code == 302
    assert CaseMembership.objects.get(case=case, user=newbie).role == "observer"
    c.post(f"/cases/{case.pk}/members/", {"action": "set", "username": "newbie", "role": "researcher"})
    assert CaseMembership.objects.get(case=case, user=newbie).role == "researcher"
    c.post(f"/cases/{case.pk}/members/", {"action": "remove", "username": "newbie"})
    assert not CaseMembership.objects.filter(case=case, user=newbie).exists()
    assert client(newbie).get(f"/cases/{case.pk}/").status_code == 404


def test_lawyer_cannot_change_members(world):
    before = history_counts()
    response = client(world["users"]["lawyer"]).post(
        f"/cases/{world['case'].pk}/members/", {"action": "set", "username": "observer", "role": "lead"})
    assert response.status_code == 404
    assert history_counts() == before


@pytest.mark.parametrize("role", ["observer", "coordinator", "researcher", "lawyer"])
def test_only_the_lead_may_move_a_case_to_the_trash(world, role):
    response = client(world["users"][role]).post(f"/cases/{world['case'].pk}/delete/")
    assert response.status_code == 404
    assert Case.objects.get(pk=world["case"].pk).deleted_at is None


def test_lead_trashes_restores_and_purges_a_case(world):
    case, c = world["case"], client(world["users"]["lead"])
    assert c.post(f"/cases/{case.pk}/delete/").status_code == 302
    assert Case.objects.get(pk=case.pk).is_trashed
    assert client(world["users"]["lawyer"]).get(f"/cases/{case.pk}/").status_code == 404
    trash = c.get("/trash/").content.decode()
    assert "Sfera challenge" in trash and f"/cases/{case.pk}/restore/" in trash and "data-confirm" in trash
    assert "Sfera challenge" not in client(world["users"]["lawyer"]).get("/trash/").content.decode()
    assert c.get(f"/cases/{case.pk}/restore/").status_code == 405  # actions are POST only
    assert c.post(f"/cases/{case.pk}/restore/").status_code == 302
    assert not Case.objects.get(pk=case.pk).is_trashed
    # Purge only from the trash.
    assert c.post(f"/cases/{case.pk}/purge/").status_code == 404
    c.post(f"/cases/{case.pk}/delete/")
    assert c.post(f"/cases/{case.pk}/purge/").status_code == 302
    assert not Case.objects.filter(pk=case.pk).exists()


def test_incident_trash_restore_and_purge(world):
    incident, c = world["incident"], client(world["users"]["researcher"])
    assert client(world["users"]["observer"]).post(f"/incidents/{incident.pk}/delete/").status_code == 404
    assert c.post(f"/incidents/{incident.pk}/delete/").status_code == 302
    assert Incident.objects.get(pk=incident.pk).is_trashed
    assert "Stop at Novoslobodskaya" in c.get("/trash/").content.decode()
    assert "Stop at Novoslobodskaya" not in client(world["users"]["observer"]).get("/trash/").content.decode()
    assert c.post(f"/incidents/{incident.pk}/restore/").status_code == 302
    assert not Incident.objects.get(pk=incident.pk).is_trashed
    c.post(f"/incidents/{incident.pk}/delete/")
    assert c.post(f"/incidents/{incident.pk}/purge/").status_code == 302
    assert not Incident.objects.filter(pk=incident.pk).exists()


def test_incident_form_offers_only_cases_where_the_user_edits_incidents(world):
    other = CaseFactory(lead=world["users"]["lead"], title="Other case ZETA")
    add_member(other, world["users"]["researcher"], Role.OBSERVER)
    researcher = world["users"]["researcher"]
    page = client(researcher).get("/incidents/new/").content.decode()
    assert "Sfera challenge" in page and "Other case ZETA" not in page
    before = Incident.objects.count()
    response = client(researcher).post("/incidents/new/", {
        "title": "Sneaky link", "occurred_at": "2025-03-01T09:00", "category": "other", "cases": [other.pk]})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert Incident.objects.count() == before


def test_researcher_logs_an_incident_linked_to_the_case_with_persons(world):
    researcher = world["users"]["researcher"]
    response = client(researcher).post("/incidents/new/", {
        "title": "Cameras at Ring line", "occurred_at": "2025-03-01T09:00", "category": "camera_deployment",
        "cases": [world["case"].pk], "latitude": "55.7297", "longitude": "37.6111",
        "persons": [world["person"].pk], "persons_part": "witness",
        "source_links": "https://example.org/a\nhttps://example.org/b",
    })
    assert response.status_code == 302
    incident = Incident.objects.get(title="Cameras at Ring line")
    assert list(incident.cases.all()) == [world["case"]]
    assert incident.source_links == ["https://example.org/a", "https://example.org/b"]
    assert IncidentPerson.objects.filter(incident=incident, person=world["person"], part="witness").exists()
    # Every member sees it on the case page; the observer may not edit it.
    assert "Cameras at Ring line" in client(world["users"]["observer"]).get(
        f"/cases/{world['case'].pk}/").content.decode()
    assert client(world["users"]["observer"]).get(f"/incidents/{incident.pk}/edit/").status_code == 404


def test_editing_an_incident_keeps_links_the_editor_may_not_change(world):
    lead, researcher = world["users"]["lead"], world["users"]["researcher"]
    private = CaseFactory(lead=lead, title="Lead-only case")
    add_member(private, researcher, Role.OBSERVER)
    incident = IncidentFactory(user=lead, cases=[world["case"], private], title="Twice linked")
    response = client(researcher).post(f"/incidents/{incident.pk}/edit/", {
        "title": "Twice linked (edited)", "occurred_at": "2025-03-01T09:00", "category": "other", "cases": []})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.title == "Twice linked (edited)"
    assert set(incident.cases.all()) == {private}


def test_unlinked_incident_is_shared_by_its_creator(world):
    researcher, lawyer = world["users"]["researcher"], world["users"]["lawyer"]
    incident = IncidentFactory(user=researcher, title="Hotline report", cases=[])
    assert client(lawyer).get(f"/incidents/{incident.pk}/").status_code == 404
    page = client(researcher).get(f"/incidents/{incident.pk}/").content.decode()
    assert f"/incidents/{incident.pk}/share/" in page
    assert client(researcher).post(f"/incidents/{incident.pk}/share/", {"username": "lawyer"}).status_code == 302
    assert client(lawyer).get(f"/incidents/{incident.pk}/").status_code == 200
    assert client(lawyer).get(f"/incidents/{incident.pk}/edit/").status_code == 404
    client(researcher).post(f"/incidents/{incident.pk}/share/", {"username": "lawyer", "action": "unshare"})
    assert client(lawyer).get(f"/incidents/{incident.pk}/").status_code == 404


def test_history_page_shows_field_old_new_and_who(world):
    case, lawyer = world["case"], world["users"]["lawyer"]
    client(lawyer).post(f"/cases/{case.pk}/edit/", {"title": "Sfera challenge II", "status": "appeal",
                                                    "jurisdiction": "RU"})
    page = client(world["users"]["observer"]).get(f"/cases/{case.pk}/history/").content.decode()
    assert "Sfera challenge II" in page and "Sfera challenge" in page
    assert "lawyer" in page and "title" in page.lower()
    # Stored values are shown readably: choice labels, a party's person by pseudonym (never by real name).
    assert ">Appeal<" in page and ">appeal<" not in page
    assert "Applicant A." in page and REAL_NAME not in page
    incident_page = client(world["users"]["observer"]).get(
        f"/incidents/{world['incident'].pk}/history/").content.decode()
    assert "Stop at Novoslobodskaya" in incident_page


def test_incident_history_names_visible_cases_only(world):
    lead, observer = world["users"]["lead"], world["users"]["observer"]
    secret = CaseFactory(lead=lead, title="SECRET-CASE-4410")
    services.incident_update(user=lead, incident=world["incident"], data={}, cases=[world["case"], secret])
    lead_page = client(lead).get(f"/incidents/{world['incident'].pk}/history/").content.decode()
    observer_page = client(observer).get(f"/incidents/{world['incident'].pk}/history/").content.decode()
    assert "SECRET-CASE-4410" in lead_page
    assert "SECRET-CASE-4410" not in observer_page  # the selector leaves invisible links out
    assert str(world["case"]) in observer_page


def test_lists_show_only_what_the_user_may_see(world):
    page = client(world["users"]["outsider"]).get("/cases/").content.decode()
    assert "Sfera challenge" not in page and "No cases yet" in page
    page = client(world["users"]["outsider"]).get("/incidents/").content.decode()
    assert "Stop at Novoslobodskaya" not in page and "No incidents yet" in page
    assert "Sfera challenge" in client(world["users"]["observer"]).get("/cases/").content.decode()
    dashboard = client(world["users"]["observer"]).get("/").content.decode()
    assert "Sfera challenge" in dashboard and "Observer" in dashboard
