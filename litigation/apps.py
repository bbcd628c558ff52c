from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_request_rules(sender, using="default", apps=None, **kwargs) -> None:
    """After every migrate (and every flush, e.g. between transactional tests) the request rules exist, as the
    deadlines app does for its procedural rules. Rows staff have edited are left alone."""
    from django.apps import apps as global_apps

    seeding = import_module("litigation.migrations.0002_request_rules")
    registry = apps or global_apps
    try:
        registry.get_model("deadlines", "DeadlineRule")
        registry.get_model("litigation", "AuthorityRequest")
    except LookupError:  # migrating backwards or not yet migrated this far
        return
    seeding.seed(registry, None)


class LitigationConfig(AppConfig):
    name = "litigation"
    verbose_name = _("Claims, authorities, requests and tasks")

    def ready(self) -> None:
        post_migrate.connect(ensure_request_rules, sender=self, dispatch_uid="litigation-request-rules")
