from django.urls import include, path

from beredt.web.notices import views

urlpatterns: list[object] = [
    path("", views.index, name="call-lists"),
    path("units/<str:unit>/calls/", views.call_list, name="call-list"),
    path("overdue/", views.overdue, name="notices-overdue"),
    path("<int:pk>/", views.detail, name="notice-detail"),
    path("<int:pk>/outcome/", views.outcome, name="notice-outcome"),
    path("<int:pk>/close/", views.close, name="notice-close"),
    path("", include("beredt.web.notices.urls_messages")),
]
