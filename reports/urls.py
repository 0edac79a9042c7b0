from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("figures/<str:item_key>/<str:figure_key>/", views.figure_records, name="figure_records"),
    path("completeness/<str:key>/<int:township_id>/", views.completeness_rows, name="completeness_rows"),
    path("charts/<slug:key>.xlsx", views.chart_download, name="chart_download"),
    path("runs/", views.run_request, name="run_request"),
    path("runs/<int:pk>/status/", views.run_status, name="run_status"),
    path("runs/<int:pk>/retry/", views.run_retry, name="run_retry"),
    path("runs/<int:pk>/download/<str:file_format>/", views.run_download, name="run_download"),
    path("final/<int:year>/<str:file_format>/", views.final_download, name="final_download"),
]
