"""The awareness app's public addresses (no account, an unguessable token each): a
campaign's tracked links and teaching page under /p/<token>/, a person's training link under
/formation/<token>/."""

from .views import learner, tracking

urlpatterns = [
    *tracking.urlpatterns,
    *learner.urlpatterns,
]
