from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from bureau import notice_views, views
from bureau.areas import area_configs
from bureau.importexport import views as export_views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/otp/", views.second_factor, name="otp"),
    # 我的导出: large exports written by the worker, for their owner (staff pages, the admin's look).
    path("admin/exports/", admin.site.admin_view(export_views.my_exports), name="my_exports"),
    path("admin/exports/<int:pk>/status/", admin.site.admin_view(export_views.export_status), name="export_status"),
    path(
        "admin/exports/<int:pk>/download/", admin.site.admin_view(export_views.export_download), name="export_download"
    ),
    path("admin/notices/read/", admin.site.admin_view(notice_views.notice_read), name="notice_read"),
    path("admin/data-check/", admin.site.admin_view(views.data_check), name="data_check"),
    # Before admin.site.urls: the same URL as admin:login, so a login without `next` lands on the user's start page.
    path("admin/login/", views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("station/", include("bureau.station.urls")),
    # Printouts (Word, PDF) the areas and the core declare: one view, the declaration's permission, audited.
    path("printouts/", include("bureau.printouts.urls")),
    path("dashboard/", include("reports.urls")),
    # 操作说明: the help pages in Markdown (bureau/help/, each area's help.md), for signed-in users.
    path("help/", include("bureau.help.urls")),
    path("api/v1/", include("bureau.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Uploaded files, only to users who may see the record they belong to (never a static /media/).
    path("files/<path:name>", views.protected_file, name="protected_file"),
]

# Each area app's public pages, as it declares them (no login, no personal data): /<label>/…, namespace <label>.
urlpatterns += [
    path(area.public_prefix, include((area.public_urls, area.label))) for area in area_configs() if area.public_urls
]
