from django.urls import path

from privacy import api

urlpatterns = [
    path("persons/<id:pk>/erase/", api.PersonEraseView.as_view(), name="api-person-erase"),
]
