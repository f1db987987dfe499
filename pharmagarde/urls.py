from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("langue/", set_language, name="set_language"),
    path("comptes/", include("pharmagarde.accounts.urls")),
    path("comptes/", include("allauth.urls")),
    path("", include("pharmagarde.core.urls")),
]
