from django.urls import path

from beredt.web.care import views

urlpatterns = [
    path("units/", views.unit_list, name="unit-list"),
    path("units/<str:code>/", views.unit_detail, name="unit-detail"),
    path("units/<str:code>/edit/", views.unit_edit, name="unit-edit"),
    path("units/<str:unit>/availability/", views.availability, name="availability"),
    path("clients/", views.client_list, name="client-list"),
    path("clients/new/", views.client_create, name="client-create"),
    path("clients/<str:code>/", views.client_detail, name="client-detail"),
    path("clients/<str:code>/edit/", views.client_edit, name="client-edit"),
    path("clients/<str:code>/infection/", views.client_infection, name="client-infection"),
    path("clients/<str:code>/deactivate/", views.client_deactivate, name="client-deactivate"),
    path("clients/<str:code>/reactivate/", views.client_reactivate, name="client-reactivate"),
    path("clients/<str:code>/tasks/new/", views.task_create, name="task-create"),
    path("clients/<str:code>/relatives/new/", views.relative_create, name="relative-create"),
    path("relatives/<int:pk>/edit/", views.relative_edit, name="relative-edit"),
    path("relatives/<int:pk>/delete/", views.relative_delete, name="relative-delete"),
    path("tasks/", views.task_list, name="task-list"),
    path("tasks/<str:code>/", views.task_detail, name="task-detail"),
    path("tasks/<str:code>/edit/", views.task_edit, name="task-edit"),
    path("caregivers/", views.caregiver_list, name="caregiver-list"),
    path("caregivers/new/", views.caregiver_create, name="caregiver-create"),
    path("caregivers/<str:code>/", views.caregiver_detail, name="caregiver-detail"),
    path("caregivers/<str:code>/edit/", views.caregiver_edit, name="caregiver-edit"),
    path("municipalities/<str:municipality>/policy/", views.policy_edit, name="policy-edit"),
]
