from django.urls import path

from bureau.printouts import views

app_name = "printouts"
urlpatterns = [
    path("<slug:key>/", views.printout, name="printout"),
    path("<slug:key>/<int:pk>/", views.printout, name="printout"),
]
