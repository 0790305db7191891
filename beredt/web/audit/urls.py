from django.urls import path

from beredt.web.audit import views

urlpatterns = [
    path("", views.audit_log, name="audit-log"),
    path("export.csv", views.audit_export, name="audit-export"),
]
