"""Pages of the litigation app (the API is in litigation/api/urls.py)."""
from django.urls import path

from litigation.views import claims, requests, tasks

urlpatterns = [
    path("work/", tasks.my_work, name="my-work"),
    path("caseload/", tasks.caseload, name="caseload"),
    path("cases/<id:case_pk>/claims/new/", claims.claim_create, name="claim-create"),
    path("claims/<id:pk>/", claims.claim_detail, name="claim-detail"),
    path("claims/<id:pk>/edit/", claims.claim_edit, name="claim-edit"),
    path("claims/<id:pk>/delete/", claims.claim_delete, name="claim-delete"),
    path("claims/<id:pk>/cite/", claims.citation_add, name="citation-add"),
    path("citations/<id:pk>/remove/", claims.citation_remove, name="citation-remove"),
    path("authorities/", claims.authority_list, name="authority-list"),
    path("authorities/new/", claims.authority_create, name="authority-create"),
    path("authorities/<id:pk>/", claims.authority_detail, name="authority-detail"),
    path("authorities/<id:pk>/edit/", claims.authority_edit, name="authority-edit"),
    path("requests/", requests.request_list, name="request-list"),
    path("requests/new/", requests.request_create, name="request-create"),
    path("requests/<id:pk>/", requests.request_detail, name="request-detail"),
    path("requests/<id:pk>/edit/", requests.request_edit, name="request-edit"),
    path("requests/<id:pk>/delete/", requests.request_delete, name="request-delete"),
    path("requests/<id:pk>/reply/", requests.request_reply, name="request-reply"),
    path("tasks/", tasks.task_list, name="task-list"),
    path("tasks/new/", tasks.task_create, name="task-create"),
    path("tasks/<id:pk>/", tasks.task_detail, name="task-detail"),
    path("tasks/<id:pk>/edit/", tasks.task_edit, name="task-edit"),
    path("tasks/<id:pk>/done/", tasks.task_done, name="task-done"),
    path("tasks/<id:pk>/delete/", tasks.task_delete, name="task-delete"),
]
