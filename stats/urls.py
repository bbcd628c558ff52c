from django.urls import path

from stats import views

urlpatterns = [
    path("stats/", views.stats_page, name="stats"),
    path("stats/incidents.csv", views.stats_csv, name="stats-csv"),
    path("map/", views.map_page, name="map"),
]
