"""Mints N authorization codes for bench/op/run.sh: one org, a web client, a password
session, then N authorize requests on one keep-alive connection. Prints the client's Basic
credential on the first line and one code per line after it."""
import base64
import hashlib
import sys
import urllib.parse

import requests

base, admin_key, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
REDIRECT = "https://app.bench.test/cb"
s = requests.Session()
s.post(f"{base}/api/v1/admin/organizations", headers={"X-Admin-API-Key": admin_key},
       json={"org_id": "bench", "name": "Bench", "password": "correct horse battery staple"}).raise_for_status()
s.post(f"{base}/api/v1/auth/login", json={"org_id": "bench", "password": "correct horse battery staple"}).raise_for_status()
c = s.post(f"{base}/api/v1/clients", json={"name": "web", "type": "web", "redirect_uris": [REDIRECT]}).json()
challenge = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
query = urllib.parse.urlencode({"response_type": "code", "client_id": c["client_id"], "redirect_uri": REDIRECT,
                                "scope": "openid", "code_challenge": challenge, "code_challenge_method": "S256",
                                "nonce": "n", "state": "s"})
print("Basic " + base64.b64encode(f"{c['client_id']}:{c['client_secret']}".encode()).decode())
for _ in range(count):
    r = s.get(f"{base}/oauth2/authorize?{query}", allow_redirects=False)
    code = urllib.parse.parse_qs(urllib.parse.urlparse(r.headers["location"]).query)["code"][0]
    print(code)
