"""authlib (PyPI) as the relying party of axid's OpenID provider while the user signs in
through a real upstream OpenID provider (npm oidc-provider, tests/tools/oidc/provider.mjs):
the login_hint the application sends picks the upstream user, and the ID token says so.
Prints one line per check and closes with 'N passed, N failed'."""
import os
import secrets
from urllib.parse import urljoin

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken

AXID = os.environ["AXID_URL"]
IDP = os.environ["IDP_URL"]
ADMIN = {"X-Admin-API-Key": os.environ["ADMIN_KEY"]}
PASSWORD = os.environ["ORG_PASSWORD"]
ORG = "opoidc"
REDIRECT = "http://127.0.0.1:9/oidc-app-callback"
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def main():
    requests.post(f"{AXID}/api/v1/admin/organizations", headers=ADMIN,
                  json={"org_id": ORG, "name": "OP OIDC", "password": PASSWORD}).raise_for_status()
    admin = requests.Session()
    admin.post(f"{AXID}/api/v1/auth/login", json={"org_id": ORG, "password": PASSWORD}).raise_for_status()
    admin.post(f"{AXID}/api/v1/sso/config", json={
        "protocol": "oidc", "provider": "generic", "default_role": "viewer",
        "oidc": {"issuer": IDP, "client_id": os.environ["IDP_CLIENT_ID"],
                 "client_secret": os.environ["IDP_CLIENT_SECRET"], "scopes": ["openid", "email", "profile"]},
    }).raise_for_status()
    client = admin.post(f"{AXID}/api/v1/clients", json={
        "name": "authlib-oidc", "type": "web", "redirect_uris": [REDIRECT]}).json()
    meta = requests.get(f"{AXID}/.well-known/openid-configuration").json()

    rp = OAuth2Session(client["client_id"], client["client_secret"], scope="openid email profile",
                       redirect_uri=REDIRECT, code_challenge_method="S256")
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url, _state = rp.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier,
                                              nonce=nonce, login_hint="bob")
    browser = requests.Session()
    hops = []
    for _ in range(15):
        r = browser.get(url, allow_redirects=False)
        if r.status_code not in (302, 303):
            break
        url = urljoin(url, r.headers["location"])
        hops.append(url.split("?")[0])
        if url.startswith(REDIRECT):
            break
    check("the browser goes through axid's OIDC login and the upstream provider and comes back",
          url.startswith(REDIRECT + "?") and any(h.startswith(IDP) for h in hops), hops)

    token = rp.fetch_token(meta["token_endpoint"], authorization_response=url, code_verifier=verifier)
    jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"]).json())
    claims = jwt.decode(token["id_token"], jwks, claims_cls=CodeIDToken,
                        claims_options={"iss": {"essential": True, "value": AXID}},
                        claims_params={"nonce": nonce, "client_id": client["client_id"]})
    try:
        claims.validate()
        check("authlib validates the ID token of the upstream sign-in", True)
    except Exception as e:  # noqa: BLE001 - any validation error is the failure reported
        check("authlib validates the ID token of the upstream sign-in", False, repr(e))
    check("login_hint picked the upstream user, and amr says oidc",
          claims.get("email") == "bob@acme.test" and claims.get("amr") == ["oidc"], dict(claims))
    info = rp.get(meta["userinfo_endpoint"]).json()
    check("userinfo names the same user", info.get("sub") == claims["sub"] and info.get("email") == "bob@acme.test", info)


try:
    main()
except Exception as e:  # noqa: BLE001 - a crash is one failed check
    check("suite ran to the end", False, repr(e))
print(f"{passed} passed, {failed} failed")
