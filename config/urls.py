from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from claims_app.accounts import LoginForm
from claims_app.api import endpoints

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", endpoints.urls()),  # read-only JSON API; answers 401 itself rather than redirecting to login
    path("", include("claims_app.urls")),
]

# Error pages in the base layout; the 400 page names the request-size limit that was hit.
handler400 = "claims_app.web.security.bad_request"
handler403 = "claims_app.web.security.permission_denied"
