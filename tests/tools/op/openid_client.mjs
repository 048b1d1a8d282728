// npm openid-client (v6) as the relying party of axid's OpenID provider: discovery, an
// authorization request with PKCE S256, state and nonce, the code exchange with ID token
// validation against the JWKS, userinfo, and a replayed code. One line per check, then
// 'N passed, N failed'.
import * as client from 'openid-client';

const AXID = process.env.AXID_URL;
const ADMIN = { 'X-Admin-API-Key': process.env.ADMIN_KEY, 'content-type': 'application/json' };
const PASSWORD = process.env.ORG_PASSWORD;
const ORG = 'opnode';
const REDIRECT = 'http://127.0.0.1:9/node-callback';
let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) { passed += 1; console.log(`PASS ${name}`); } else { failed += 1; console.log(`FAIL ${name} ${detail}`); }
}

async function main() {
  let r = await fetch(`${AXID}/api/v1/admin/organizations`, {
    method: 'POST', headers: ADMIN, body: JSON.stringify({ org_id: ORG, name: 'OP node', password: PASSWORD }),
  });
  if (r.status !== 201) throw new Error(`org: ${r.status}`);
  r = await fetch(`${AXID}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ org_id: ORG, password: PASSWORD }),
  });
  const cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  r = await fetch(`${AXID}/api/v1/clients`, {
    method: 'POST', headers: { cookie, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'openid-client', type: 'web', redirect_uris: [REDIRECT] }),
  });
  const web = await r.json();

  const config = await client.discovery(new URL(AXID), web.client_id, web.client_secret,
    client.ClientSecretBasic(web.client_secret), { execute: [client.allowInsecureRequests] });
  check('discovery finds the issuer and the code flow endpoints',
    config.serverMetadata().issuer === AXID && config.serverMetadata().authorization_endpoint === `${AXID}/oauth2/authorize`);

  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT, scope: 'openid email profile', state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const answer = await fetch(url, { headers: { cookie }, redirect: 'manual' });
  const location = answer.headers.get('location') || '';
  check('authorize redirects a signed-in browser to the client with a code',
    answer.status === 302 && location.startsWith(`${REDIRECT}?`), `${answer.status} ${location}`);

  const tokens = await client.authorizationCodeGrant(config, new URL(location), {
    pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
  });
  const claims = tokens.claims();
  check('openid-client validates the ID token (signature from the JWKS, iss, aud, nonce, exp)',
    claims && claims.nonce === nonce && claims.aud === web.client_id, JSON.stringify(claims));
  check('the ID token carries org_id, roles, amr and auth_time',
    claims.org_id === ORG && Array.isArray(claims.roles) && claims.amr[0] === 'pwd' && typeof claims.auth_time === 'number');

  const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  check('userinfo answers for the same subject', info.sub === claims.sub && info.org_id === ORG, JSON.stringify(info));

  let replayed = false;
  try {
    await client.authorizationCodeGrant(config, new URL(location), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  } catch (e) {
    replayed = e.error === 'invalid_grant' || String(e).includes('invalid_grant');
  }
  check('a replayed code is invalid_grant', replayed);
  let revoked = false;
  try { await client.fetchUserInfo(config, tokens.access_token, claims.sub); } catch (e) { revoked = true; }
  check('and the first access token no longer reads userinfo', revoked);
}

try { await main(); } catch (e) { check('suite ran to the end', false, String(e && e.stack || e)); }
console.log(`${passed} passed, ${failed} failed`);
