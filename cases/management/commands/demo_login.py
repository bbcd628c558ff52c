"""Print how to sign in to the demo (``make run`` shows this)."""
from django.conf import settings
from django.core.management.base import BaseCommand

from cases.management.commands.load_demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "Print the demo sign-in (users and password of the fictional demo data)."

    def handle(self, *args, **options) -> None:
        base = getattr(settings, "DOCKET_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
        others = ", ".join(name for name, _role in DEMO_USERS[1:])
        self.stdout.write(f"Sign in at {base}/ as demo-lead / {DEMO_PASSWORD} (other demo users: {others})")
