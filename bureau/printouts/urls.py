from django.urls import path

from bureau.printouts import views

app_name = "printouts"
urlpatterns = [
    # A list of no one record (the station's to-do), and a record's printout (a run's roster, a person's file).
    path("<slug:key>/", views.printout, name="list"),
    path("<slug:key>/<int:pk>/", views.printout, name="record"),
]
