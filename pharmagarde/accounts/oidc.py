"""OpenID Connect sign-in (Pro Santé Connect), with the ID token's signature always checked.

allauth skips the signature check of an ID token received straight from the token endpoint
(the OpenID Connect specification allows it over TLS). We check it anyway: a misrouted or
intercepted token exchange must not be enough to sign someone in. We also refuse a token
response without an ID token, which the specification makes mandatory.
"""

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404


class VerifyingOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    def complete_login(self, request, app, token, **kwargs):
        if not kwargs.get("response", {}).get("id_token"):
            raise OAuth2Error("The token response has no id_token")
        return super().complete_login(request, app, token, **kwargs)

    def _decode_id_token(self, app, id_token):
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )


@login_not_required
def callback(request, provider_id):
    """Takes the place of allauth's openid_connect_callback (same address, see urls.py)."""
    try:
        view = OAuth2CallbackView.adapter_view(VerifyingOpenIDConnectAdapter(request, provider_id))
        return view(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
