// A real OpenID provider (npm oidc-provider 9) for axid's end-to-end tests, with no pages:
// GET /interaction/:uid logs in the user named by login_hint (else DEFAULT_USER) and
// consent is granted up front for the one first-party client.
//
// The tests copy this file next to the installed package ($AXID_TOOLS_DIR/oidc-node) and
// run `node provider.mjs` with:
//   PORT, ISSUER (http://127.0.0.1:$PORT), CLIENT_ID, CLIENT_SECRET, REDIRECT_URI,
//   DEFAULT_USER (alice), KID (signing key id: restart with another to rotate keys).
// It prints "idp ready <issuer>" once it listens.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const env = process.env;
const PORT = Number(env.PORT || 9400);
const ISSUER = env.ISSUER || `http://127.0.0.1:${PORT}`;
const CLIENT_ID = env.CLIENT_ID || 'acme-portal';
const CLIENT_SECRET = env.CLIENT_SECRET || 'acme-secret';
const REDIRECT_URI = env.REDIRECT_URI || 'http://127.0.0.1:8080/auth/oidc/acme/callback';
const DEFAULT_USER = env.DEFAULT_USER || 'alice';
const KID = env.KID || 'k1';

const USERS = {
  alice: { email: 'alice@acme.test', email_verified: true, name: 'Alice Admin', groups: ['engineering', 'axid-admins'] },
  bob: { email: 'bob@acme.test', email_verified: true, name: 'Bob Viewer', groups: ['sales'] },
  carol: { email: 'carol@acme.test', email_verified: false, name: 'Carol Unverified', groups: [] },
  mallory: { email: 'mallory@evil.test', email_verified: true, name: 'Mallory', groups: ['axid-admins'] },
};

// A fresh RS256 key at every start, published under KID.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: KID, use: 'sig', alg: 'RS256' };

const provider = new Provider(ISSUER, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [signingKey] },
  cookies: { keys: ['axid-test-cookie-key'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  // Scope claims go into the ID token too, not only to userinfo.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  pkce: { required: () => true },
  async findAccount(ctx, sub) {
    const user = USERS[sub];
    return user && { accountId: sub, async claims() { return { sub, ...user }; } };
  },
  async loadExistingGrant(ctx) {
    const existing = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (existing) {
      const grant = await ctx.oidc.provider.Grant.find(existing);
      if (grant) return grant;
    }
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    grant.addOIDCClaims(['email', 'email_verified', 'name', 'groups']);
    await grant.save();
    return grant;
  },
});

provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([^/]+)$/.exec(ctx.path);
  if (ctx.method !== 'GET' || !match) return next();
  const { prompt, params } = await provider.interactionDetails(ctx.req, ctx.res);
  const result = prompt.name === 'login'
    ? { login: { accountId: USERS[params.login_hint] ? params.login_hint : DEFAULT_USER } }
    : { error: 'access_denied', error_description: `unexpected prompt ${prompt.name}` };
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(returnTo);
});

provider.listen(PORT, '127.0.0.1', () => {
  console.log(`idp ready ${ISSUER}`);
});
