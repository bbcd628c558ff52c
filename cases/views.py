"""Pages for cases and incidents (placeholder views; replaced by the full pages)."""
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def dashboard(request):
    return HttpResponse("Docket")


case_list = case_detail = incident_list = incident_detail = trash = dashboard
