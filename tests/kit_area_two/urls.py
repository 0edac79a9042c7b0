from django.urls import path

from tests.kit_area_two import views

app_name = "kit_area_two"

urlpatterns = [
    path("stipends/", views.stipend_list, name="stipend_list"),
    path("stipends/new/", views.stipend_create, name="stipend_create"),
    path("stipends/<int:pk>/", views.stipend_edit, name="stipend_edit"),
]
