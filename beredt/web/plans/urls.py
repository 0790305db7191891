from django.urls import path

from beredt.web.plans import views

urlpatterns = [
    path("units/<str:unit>/today/", views.today, name="today"),
    path("my-route/", views.my_route, name="my-route"),
]
