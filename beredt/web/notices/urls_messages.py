from django.urls import path

from beredt.web.notices import views_messages as views

urlpatterns: list[object] = [
    path("<int:pk>/letter.pdf", views.notice_letter, name="notice-letter"),
    path("units/<str:unit>/letters.pdf", views.unit_letters, name="unit-letters"),
    path("<int:pk>/sms/", views.notice_sms, name="notice-sms"),
]
