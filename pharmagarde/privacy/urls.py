"""The privacy app's addresses, under /o/<org_slug>/donnees-personnelles/: each views module
brings its own `urlpatterns`."""

from .views import dpias, home, notices, processors, register, requests

urlpatterns = [
    *home.urlpatterns,
    *register.urlpatterns,
    *processors.urlpatterns,
    *requests.urlpatterns,
    *dpias.urlpatterns,
    *notices.urlpatterns,
]
