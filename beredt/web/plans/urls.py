from django.urls import path

from beredt.web.plans import views

urlpatterns = [
    path("units/<str:unit>/today/", views.today, name="today"),
    path("units/<str:unit>/today/availability/", views.set_availability, name="today-availability"),
    path("units/<str:unit>/today/isolation/", views.set_isolation, name="today-isolation"),
    path("units/<str:unit>/plan/", views.start_plan, name="plan-start"),
    path("units/<str:unit>/route/<str:caregiver>/", views.route_sheet, name="route-sheet"),
    path(
        "units/<str:unit>/route/<str:caregiver>/pdf/",
        views.route_sheet_pdf,
        name="route-sheet-pdf",
    ),
    path("plans/jobs/<uuid:job>/", views.job_status, name="job-status"),
    path("plans/<int:pk>/", views.plan_version, name="plan-version"),
    path("plans/<int:pk>/publish/", views.publish, name="plan-publish"),
    path("plans/<int:pk>/pin/", views.pin, name="plan-pin"),
    path("plans/<int:pk>/keep/", views.keep, name="plan-keep"),
    path("plans/<int:pk>/move/", views.move, name="plan-move"),
    path("plans/<int:pk>/replan/", views.replan, name="plan-replan"),
    path("plans/<int:pk>/check/", views.check, name="plan-check"),
    path("plans/<int:pk>/plan-from-check/", views.plan_from_check, name="plan-from-check"),
    path("plans/<int:pk>/routes.pdf", views.routes_pdf, name="plan-routes-pdf"),
    path("my-route/", views.my_route, name="my-route"),
    path("my-route/pdf/", views.my_route_pdf, name="my-route-pdf"),
]
