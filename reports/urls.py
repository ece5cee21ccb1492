from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard_home, name="home"),
    path("d/<str:code>/", views.division_page, name="division"),
    path("d/<str:code>/data.json", views.division_data, name="data"),
    path("d/<str:code>/export.xlsx", views.division_export, name="export"),
    path("d/<str:code>/evaluation/", views.evaluation_page, name="evaluation"),
    path("county/<str:code>/", views.county_page, name="county"),
]
