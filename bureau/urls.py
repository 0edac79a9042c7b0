from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from bureau import views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="station:home", permanent=False)),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/otp/", views.second_factor, name="otp"),
    path("admin/", admin.site.urls),
    path("station/", include("bureau.station.urls")),
    path("dashboard/", include("reports.urls")),
    path("api/v1/", include("bureau.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Uploaded files, only to users who may see the record they belong to (never a static /media/).
    path("files/<path:name>", views.protected_file, name="protected_file"),
]
