"""Pages of the litigation app (the API is in litigation/api/urls.py)."""
from django.urls import path

from litigation.views import claims, requests, tasks

urlpatterns = [
    path("work/", tasks.my_work, name="my-work"),
    path("caseload/", tasks.caseload, name="caseload"),
    path("cases/<int:case_pk>/claims/new/", claims.claim_create, name="claim-create"),
    path("claims/<int:pk>/", claims.claim_detail, name="claim-detail"),
    path("claims/<int:pk>/edit/", claims.claim_edit, name="claim-edit"),
    path("claims/<int:pk>/delete/", claims.claim_delete, name="claim-delete"),
    path("claims/<int:pk>/cite/", claims.citation_add, name="citation-add"),
    path("citations/<int:pk>/remove/", claims.citation_remove, name="citation-remove"),
    path("authorities/", claims.authority_list, name="authority-list"),
    path("authorities/new/", claims.authority_create, name="authority-create"),
    path("authorities/<int:pk>/", claims.authority_detail, name="authority-detail"),
    path("authorities/<int:pk>/edit/", claims.authority_edit, name="authority-edit"),
    path("requests/", requests.request_list, name="request-list"),
    path("requests/new/", requests.request_create, name="request-create"),
    path("requests/<int:pk>/", requests.request_detail, name="request-detail"),
    path("requests/<int:pk>/edit/", requests.request_edit, name="request-edit"),
    path("requests/<int:pk>/delete/", requests.request_delete, name="request-delete"),
    path("requests/<int:pk>/reply/", requests.request_reply, name="request-reply"),
    path("tasks/", tasks.task_list, name="task-list"),
    path("tasks/new/", tasks.task_create, name="task-create"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task-detail"),
    path("tasks/<int:pk>/edit/", tasks.task_edit, name="task-edit"),
    path("tasks/<int:pk>/done/", tasks.task_done, name="task-done"),
    path("tasks/<int:pk>/delete/", tasks.task_delete, name="task-delete"),
]
