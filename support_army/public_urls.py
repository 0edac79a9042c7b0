"""Public pages of military-civilian support (no login), under `/support-army/` (namespace `support_army`)."""

from django.urls import path

from support_army import views

app_name = "support_army"

urlpatterns = [
    path("alliance/", views.alliance, name="alliance"),
]
