"""The awareness app's addresses, under /o/<org_slug>/sensibilisation/: each views module
brings its own `urlpatterns`."""

from .views import (
    campaigns,
    groups,
    home,
    mailbox,
    phishing_templates,
    profiles,
    results,
    trainer,
    training,
)

urlpatterns = [
    *home.urlpatterns,
    *campaigns.urlpatterns,
    *profiles.urlpatterns,
    *phishing_templates.urlpatterns,
    *groups.urlpatterns,
    *mailbox.urlpatterns,
    *results.urlpatterns,
    *training.urlpatterns,
    *trainer.urlpatterns,
]
