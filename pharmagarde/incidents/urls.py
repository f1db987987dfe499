"""The incidents' addresses, under /o/<org_slug>/incidents/: each views module brings its
own `urlpatterns`."""

from .views import assessment, breaches, incidents, obligations
from .views import drafts as draft_views

urlpatterns = [
    *incidents.urlpatterns,
    *breaches.urlpatterns,
    *obligations.urlpatterns,
    *assessment.urlpatterns,
    *draft_views.urlpatterns,
]
