// npm jose as an independent verifier: reads one access token per stdin line and prints
// "ok <kid>" or "fail <reason>" after checking the signature against the remote JWKS and
// iss, aud, exp and typ (at+jwt). The JWKS cache is kept short, as a consumer should keep
// it no longer than the JWKS's Cache-Control max-age.
import { createInterface } from 'node:readline';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const [jwksUrl, issuer, audience] = process.argv.slice(2);
const jwks = createRemoteJWKSet(new URL(jwksUrl), { cacheMaxAge: 2000, cooldownDuration: 500 });
const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  const token = line.trim();
  if (!token) continue;
  try {
    const { protectedHeader } = await jwtVerify(token, jwks, { issuer, audience, typ: 'at+jwt' });
    console.log(`ok ${protectedHeader.kid}`);
  } catch (e) {
    console.log(`fail ${e.code || e.message}`);
  }
}
