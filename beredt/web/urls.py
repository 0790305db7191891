from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.urls import include, path

from beredt.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", lambda request: HttpResponse("ok", content_type="text/plain"), name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html"),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("beredt.web.accounts.urls")),
    path("audit/", include("beredt.web.audit.urls")),
    path("", include("beredt.web.care.urls")),
    path("", include("beredt.web.plans.urls")),
    path("transfer/", include("beredt.web.transfer.urls")),
    path("notices/", include("beredt.web.notices.urls")),
]
