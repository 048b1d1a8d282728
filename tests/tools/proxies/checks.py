"""Drives axid through real nginx (auth_request), Caddy (forward_auth) and Traefik
(ForwardAuth), and verifies its
tokens with independent libraries: PyPI PyJWT (PyJWKClient) and authlib, npm jose.
Prints one line per check and closes with 'N passed, N failed'."""
import base64
import json
import os
import subprocess
import sys
import time

import jwt
import requests
from authlib.integrations.requests_client import OAuth2Session

AXID = os.environ["AXID_URL"]
ADMIN_KEY = os.environ["ADMIN_KEY"]
PASSWORD = os.environ["ORG_PASSWORD"]
PROXIES = {"nginx": os.environ["NGINX_URL"], "caddy": os.environ["CADDY_URL"], "traefik": os.environ["TRAEFIK_URL"]}
HERE = os.path.dirname(os.path.abspath(__file__))
ROTATION_SECS = int(os.environ.get("ROTATION_SECS", "14"))
ORG = "proxies"
AUD = "https://api.proxies.test"

passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name} {detail}")


def login():
    s = requests.Session()
    r = s.post(f"{AXID}/api/v1/auth/login", json={"org_id": ORG, "password": PASSWORD})
    r.raise_for_status()
    return s


def create_client(admin, body):
    r = admin.post(f"{AXID}/api/v1/clients", json=body)
    r.raise_for_status()
    return r.json()


def basic(c, secret=None):
    raw = f"{c['client_id']}:{c['client_secret'] if secret is None else secret}"
    return "Basic " + base64.b64encode(raw.encode()).decode()


def echoed(resp):
    try:
        return resp.json().get("headers", {})
    except ValueError:
        return {}


def proxy_checks(name, base, admin_cookie, viewer, bearer):
    r = requests.get(f"{base}/app", headers={"Accept": "application/json"})
    check(f"{name}: no credential is 401 with a challenge", r.status_code == 401 and "Bearer" in r.headers.get("WWW-Authenticate", ""), f"{r.status_code} {dict(r.headers)}")
    r = requests.get(f"{base}/app/page?x=1", headers={"Accept": "text/html"})
    hint = r.headers.get("X-Axid-Login-Url", "")
    check(f"{name}: a browser gets the login hint", r.status_code == 401 and "/ui/login" in hint, f"{r.status_code} {hint!r}")
    r = requests.get(f"{base}/app", cookies={"axonflow_session": admin_cookie})
    h = echoed(r)
    check(f"{name}: a session cookie reaches the upstream with identity headers",
          r.status_code == 200 and h.get("x-axid-org") == ORG and h.get("x-axid-principal-type") == "user"
          and h.get("x-org-id") == ORG and h.get("x-tenant-id") == ORG and h.get("x-axid-jwt", "").count(".") == 2,
          f"{r.status_code} {h}")
    r = requests.get(f"{base}/admin/panel", headers={"Authorization": basic(viewer)})
    check(f"{name}: roles=admin with a viewer is 403", r.status_code == 403, str(r.status_code))
    r = requests.get(f"{base}/admin/panel", cookies={"axonflow_session": admin_cookie})
    check(f"{name}: roles=admin with an admin is 200", r.status_code == 200, str(r.status_code))
    spoof = {"X-Axid-Org": "evil", "X-Axid-Roles": "admin", "X-Axid-Email": "spoof@evil.test",
             "X-Axid-Authenticated": "true", "X-Axid-Jwt": "forged", "X-User-ID": "evil", "X-Org-ID": "evil",
             "Authorization": basic(viewer)}
    r = requests.get(f"{base}/app", headers=spoof)
    h = echoed(r)
    check(f"{name}: spoofed X-Axid-* headers never reach the upstream",
          r.status_code == 200 and h.get("x-axid-org") == ORG and h.get("x-axid-roles") == "viewer"
          and h.get("x-axid-email", "") == "" and h.get("x-user-id", "") == "" and h.get("x-org-id") == ORG
          and h.get("x-axid-jwt") != "forged" and h.get("x-axid-principal-type") == "client",
          f"{r.status_code} {h}")
    r = requests.get(f"{base}/app", headers={"X-Axid-Org": ORG, "X-Axid-Authenticated": "true"})
    check(f"{name}: spoofed headers alone are still 401", r.status_code == 401, str(r.status_code))
    r = requests.get(f"{base}/app", headers={"Authorization": f"Bearer {bearer}"})
    h = echoed(r)
    check(f"{name}: a Bearer access token is a client", r.status_code == 200 and h.get("x-axid-principal-type") == "client", f"{r.status_code} {h}")
    s = login()
    cookie = s.cookies.get("axonflow_session")
    r1 = requests.get(f"{base}/app", cookies={"axonflow_session": cookie})
    s.post(f"{AXID}/api/v1/auth/logout").raise_for_status()
    r2 = requests.get(f"{base}/app", cookies={"axonflow_session": cookie})
    check(f"{name}: a revoked session is 401 on the next request", r1.status_code == 200 and r2.status_code == 401, f"{r1.status_code} {r2.status_code}")


