// npm oidc-provider 9 serving the client credentials grant with RS256 JWT access tokens
// (RFC 9068 shape, via resource indicators), the peer of bench/tokens/run.sh. Run from the
// directory holding node_modules/oidc-provider: PORT=... node cc_provider.mjs
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const PORT = Number(process.env.PORT || 9500);
const ISSUER = `http://127.0.0.1:${PORT}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = { ...privateKey.export({ format: 'jwk' }), kid: 'bench', use: 'sig', alg: 'RS256' };
const API = 'https://api.bench.test';

const provider = new Provider(ISSUER, {
  clients: [{
    client_id: 'bench', client_secret: 'bench-secret', grant_types: ['client_credentials'],
    redirect_uris: [], response_types: [], token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [key] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => API,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({ scope: 'api', audience: API, accessTokenTTL: 600,
        accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
    },
  },
});
provider.listen(PORT, '127.0.0.1', () => console.log(`provider ready ${ISSUER}`));
