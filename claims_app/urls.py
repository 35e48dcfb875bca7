from django.urls import path

from claims_app import corroboration_views, exports, views

app_name = "claims_app"

urlpatterns = [
    path("", views.home, name="home"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/bulk-status/", views.claim_bulk_status, name="claim_bulk_status"),
    path("claims/export.csv", exports.export_csv, name="claim_export_csv"),
    path("claims/export.json", exports.export_json, name="claim_export_json"),
    path("claims/export.jsonld", exports.export_jsonld, name="claim_export_jsonld"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/status/", views.claim_status, name="claim_status"),
    path("claims/<int:pk>/correct/", views.claim_correct, name="claim_correct"),
    path("claims/<int:pk>/reject/", views.claim_reject, name="claim_reject"),
    path("claims/<int:pk>/evidence/", views.claim_add_evidence, name="claim_add_evidence"),
    path("claims/<int:pk>/links/", views.claim_add_link, name="claim_add_link"),
    path("claims/<int:pk>/suggestions/accept/", corroboration_views.suggestion_accept, name="suggestion_accept"),
    path("claims/<int:pk>/suggestions/dismiss/", corroboration_views.suggestion_dismiss, name="suggestion_dismiss"),
    path("claims/<int:pk>/origin/", corroboration_views.claim_origin, name="claim_origin"),
    path("links/<int:pk>/", views.link_update, name="link_update"),
    path("links/<int:pk>/delete/", views.link_delete, name="link_delete"),
    path("articles/", views.article_list, name="article_list"),
    path("articles/new/", views.article_upload, name="article_upload"),
    path("articles/new/progress/", views.ingest_progress, name="ingest_progress"),
    path("articles/jobs/<int:pk>/retry/", views.ingest_job_retry, name="ingest_job_retry"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("articles/<int:pk>/claims/", views.article_add_claim, name="article_add_claim"),
    path("speakers/", views.speaker_list, name="speaker_list"),
    path("speakers/<int:pk>/", views.speaker_detail, name="speaker_detail"),
    path("speakers/<int:pk>/merge/", views.speaker_merge, name="speaker_merge"),
    path("speaker-merges/<int:pk>/undo/", views.speaker_merge_undo, name="speaker_merge_undo"),
    path("merge-suggestions/<int:pk>/dismiss/", views.merge_suggestion_dismiss, name="merge_suggestion_dismiss"),
]
