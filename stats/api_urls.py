from django.urls import path

from stats import api

urlpatterns = [
    path("stats/incidents/", api.IncidentStatsView.as_view(), name="api-stats-incidents"),
    path("incidents/geo.json", api.IncidentGeoView.as_view(), name="api-incidents-geo"),
]
