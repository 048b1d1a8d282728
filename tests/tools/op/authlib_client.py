"""authlib (PyPI) as the relying party of axid's OpenID provider: discovery, an authorization
request with PKCE S256 and nonce, the code exchange, ID token validation against the JWKS
(issuer, audience, nonce, signature), userinfo, and a replayed code.
Prints one line per check and closes with 'N passed, N failed'."""
import os
import secrets
from urllib.parse import parse_qs, urlparse

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken

AXID = os.environ["AXID_URL"]
ADMIN = {"X-Admin-API-Key": os.environ["ADMIN_KEY"]}
PASSWORD = os.environ["ORG_PASSWORD"]
ORG = "opclients"
REDIRECT = "http://127.0.0.1:9/callback"
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
    r = requests.post(f"{AXID}/api/v1/admin/organizations", headers=ADMIN,
                      json={"org_id": ORG, "name": "OP clients", "password": PASSWORD})
    r.raise_for_status()
    browser = requests.Session()
    browser.post(f"{AXID}/api/v1/auth/login", json={"org_id": ORG, "password": PASSWORD}).raise_for_status()
    client = browser.post(f"{AXID}/api/v1/clients", json={
        "name": "authlib", "type": "web", "redirect_uris": [REDIRECT]}).json()

    meta = requests.get(f"{AXID}/.well-known/openid-configuration").json()
    check("discovery names the code flow endpoints",
          meta["authorization_endpoint"] == f"{AXID}/oauth2/authorize"
          and "authorization_code" in meta["grant_types_supported"]
          and meta["code_challenge_methods_supported"] == ["S256"], meta)

    rp = OAuth2Session(client["client_id"], client["client_secret"], scope="openid email profile",
                       redirect_uri=REDIRECT, code_challenge_method="S256",
                       token_endpoint_auth_method="client_secret_basic")
    verifier = secrets.token_urlsafe(48)
    nonce = secrets.token_urlsafe(16)
    url, state = rp.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce)
    answer = browser.get(url, allow_redirects=False)
    location = answer.headers.get("location", "")
    check("authorize answers a signed-in browser with a redirect to the client",
          answer.status_code == 302 and location.startswith(REDIRECT + "?"), f"{answer.status_code} {location}")
    query = parse_qs(urlparse(location).query)
    check("the redirect carries code, state and iss",
          query.get("state") == [state] and "code" in query and query.get("iss") == [AXID], query)

    token = rp.fetch_token(meta["token_endpoint"], authorization_response=location, code_verifier=verifier)
    check("the code exchange returns an access token and an ID token",
          "access_token" in token and "id_token" in token, token.keys())

    jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"]).json())
    claims = jwt.decode(token["id_token"], jwks, claims_cls=CodeIDToken,
                        claims_options={"iss": {"essential": True, "value": AXID}},
                        claims_params={"nonce": nonce, "client_id": client["client_id"]})
    try:
        claims.validate()
        check("authlib validates the ID token (signature, iss, aud, nonce, exp, at_hash absent)", True)
    except Exception as e:  # noqa: BLE001 - any validation error is the failure reported
        check("authlib validates the ID token", False, repr(e))
    check("the ID token carries the contract's claims",
          all(k in claims for k in ["sub", "auth_time", "amr", "org_id", "roles", "iat", "exp"])
          and claims["org_id"] == ORG and claims["amr"] == ["pwd"], dict(claims))

    info = rp.get(meta["userinfo_endpoint"])
    check("userinfo answers for the access token",
          info.status_code == 200 and info.json().get("sub") == claims["sub"], info.text)

    replay = requests.post(meta["token_endpoint"], auth=(client["client_id"], client["client_secret"]), data={
        "grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": REDIRECT,
        "code_verifier": verifier})
    check("a replayed code is invalid_grant", replay.status_code == 400
          and replay.json().get("error") == "invalid_grant", replay.text)
    check("and the first access token stops working at userinfo",
          rp.get(meta["userinfo_endpoint"]).status_code == 401)

    bad = browser.get(url.replace("callback", "callback/"), allow_redirects=False)
    check("a redirect URI with a trailing slash gets a page, never a redirect",
          bad.status_code == 400 and "location" not in bad.headers, bad.status_code)


try:
    main()
except Exception as e:  # noqa: BLE001 - a crash is one failed check
    check("suite ran to the end", False, repr(e))
print(f"{passed} passed, {failed} failed")
