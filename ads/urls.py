from django.urls import path

from ads import views

app_name = "ads"
urlpatterns = [
    path("ads/<int:pk>/click/", views.click, name="click"),
    path("ads/<int:pk>/frame/", views.frame, name="frame"),
    path("ads.txt", views.ads_txt, name="ads_txt"),
]
