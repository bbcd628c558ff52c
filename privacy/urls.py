from django.urls import path

from privacy import views

urlpatterns = [
    path("persons/<id:pk>/erase/", views.person_erase, name="person-erase"),
]
