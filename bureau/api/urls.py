"""
URL patterns of `/api/v1/`: token login and every viewset registered on the router.

See `bureau.api.router` for how an area app registers its viewsets.
"""

from importlib import import_module

from django.apps import apps
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from rest_framework.authtoken.views import obtain_auth_token

from bureau.api.router import router
from bureau.api.views import EnterpriseViewSet, PaymentViewSet, PersonViewSet
from bureau.roles import PORTAL_APPS

__all__ = ["router", "urlpatterns"]

router.register("persons", PersonViewSet)
router.register("payments", PaymentViewSet)
router.register("enterprises", EnterpriseViewSet)


def register_area_viewsets() -> None:
    """Import `<app>.api` of every portal app so its viewsets land on the router before the URLs are built."""
    for app_config in apps.get_app_configs():
        is_area = app_config.label in PORTAL_APPS and app_config.label != "bureau"
        if is_area and module_has_submodule(app_config.module, "api"):
            import_module(f"{app_config.name}.api")


register_area_viewsets()

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include(router.urls)),
]
