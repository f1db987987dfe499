"""The incidents' addresses, under /o/<org_slug>/incidents/: each views module brings its
own `urlpatterns`."""

from .views import assessment, breaches, incidents, obligations
from .views import contacts as contact_views
from .views import drafts as draft_views
from .views import playbooks as playbook_views

urlpatterns = [
    *incidents.urlpatterns,
    *breaches.urlpatterns,
    *obligations.urlpatterns,
    *assessment.urlpatterns,
    *playbook_views.urlpatterns,
    *contact_views.urlpatterns,
    *draft_views.urlpatterns,
]
