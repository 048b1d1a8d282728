// npm openid-client (v6) signing a user in through a real scripted SAML IdP (npm samlify):
// authorize without a session sends the browser to the organization's SAML login, samlify
// signs the response to that AuthnRequest, the ACS sends the browser back to authorize, and
// openid-client exchanges the code and validates the ID token. One line per check, then
// 'N passed, N failed'.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import * as client from 'openid-client';

const require = createRequire(`${process.env.SAML_NODE_DIR}/package.json`);
const saml = require('samlify');
saml.setSchemaValidator({ validate: async () => 'skipped' });

const AXID = process.env.AXID_URL;
const ADMIN = { 'X-Admin-API-Key': process.env.ADMIN_KEY, 'content-type': 'application/json' };
const PASSWORD = process.env.ORG_PASSWORD;
const ORG = 'opsaml';
const IDP_ENTITY = 'https://idp.example.test/';
const REDIRECT = 'http://127.0.0.1:9/saml-app-callback';
let passed = 0;
let failed = 0;
function check(name, ok, detail = '') {
  if (ok) { passed += 1; console.log(`PASS ${name}`); } else { failed += 1; console.log(`FAIL ${name} ${detail}`); }
}
const cookieOf = (res) => res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');

async function main() {
  let r = await fetch(`${AXID}/api/v1/admin/organizations`, {
    method: 'POST', headers: ADMIN, body: JSON.stringify({ org_id: ORG, name: 'OP SAML', password: PASSWORD }),
  });
  if (r.status !== 201) throw new Error(`org: ${r.status}`);
  r = await fetch(`${AXID}/api/v1/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ org_id: ORG, password: PASSWORD }),
  });
  const admin = { cookie: cookieOf(r), 'content-type': 'application/json' };
  const cert = fs.readFileSync(process.env.IDP_CERT, 'utf8');
  r = await fetch(`${AXID}/api/v1/sso/config`, {
    method: 'POST', headers: admin, body: JSON.stringify({
      protocol: 'saml', provider: 'generic', default_role: 'viewer',
      saml: { idp_entity_id: IDP_ENTITY, idp_sso_url: 'https://idp.example.test/sso', idp_certificates: [cert] },
    }),
  });
  if (r.status !== 201) throw new Error(`sso config: ${r.status} ${await r.text()}`);
  r = await fetch(`${AXID}/api/v1/clients`, {
    method: 'POST', headers: admin, body: JSON.stringify({ name: 'saml-app', type: 'web', redirect_uris: [REDIRECT] }),
  });
  const web = await r.json();

  const config = await client.discovery(new URL(AXID), web.client_id, web.client_secret,
    client.ClientSecretBasic(web.client_secret), { execute: [client.allowInsecureRequests] });
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT, scope: 'openid email', state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });

  // The browser: authorize, the organization's SAML login, the IdP.
  r = await fetch(url, { redirect: 'manual' });
  const login = r.headers.get('location') || '';
  check('authorize sends a browser without a session to the SAML login',
    r.status === 302 && login.startsWith(`/auth/saml/${ORG}/login?`), `${r.status} ${login}`);
  r = await fetch(new URL(login, AXID), { redirect: 'manual' });
  const flowCookie = cookieOf(r);
  const toIdp = new URL(r.headers.get('location'));
  const request = zlib.inflateRawSync(Buffer.from(toIdp.searchParams.get('SAMLRequest'), 'base64')).toString();
  const requestId = /\sID="([^"]+)"/.exec(request)[1];

  const acs = `${AXID}/auth/saml/${ORG}/callback`;
  const idp = saml.IdentityProvider({
    entityID: IDP_ENTITY,
    privateKey: fs.readFileSync(process.env.IDP_KEY),
    signingCert: cert,
    requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
    singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: 'https://idp.example.test/sso' }],
  });
  const sp = saml.ServiceProvider({
    entityID: `${AXID}/auth/saml/${ORG}/metadata`,
    assertionConsumerService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: acs }],
    wantAssertionsSigned: true,
  });
  const { context } = await idp.createLoginResponse(sp, { extract: { request: { id: requestId } } }, 'post',
    { email: 'carol@opsaml.test' });

  r = await fetch(acs, {
    method: 'POST', redirect: 'manual',
    headers: { cookie: flowCookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ SAMLResponse: context, RelayState: toIdp.searchParams.get('RelayState') }),
  });
  const back = r.headers.get('location') || '';
  check('the ACS accepts samlify\'s response and sends the browser back to authorize',
    r.status === 303 && back.startsWith('/oauth2/authorize?'), `${r.status} ${back} ${r.status === 303 ? '' : await r.text()}`);
  const session = cookieOf(r);
  r = await fetch(new URL(back, AXID), { headers: { cookie: session }, redirect: 'manual' });
  const callback = r.headers.get('location') || '';
  check('authorize now answers with a code for the client', callback.startsWith(`${REDIRECT}?`), callback);

  const tokens = await client.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true,
  });
  const claims = tokens.claims();
  check('openid-client validates the ID token of the SAML sign-in',
    claims.amr[0] === 'saml' && claims.email === 'carol@opsaml.test' && claims.org_id === ORG, JSON.stringify(claims));
  const info = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
  check('userinfo names the SAML user', info.email === 'carol@opsaml.test' && info.sub === claims.sub, JSON.stringify(info));
}

try { await main(); } catch (e) { check('suite ran to the end', false, String(e && e.stack || e)); }
console.log(`${passed} passed, ${failed} failed`);
