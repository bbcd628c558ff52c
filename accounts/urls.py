"""Account pages: changing one's own password (Django's views, the site's templates)."""
from django.contrib.auth import views as auth_views
from django.urls import path

urlpatterns = [
    path("account/password/", auth_views.PasswordChangeView.as_view(
        template_name="accounts/password_change_form.html"), name="password_change"),
    path("account/password/done/", auth_views.PasswordChangeDoneView.as_view(
        template_name="accounts/password_change_done.html"), name="password_change_done"),
]
