from django.urls import path

from . import oidc, views

urlpatterns = [
    path("mon-compte/", views.account_settings, name="account_settings"),
    path("mon-compte/preferences/", views.preferences_edit, name="preferences_edit"),
    path("resume/desabonnement/<str:token>/", views.digest_unsubscribe,
         name="digest_unsubscribe"),
    path("double-authentification-requise/", views.mfa_required, name="mfa_required"),
    # Same address as allauth's OpenID Connect callback (SOCIALACCOUNT_OPENID_CONNECT_URL_PREFIX
    # "oidc"), listed first so that ours answers: it always checks the ID token's signature.
    # Same address as allauth's second-factor step, listed first: after a few wrong codes
    # it sends the visitor back to the password (accounts/second_factor.py).
    path("2fa/authenticate/", views.mfa_authenticate, name="pharmagarde_mfa_authenticate"),
    path("oidc/<str:provider_id>/login/callback/", oidc.callback, name="pharmagarde_oidc_callback"),
]
