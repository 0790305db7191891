from django.urls import path

from beredt.web.transfer import views

app_name = "transfer"

urlpatterns = [
    path("", views.index, name="index"),
    path("template/<str:register>.<str:fmt>", views.template, name="template"),
    path("import/<int:batch_id>/", views.preview, name="preview"),
    path("import/<int:batch_id>/apply/", views.apply, name="apply"),
    path("import/<int:batch_id>/discard/", views.discard, name="discard"),
    path("<str:unit>/", views.unit_page, name="unit"),
    path("<str:unit>/export/<str:register>.<str:fmt>", views.export, name="export"),
    path("<str:unit>/import/", views.upload, name="upload"),
    path("<str:unit>/history/", views.history, name="history"),
]
