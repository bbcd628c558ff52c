"""``load_demo`` loads the fictional demo once, through the services; ``demo_login`` says how to sign in."""
from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from cases.models import Case, CaseMembership, Incident, Person, Proceeding
from tests.test_permission_matrix import history_counts

pytestmark = pytest.mark.django_db


def run(name: str) -> str:
    out = StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


def test_load_demo_twice_loads_once():
    first = run("load_demo")
    assert "Demo data loaded" in first
    after_first = history_counts()
    second = run("load_demo")
    assert "Demo data already loaded" in second
    assert history_counts() == after_first


def test_demo_content_is_realistic_and_recorded_with_users():
    run("load_demo")
    case = Case.objects.get(reference="DRDC-2025/014")
    roles = dict(CaseMembership.objects.filter(case=case).values_list("user__username", "role"))
    assert roles == {"demo-lead": "lead", "demo-lawyer": "lawyer", "demo-researcher": "researcher",
                     "demo-coordinator": "coordinator", "demo-observer": "observer"}
    stages = sorted(Proceeding.objects.filter(case=case).values_list("stage", flat=True))
    assert stages == ["appeal", "cassation", "echr", "first_instance"]
    assert "камерами видеонаблюдения" in case.summary
    categories = set(Incident.objects.values_list("category", flat=True))
    assert {"detention", "camera_deployment"} <= categories and Incident.objects.count() >= 4
    assert Person.objects.filter(pseudonym="Applicant A.").exclude(real_name="").exists()
    assert case.history.filter(history_user__username="demo-lead").exists()
    User = get_user_model()
    for name in ("demo-lead", "demo-lawyer", "demo-researcher", "demo-coordinator", "demo-observer"):
        assert User.objects.get(username=name).check_password("docket-demo-2026")


def test_demo_pages_respect_roles():
    run("load_demo")
    case = Case.objects.get(reference="DRDC-2025/014")
    User = get_user_model()
    observer, lawyer = Client(), Client()
    observer.force_login(User.objects.get(username="demo-observer"))
    lawyer.force_login(User.objects.get(username="demo-lawyer"))
    observer_page = observer.get(f"/cases/{case.pk}/").content.decode()
    lawyer_page = lawyer.get(f"/cases/{case.pk}/").content.decode()
    assert "Applicant A." in observer_page and "Voronova" not in observer_page and "PRIVILEGED" not in observer_page
    assert "Voronova" in lawyer_page and "PRIVILEGED" in lawyer_page
    for url in ("/", "/cases/", "/incidents/", "/trash/", f"/cases/{case.pk}/history/"):
        assert observer.get(url).status_code == 200 and lawyer.get(url).status_code == 200


def test_demo_login_prints_the_sign_in():
    out = run("demo_login")
    assert out.startswith("Sign in at http://127.0.0.1:8000/ as demo-lead / docket-demo-2026 (other demo users: ")
    assert "demo-observer" in out
