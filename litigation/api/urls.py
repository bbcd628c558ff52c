from django.urls import path

from litigation.api import claims, requests, tasks

urlpatterns = [
    path("cases/<id:pk>/claims/", claims.CaseClaimsView.as_view(), name="api-case-claims"),
    path("cases/<id:pk>/documents/table-of-authorities.docx", claims.TableOfAuthoritiesDocx.as_view(),
         name="api-table-of-authorities"),
    path("claims/<id:pk>/", claims.ClaimDetailView.as_view(), name="api-claim-detail"),
    path("claims/<id:pk>/history/", claims.ClaimHistoryView.as_view(), name="api-claim-history"),
    path("claims/<id:pk>/authorities/", claims.ClaimAuthoritiesView.as_view(), name="api-claim-authorities"),
    path("claims/<id:pk>/authorities/<id:citation_id>/", claims.ClaimAuthorityDetailView.as_view(),
         name="api-claim-authority"),
    path("authorities/", claims.AuthorityListView.as_view(), name="api-authority-list"),
    path("authorities/<id:pk>/", claims.AuthorityDetailView.as_view(), name="api-authority-detail"),
    path("authorities/<id:pk>/history/", claims.AuthorityHistoryView.as_view(), name="api-authority-history"),
    path("request-kinds/", requests.RequestKindsView.as_view(), name="api-request-kinds"),
    path("requests/", requests.RequestListView.as_view(), name="api-request-list"),
    path("requests/<id:pk>/", requests.RequestDetailView.as_view(), name="api-request-detail"),
    path("requests/<id:pk>/history/", requests.RequestHistoryView.as_view(), name="api-request-history"),
    path("requests/<id:pk>/reply/", requests.RequestReplyView.as_view(), name="api-request-reply"),
    path("requests/<id:pk>/letter.docx", requests.RequestLetterDocx.as_view(), name="api-request-letter"),
    path("tasks/", tasks.TaskListView.as_view(), name="api-task-list"),
    path("tasks/<id:pk>/", tasks.TaskDetailView.as_view(), name="api-task-detail"),
    path("tasks/<id:pk>/history/", tasks.TaskHistoryView.as_view(), name="api-task-history"),
    path("my-work/", tasks.MyWorkView.as_view(), name="api-my-work"),
    path("caseload/", tasks.CaseloadView.as_view(), name="api-caseload"),
]
