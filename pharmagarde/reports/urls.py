"""The reports app's addresses, under /o/<org_slug>/dossiers/."""

from .views import packs, signoff

urlpatterns = [*signoff.urlpatterns, *packs.urlpatterns]
