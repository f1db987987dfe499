"""A small but real OpenID Connect provider for tests, served over HTTP in a thread.

It implements the authorization code flow with PKCE: discovery, /authorize (which signs the
configured user in at once and redirects back with a code), /token (client authentication,
PKCE check, RS256 ID token), /userinfo and /jwks. Set `claims` to choose who signs in,
`signing_key` to another key to hand out a token with a bad signature, and `userinfo_claims`
to make /userinfo answer other claims than the ID token's (another person's `sub`, say).
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "pharmagarde-tests"
CLIENT_SECRET = "secret-de-test"
KEY_ID = "cle-de-test"


def new_rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pkce_challenge(verifier):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class OIDCProvider:
    def __init__(self):
        self.key = new_rsa_key()
        self.signing_key = self.key
        self.claims = {"sub": "psc-0001", "email": "colin@alpha.example",
                       "email_verified": True, "given_name": "Colin",
                       "family_name": "Collaborateur"}
        self.include_id_token = True
        self.userinfo_claims = None  # when set, what /userinfo answers instead of `claims`
        self.codes = {}  # code -> the /authorize request's parameters
        self.tokens = {}  # access token -> claims
        self.requests = []  # (path, parameters) of every request, for assertions
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def app_settings(self, provider_id="psc", **extra):
        """The SOCIALACCOUNT_PROVIDERS value that points allauth at this provider."""
        settings = {"server_url": self.url, "token_auth_method": "client_secret_basic"}
        settings.update(extra)
        return {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [{
            "provider_id": provider_id, "name": "Pro Santé Connect (test)",
            "client_id": CLIENT_ID, "secret": CLIENT_SECRET, "settings": settings,
        }]}}

    def configuration(self):
        return {
            "issuer": self.url,
            "authorization_endpoint": self.url + "/authorize",
            "token_endpoint": self.url + "/token",
            "userinfo_endpoint": self.url + "/userinfo",
            "jwks_uri": self.url + "/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": KEY_ID, "alg": "RS256", "use": "sig"})
        return {"keys": [jwk]}

    def id_token(self, nonce=None):
        now = int(time.time())
        payload = {**self.claims, "iss": self.url, "aud": CLIENT_ID, "iat": now,
                   "exp": now + 300, "jti": secrets.token_hex(8)}
        if nonce:
            payload["nonce"] = nonce
        return jwt.encode(payload, self.signing_key, algorithm="RS256",
                          headers={"kid": KEY_ID})

    def authorize(self, params):
        """Returns the redirect back to the client, as a signed-in user would get it."""
        code = secrets.token_urlsafe(16)
        self.codes[code] = params
        query = urlencode({"code": code, "state": params.get("state", "")})
        return f"{params['redirect_uri']}?{query}"

    def exchange(self, params, authorization):
        """The token endpoint: (status, JSON body)."""
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if authorization != f"Basic {expected}":
            return 401, {"error": "invalid_client"}
        request = self.codes.pop(params.get("code", ""), None)
        if request is None or params.get("redirect_uri") != request["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        if pkce_challenge(params.get("code_verifier", "")) != request.get("code_challenge"):
            return 400, {"error": "invalid_grant", "error_description": "PKCE"}
        access_token = secrets.token_urlsafe(16)
        userinfo = self.claims if self.userinfo_claims is None else self.userinfo_claims
        self.tokens[access_token] = dict(userinfo)
        body = {"access_token": access_token, "token_type": "Bearer", "expires_in": 300}
        if self.include_id_token:
            body["id_token"] = self.id_token(request.get("nonce"))
        return 200, body

    def _handler_class(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass  # keep test output quiet

            def _send_json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):  # noqa: N802 (http.server's name)
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                provider.requests.append((parts.path, params))
                if parts.path == "/.well-known/openid-configuration":
                    return self._send_json(200, provider.configuration())
                if parts.path == "/jwks":
                    return self._send_json(200, provider.jwks())
                if parts.path == "/authorize":
                    self.send_response(302)
                    self.send_header("Location", provider.authorize(params))
                    self.end_headers()
                    return None
                if parts.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider.tokens:
                        return self._send_json(401, {"error": "invalid_token"})
                    return self._send_json(200, provider.tokens[token])
                return self._send_json(404, {"error": "not_found"})

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                params = {k: v[0] for k, v in parse_qs(body).items()}
                provider.requests.append((self.path, params))
                if self.path != "/token":
                    return self._send_json(404, {"error": "not_found"})
                status, payload = provider.exchange(params, self.headers.get("Authorization"))
                return self._send_json(status, payload)

        return Handler

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
