from django.urls import path

from tests.kit_area import views

app_name = "kit_area"

urlpatterns = [
    path("grants/", views.grant_list, name="grant_list"),
    path("grants/new/", views.grant_create, name="grant_create"),
    path("grants/<int:pk>/", views.grant_edit, name="grant_edit"),
]
