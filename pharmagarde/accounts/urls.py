from django.urls import path

from . import oidc, views

urlpatterns = [
    path("mon-compte/", views.account_settings, name="account_settings"),
    path("double-authentification-requise/", views.mfa_required, name="mfa_required"),
    # Same address as allauth's OpenID Connect callback (SOCIALACCOUNT_OPENID_CONNECT_URL_PREFIX
    # "oidc"), listed first so that ours answers: it always checks the ID token's signature.
    path("oidc/<str:provider_id>/login/callback/", oidc.callback, name="pharmagarde_oidc_callback"),
]
