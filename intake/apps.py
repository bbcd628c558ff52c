from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_triage_permission(using="default", **kwargs) -> None:
    """``cases.triage_intake`` exists after every migrate and flush (its migration creates it too)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    content_type, _created = ContentType.objects.using(using).get_or_create(app_label="cases", model="incident")
    Permission.objects.using(using).get_or_create(
        codename="triage_intake", content_type=content_type,
        defaults={"name": "Can triage reports from the public intake"})


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = _("Public intake")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(ensure_triage_permission, sender=self, dispatch_uid="docket-intake-triage-permission")
        from django.contrib.auth.signals import user_logged_in

        from intake.context_processors import remember_triage_right

        user_logged_in.connect(remember_triage_right, dispatch_uid="docket-intake-nav-triage")