class Jose:
    """npm jose's createRemoteJWKSet + jwtVerify in one long-running node process."""

    def __init__(self, audience):
        self.proc = subprocess.Popen(
            ["node", os.environ["JOSE_SCRIPT"], f"{AXID}/oauth2/jwks", AXID, audience],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def verify(self, token):
        self.proc.stdin.write(token + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def pyjwt_verify(jwks, token, audience):
    try:
        if jwt.get_unverified_header(token).get("typ") != "at+jwt":
            return "fail typ"
        key = jwks.get_signing_key_from_jwt(token)
        jwt.decode(token, key.key, algorithms=["RS256", "ES256", "EdDSA"], audience=audience, issuer=AXID,
                   options={"require": ["exp", "iat", "iss", "aud", "sub"]})
        return "ok"
    except Exception as e:  # noqa: BLE001 - the reason is the report
        return f"fail {type(e).__name__}: {e}"


def authlib_token(c, method="client_secret_basic", **kw):
    session = OAuth2Session(c["client_id"], c["client_secret"], token_endpoint_auth_method=method)
    return session.fetch_token(f"{AXID}/oauth2/token", grant_type="client_credentials", **kw)


def library_checks(svc, es, ed):
    tok = authlib_token(svc, audience=AUD)
    check("authlib: client_secret_basic client credentials", tok.get("token_type") == "Bearer" and tok.get("expires_in") == 600, str(tok))
    tok_post = authlib_token(svc, method="client_secret_post", audience=AUD)
    check("authlib: client_secret_post client credentials", "access_token" in tok_post, str(tok_post))
    try:
        authlib_token({**svc, "client_secret": "axcs_wrong"})
        check("authlib: a wrong secret is refused", False, "no error")
    except Exception as e:  # noqa: BLE001
        check("authlib: a wrong secret is refused", "invalid_client" in str(e), str(e))
    jwks = jwt.PyJWKClient(f"{AXID}/oauth2/jwks")
    jose = Jose(AUD)
    for label, c in [("RS256", svc), ("ES256", es), ("EdDSA", ed)]:
        t = authlib_token(c, audience=AUD)["access_token"]
        check(f"PyJWT PyJWKClient verifies {label} (iss, aud, exp, typ)", pyjwt_verify(jwks, t, AUD) == "ok", pyjwt_verify(jwks, t, AUD))
        res = jose.verify(t)
        check(f"npm jose createRemoteJWKSet verifies {label} (iss, aud, exp, typ)", res.startswith("ok"), res)
    forged = tok["access_token"][:-4] + ("AAAA" if not tok["access_token"].endswith("AAAA") else "BBBB")
    check("PyJWT refuses a tampered token", pyjwt_verify(jwks, forged, AUD) != "ok")
    check("npm jose refuses a tampered token", jose.verify(forged).startswith("fail"))
    check("PyJWT refuses another audience", pyjwt_verify(jwks, tok["access_token"], "https://other.test") != "ok")
    return jwks, jose, tok["access_token"]


def rotation_check(svc, jwks, jose, old_token):
    """Tokens before, during and after a rotation keep verifying in both libraries."""
    kids, failures, checked = set(), [], 0
    deadline = time.time() + 2.5 * ROTATION_SECS
    while time.time() < deadline:
        t = authlib_token(svc, audience=AUD)["access_token"]
        kids.add(jwt.get_unverified_header(t)["kid"])
        for tok in (t, old_token):
            checked += 1
            py, js = pyjwt_verify(jwks, tok, AUD), jose.verify(tok)
            if py != "ok" or not js.startswith("ok"):
                failures.append((py, js))
        r = requests.get(f"{PROXIES['nginx']}/app", headers={"Authorization": f"Bearer {t}"})
        if r.status_code != 200:
            failures.append(("nginx", r.status_code))
        time.sleep(0.25)
    check(f"a key rotation while verifying: {len(kids)} signing keys seen", len(kids) >= 2, str(kids))
    check(f"tokens before and after the rotation verify throughout ({checked} checks)", not failures, str(failures[:5]))


def main():
    r = requests.post(f"{AXID}/api/v1/admin/organizations", headers={"X-Admin-API-Key": ADMIN_KEY},
                      json={"org_id": ORG, "name": "Proxies", "password": PASSWORD})
    r.raise_for_status()
    admin = login()
    viewer = create_client(admin, {"name": "viewer", "type": "service", "roles": ["viewer"], "audiences": [AUD]})
    svc = create_client(admin, {"name": "svc", "type": "service", "roles": ["reader"], "audiences": [AUD]})
    es = create_client(admin, {"name": "es", "type": "service", "audiences": [AUD], "signing_alg": "ES256"})
    ed = create_client(admin, {"name": "ed", "type": "service", "audiences": [AUD], "signing_alg": "EdDSA"})
    bearer = authlib_token(viewer)["access_token"]
    cookie = admin.cookies.get("axonflow_session")
    for name, base in PROXIES.items():
        proxy_checks(name, base, cookie, viewer, bearer)
    jwks, jose, old = library_checks(svc, es, ed)
    rotation_check(svc, jwks, jose, old)
    jose.close()
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
