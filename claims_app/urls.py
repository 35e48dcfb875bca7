from django.urls import path

from claims_app import views

app_name = "claims_app"

urlpatterns = [
    path("", views.home, name="home"),
    path("claims/", views.claim_list, name="claim_list"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/status/", views.claim_status, name="claim_status"),
    path("articles/", views.article_list, name="article_list"),
    path("articles/new/", views.article_upload, name="article_upload"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("speakers/", views.speaker_list, name="speaker_list"),
    path("speakers/<int:pk>/", views.speaker_detail, name="speaker_detail"),
]
