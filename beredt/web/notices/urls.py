from django.urls import include, path

urlpatterns: list[object] = [
    path("", include("beredt.web.notices.urls_messages")),
]
