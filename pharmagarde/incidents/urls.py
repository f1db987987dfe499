"""The incidents' addresses, under /o/<org_slug>/incidents/: each views module brings its
own `urlpatterns`."""

from .views import assessment, breaches, incidents, obligations

urlpatterns = [
    *incidents.urlpatterns,
    *breaches.urlpatterns,
    *obligations.urlpatterns,
    *assessment.urlpatterns,
]
