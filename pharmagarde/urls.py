from django.urls import include, path

from pharmagarde.accounts.views import set_language

urlpatterns = [
    # Django's switcher, which also sets the language of a signed-in user's mail.
    path("langue/", set_language, name="set_language"),
    path("comptes/", include("pharmagarde.accounts.urls")),
    path("comptes/", include("allauth.urls")),
    path("", include("pharmagarde.core.urls")),
]
