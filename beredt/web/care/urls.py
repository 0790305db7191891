from django.urls import path

from beredt.web.care import views

urlpatterns = [
    path("clients/", views.client_list, name="client-list"),
    path("caregivers/", views.caregiver_list, name="caregiver-list"),
]
