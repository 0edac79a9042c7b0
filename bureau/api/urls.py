"""
URL patterns of `/api/v1/`: token login and every viewset registered on the router.

See `bureau.api.router` for how an area app registers its viewsets; the module is
named in the app's declaration (`AreaConfig.api`, bureau.areas).
"""

from django.urls import include, path, re_path

from bureau.api.care import CheckUpBatchViewSet, CheckUpViewSet, VisitViewSet
from bureau.api.registry import FamilyLinkViewSet, MeritViewSet
from bureau.api.router import router
from bureau.api.tokens import TokenView
from bureau.api.views import BankAccountViewSet, EnterpriseViewSet, PaymentViewSet, PersonViewSet, not_found
from bureau.areas import area_configs

__all__ = ["router", "urlpatterns"]

router.register("persons", PersonViewSet)
# The registry's facts the areas read (merit notices, martyr care): bureau writes, stations read and add.
router.register("merits", MeritViewSet)
router.register("family-links", FamilyLinkViewSet)
router.register("payments", PaymentViewSet)
router.register("enterprises", EnterpriseViewSet)
router.register("bank-accounts", BankAccountViewSet)
# Care several areas give: each area filters by `?area=` (visits) or `?population=` (check-ups).
router.register("visits", VisitViewSet)
router.register("checkup-batches", CheckUpBatchViewSet)
router.register("checkups", CheckUpViewSet)


def register_area_viewsets() -> None:
    """Import each area app's declared API module so its viewsets land on the router before the URLs are built."""
    for area in area_configs():
        area.load_api()


register_area_viewsets()

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("", include(router.urls)),
    # Last: what nothing above matched. Only addresses ending in a slash, so that Django's
    # APPEND_SLASH still redirects `/api/v1/persons` to the list.
    re_path(r"^(?P<path>.*/)$", not_found, name="api-not-found"),
]
