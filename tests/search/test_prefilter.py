"""The search pre-filter (``search.access.scope_for`` with the tokens of ``search.documents``) is the rule book of
docs/access-model.md: it lets through exactly what each user may see, and opens gated text (a restricted item's file
text, a real name) exactly to those who may read it — checked at the backend, before the database re-check.

- an incident linked only to a case in the trash is linked, and reached by nobody (not by whoever logged it);
- evidence linked to an incident in the trash is not reached through it;
- a person is reached by their creator only while they are in nothing (a party of a trashed case is in something);
- a restricted item of an unlinked incident: its file text opens to the owner, not to a user it is shared with
  (``change_incident`` is needed, a share without edit gives only ``view_incident``).
"""
from __future__ import annotations

import pytest

from cases import services
from search import access, text
from search.backends import QuerySpec, get_backend
from tests.factories import CaseFactory, IncidentFactory, PersonFactory, UserFactory, add_member
from tests.search.conftest import found, upload_evidence

pytestmark = pytest.mark.django_db(transaction=True)

WORD = "проверкаслово"


@pytest.fixture
def world(search_backend):
    lead, observer, researcher, shared = (UserFactory(username=n) for n in ("lead", "observer", "researcher",
                                                                          "shared"))
    a = CaseFactory(lead=lead, title=f"Дело {WORD}", summary="")
    add_member(a, observer, "observer")
    add_member(a, researcher, "researcher")
    ea = upload_evidence(lead, b"text\n", "a.txt", case=a.pk, title=f"Показания {WORD}", restricted="true")
    # An unlinked incident of the lead, shared (view only) with ``shared``; a restricted item linked to it.
    iu = IncidentFactory(user=lead, cases=[], title=f"Черновик {WORD}")
    services.incident_share(actor=lead, incident=iu, user=shared)
    eu = upload_evidence(lead, b"text\n", "u.txt", incident=iu.pk, title=f"Фото {WORD}", restricted="true")
    # An incident the researcher logged on case B, with an item; the researcher leaves B, then B goes to the trash.
    b = CaseFactory(lead=lead, title="Второе дело", summary="")
    add_member(b, researcher, "researcher")
    it = IncidentFactory(user=researcher, cases=[b], title=f"Задержание {WORD}")
    et = upload_evidence(researcher, b"text\n", "t.txt", incident=it.pk, title=f"Запись {WORD}")
    services.member_remove(actor=lead, case=b, user=researcher)
    services.case_trash(user=lead, case=b)
    # An item reached only through an incident that is in the trash.
    i2 = IncidentFactory(user=lead, cases=[a], title="Удалённый инцидент")
    ei = upload_evidence(lead, b"text\n", "i.txt", incident=i2.pk, title=f"Снимок {WORD}")
    services.incident_trash(user=lead, incident=i2)
    # Persons the observer created: one in nothing, one made a party of the observer's own case, now in the trash.
    po = PersonFactory(user=observer, pseudonym=f"Свидетель {WORD}", real_name="Пётр")
    px = PersonFactory(user=observer, pseudonym=f"Очевидец {WORD}", real_name="Павел")
    h = CaseFactory(lead=observer, title="Дело наблюдателя", summary="")
    services.party_create(user=observer, case=h, role="claimant", person=px)
    services.case_trash(user=observer, case=h)
    keys = {"a": ("case", a.pk), "ea": ("evidence", ea.pk), "iu": ("incident", iu.pk), "eu": ("evidence", eu.pk),
            "it": ("incident", it.pk), "et": ("evidence", et.pk), "ei": ("evidence", ei.pk),
            "po": ("person", po.pk), "px": ("person", px.pk)}
    users = {"lead": lead, "observer": observer, "researcher": researcher, "shared": shared}
    return users, keys


# Per the rule book: what each user may view, and of that, whose gated text they may read (gate open, download of
# a restricted item, identity of a person).
VISIBLE = {
    "lead": {"a", "ea", "iu", "eu"},
    "observer": {"a", "ea", "po"},
    "researcher": {"a", "ea"},
    "shared": {"iu", "eu"},
}
GATED = {
    "lead": {"a", "ea", "iu", "eu"},
    "observer": {"a", "po"},
    "researcher": {"a", "ea"},
    "shared": {"iu"},
}


@pytest.mark.parametrize("name", sorted(VISIBLE))
def test_the_prefilter_is_the_rule_book(world, name):
    users, keys = world
    user = users[name]
    spec = QuerySpec(node=text.parse_query(WORD), scope=access.scope_for(user))
    backend = get_backend()
    expect = {keys[k] for k in VISIBLE[name]}
    assert {(h.type, h.id) for h in backend.search(spec, gated=False)} == expect
    assert {(h.type, h.id) for h in backend.search(spec, gated=True)} == {keys[k] for k in GATED[name]}
    # And the whole search (pre-filter, then the database re-check) finds the same.
    assert found(user, WORD) == expect


def test_nothing_is_left_out_for_a_superuser(world):
    users, keys = world
    admin = UserFactory(username="admin", is_superuser=True, is_staff=True)
    # Everything that is not in the trash (an item whose only incident is trashed is itself alive).
    assert found(admin, WORD) == {keys[k] for k in ("a", "ea", "iu", "eu", "it", "et", "ei", "po", "px")}
