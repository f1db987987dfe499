"""OpenID Connect sign-in (Pro Santé Connect), with the ID token's signature always checked.

allauth skips the signature check of an ID token received straight from the token endpoint
(the OpenID Connect specification allows it over TLS). We check it anyway: a misrouted or
intercepted token exchange must not be enough to sign someone in. We also refuse a token
response without an ID token, which the specification makes mandatory.

allauth then prefers the userinfo response (sub, email, email_verified) to the ID token, and
never compares the two. The userinfo `sub` must be exactly the verified ID token's, or its
values must not be used (OpenID Connect Core §5.3.2): we refuse the sign-in otherwise, so the
identity allauth sees is always the one the signed ID token vouches for.
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
        """allauth's complete_login, plus the ID token required and the userinfo `sub` check."""
        id_token_str = kwargs.get("response", {}).get("id_token")
        if not id_token_str:
            raise OAuth2Error("The token response has no id_token")
        id_token = self._decode_id_token(app, id_token_str)
        if not isinstance(id_token.get("sub"), str) or not id_token["sub"]:
            raise OAuth2Error("The id_token has no sub")
        data = {"id_token": id_token}
        if app.settings.get("fetch_userinfo", True):
            userinfo = self._fetch_user_info(token.token)
            if not isinstance(userinfo, dict) or userinfo.get("sub") != id_token["sub"]:
                raise OAuth2Error("The userinfo sub does not match the id_token's")
            data["userinfo"] = userinfo
        return self.get_provider().sociallogin_from_response(request, data)

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
