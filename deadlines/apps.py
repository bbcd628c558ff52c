from importlib import import_module

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_builtin_rules(sender, using="default", apps=None, **kwargs) -> None:
    """After every migrate (and every flush, e.g. between transactional tests) the built-in procedural rules
    exist. Missing ones are created from the seeding migration's data; rows edited in the admin are left alone."""
    from django.apps import apps as global_apps

    seeding = import_module("deadlines.migrations.0002_builtin_rules")
    registry = apps or global_apps
    try:
        registry.get_model("deadlines", "DeadlineRule")
    except LookupError:  # migrating backwards or not yet migrated this far
        return
    seeding.seed(registry, None)
    from django.core.exceptions import FieldDoesNotExist

    try:
        registry.get_model("deadlines", "DeadlineRule")._meta.get_field("earlier_amount")
    except FieldDoesNotExist:  # migrating backwards, or the field's migration has not run yet
        return
    import_module("deadlines.migrations.0003_echr_six_months_before_2022").fix_echr(registry)


class DeadlinesConfig(AppConfig):
    name = "deadlines"
    verbose_name = _("Deadlines")

    def ready(self) -> None:
        post_migrate.connect(ensure_builtin_rules, sender=self, dispatch_uid="deadlines-builtin-rules")
