"""The online memorial (网上纪念馆), open to anyone without login, under `/memorial/` (namespace `commemoration`)."""

from django.urls import path

from commemoration import public_views as views

app_name = "commemoration"

urlpatterns = [
    path("", views.home, name="memorial_home"),
    path("martyrs/<int:pk>/", views.martyr_page, name="memorial_martyr"),
    path("martyrs/<int:pk>/photo/", views.martyr_photo, name="memorial_photo"),
    path("martyrs/<int:pk>/flower/", views.offer_flower, name="memorial_flower"),
    path("martyrs/<int:pk>/message/", views.leave_message, name="memorial_message"),
    path("api/martyrs/", views.api_martyr_list, name="memorial_api_list"),
    path("api/martyrs/<int:pk>/", views.api_martyr_detail, name="memorial_api_detail"),
]
