from django.urls import path

from claims_app.api import exports
from claims_app.discussion import views as discussion_views
from claims_app.ingest import views as ingest_views
from claims_app.linking import views as linking_views
from claims_app.notifications import views as notifications_views
from claims_app.publishing import views as publishing_views
from claims_app.review import views as review_views
from claims_app.saved_views import views as saved_views_views
from claims_app.speakers import views as speakers_views

app_name = "claims_app"

urlpatterns = [
    path("", review_views.home, name="home"),
    path("claims/", review_views.claim_list, name="claim_list"),
    path("claims/bulk-status/", review_views.claim_bulk_status, name="claim_bulk_status"),
    path("claims/bulk-assign/", review_views.claim_bulk_assign, name="claim_bulk_assign"),
    path("claims/precision/", review_views.extraction_precision, name="extraction_precision"),
    path("claims/bulk-tag/", review_views.claim_bulk_tag, name="claim_bulk_tag"),
    path("claims/views/", saved_views_views.saved_view_list, name="saved_view_list"),
    path("claims/views/nav/", saved_views_views.saved_view_nav, name="saved_view_nav"),
    path("claims/views/<int:pk>/delete/", saved_views_views.saved_view_delete, name="saved_view_delete"),
    path("claims/export.csv", exports.export_csv, name="claim_export_csv"),
    path("claims/export.json", exports.export_json, name="claim_export_json"),
    path("claims/export.jsonld", exports.export_jsonld, name="claim_export_jsonld"),
    path("claims/<int:pk>/", review_views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/status/", review_views.claim_status, name="claim_status"),
    path("claims/<int:pk>/correct/", review_views.claim_correct, name="claim_correct"),
    path("claims/<int:pk>/reject/", review_views.claim_reject, name="claim_reject"),
    path("claims/<int:pk>/assign/", review_views.claim_assign, name="claim_assign"),
    path("claims/<int:pk>/tags/", review_views.claim_tag_add, name="claim_tag_add"),
    path("claims/<int:pk>/tags/remove/", review_views.claim_tag_remove, name="claim_tag_remove"),
    path("claims/<int:pk>/evidence/", review_views.claim_add_evidence, name="claim_add_evidence"),
    path("claims/<int:pk>/publish/", publishing_views.claim_publish, name="claim_publish"),
    path("claims/<int:pk>/unpublish/", publishing_views.claim_unpublish, name="claim_unpublish"),
    path("claims/<int:pk>/comments/", discussion_views.claim_comment, name="claim_comment"),
    path("claims/<int:pk>/links/", linking_views.claim_add_link, name="claim_add_link"),
    path("claims/<int:pk>/suggestions/accept/", linking_views.suggestion_accept, name="suggestion_accept"),
    path("claims/<int:pk>/suggestions/dismiss/", linking_views.suggestion_dismiss, name="suggestion_dismiss"),
    path("claims/<int:pk>/origin/", linking_views.claim_origin, name="claim_origin"),
    path("claims/<int:pk>/origin/undo/", linking_views.claim_origin_undo, name="claim_origin_undo"),
    path("notifications/", notifications_views.notification_list, name="notification_list"),
    path("notifications/count/", notifications_views.notification_count, name="notification_count"),
    path("notifications/read-all/", notifications_views.notification_read_all, name="notification_read_all"),
    path("notifications/<int:pk>/read/", notifications_views.notification_read, name="notification_read"),
    path("origins/<int:pk>/", linking_views.origin_detail, name="origin_detail"),
    path("links/<int:pk>/", linking_views.link_update, name="link_update"),
    path("links/<int:pk>/delete/", linking_views.link_delete, name="link_delete"),
    # Public, no login (publishing/views.py): live fact-checks only.
    path("fact-checks/", publishing_views.fact_check_list, name="fact_check_list"),
    path("fact-checks/feed/", publishing_views.fact_check_feed, name="fact_check_feed"),
    path("fact-checks/<int:pk>/", publishing_views.fact_check_detail, name="fact_check_detail"),
    path("articles/", review_views.article_list, name="article_list"),
    path("articles/new/", ingest_views.article_upload, name="article_upload"),
    path("articles/new/progress/", ingest_views.ingest_progress, name="ingest_progress"),
    path("articles/jobs/<uuid:job_id>/retry/", ingest_views.ingest_job_retry, name="ingest_job_retry"),
    path("articles/<int:pk>/", review_views.article_detail, name="article_detail"),
    path("articles/<int:pk>/claims/", review_views.article_add_claim, name="article_add_claim"),
    path("speakers/", speakers_views.speaker_list, name="speaker_list"),
    path("speakers/<int:pk>/", speakers_views.speaker_detail, name="speaker_detail"),
    path("speakers/<int:pk>/merge/", speakers_views.speaker_merge, name="speaker_merge"),
    path("speaker-merges/<int:pk>/undo/", speakers_views.speaker_merge_undo, name="speaker_merge_undo"),
    path(
        "merge-suggestions/<int:pk>/dismiss/", speakers_views.merge_suggestion_dismiss, name="merge_suggestion_dismiss"
    ),
]
