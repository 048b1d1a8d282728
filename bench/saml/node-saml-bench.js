// µs per validation with npm @node-saml/node-saml on the same responses axid validates.
// Usage: NODE_PATH=<dir>/node_modules node node-saml-bench.js DIR
const fs = require('fs');
const path = require('path');
const { SAML } = require('@node-saml/node-saml');

const dir = process.argv[2];
const cert = fs.readFileSync(path.join(dir, 'idp.crt'), 'utf8');
const files = fs.readdirSync(dir).filter(f => f.endsWith('.b64')).sort();
const responses = files.map(f => fs.readFileSync(path.join(dir, f), 'utf8'));
// Encrypted responses (saml_bench gen-encrypted) come with the SP's decryption key.
const spKey = path.join(dir, 'sp.key');
const decryptionPvk = fs.existsSync(spKey) ? fs.readFileSync(spKey, 'utf8') : undefined;
const saml = new SAML({
  callbackUrl: 'http://127.0.0.1:1/auth/saml/acme/callback',
  entryPoint: 'https://idp.example.test/sso',
  issuer: 'http://127.0.0.1:1/auth/saml/acme/metadata',
  audience: 'http://127.0.0.1:1/auth/saml/acme/metadata',
  idpCert: cert,
  idpIssuer: 'https://idp.example.test/',
  wantAssertionsSigned: true,
  wantAuthnResponseSigned: false,
  validateInResponseTo: 'never',
  acceptedClockSkewMs: 120000,
  decryptionPvk,
});

(async () => {
  for (const r of responses) await saml.validatePostResponseAsync({ SAMLResponse: r });
  const rounds = 5;
  const start = process.hrtime.bigint();
  for (let k = 0; k < rounds; k++) {
    for (const r of responses) await saml.validatePostResponseAsync({ SAMLResponse: r });
  }
  const us = Number(process.hrtime.bigint() - start) / 1000 / (rounds * responses.length);
  console.log(`node-saml in-process: ${us.toFixed(1)} us per validation (${responses.length} responses x ${rounds})`);
})().catch(e => { console.error(e); process.exit(1); });
