// Headless SAML IdP on npm samlify: prints a genuinely signed SAML Response, base64, for
// an SP. Usage: node samlify-idp.js <ACS_URL> <SP_ENTITY_ID> <InResponseTo|-> <email> <assertion|response|both>
// Env: IDP_KEY, IDP_CERT (PEM files), IDP_ENTITY. Find samlify through NODE_PATH.
// Encryption: SP_METADATA (the SP's metadata file, whose encryption certificate is used) and
// ENCRYPT (the content algorithm URI); the assertion is encrypted, then the Response signed.
const fs = require('fs');
const saml = require('samlify');
saml.setSchemaValidator({ validate: async () => 'skipped' }); // we only generate

const [acs, spEntity, irt, email, mode] = process.argv.slice(2);
const idp = saml.IdentityProvider({
  entityID: process.env.IDP_ENTITY || 'https://idp.example.test/',
  privateKey: fs.readFileSync(process.env.IDP_KEY),
  signingCert: fs.readFileSync(process.env.IDP_CERT),
  requestSignatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
  singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: 'https://idp.example.test/sso' }],
  isAssertionEncrypted: !!process.env.ENCRYPT,
  dataEncryptionAlgorithm: process.env.ENCRYPT,
  keyEncryptionAlgorithm: 'http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p',
});
const encrypting = !!process.env.ENCRYPT;
const sp = encrypting
  ? saml.ServiceProvider({
      // samlify reads WantAssertionsSigned from the metadata itself.
      metadata: fs.readFileSync(process.env.SP_METADATA, 'utf8')
        .replace('WantAssertionsSigned="true"', `WantAssertionsSigned="${mode !== 'response'}"`),
      wantMessageSigned: mode !== 'assertion',
    })
  : saml.ServiceProvider({
      entityID: spEntity,
      assertionConsumerService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST', Location: acs }],
      wantAssertionsSigned: mode !== 'response',
      wantMessageSigned: mode !== 'assertion',
    });

(async () => {
  const requestInfo = irt && irt !== '-' ? { extract: { request: { id: irt } } } : {};
  // encryptThenSign: a Response signature must cover the EncryptedAssertion as sent.
  const { context } = await idp.createLoginResponse(sp, requestInfo, 'post', { email }, undefined, encrypting);
  process.stdout.write(context);
})().catch(e => { console.error(e); process.exit(1); });
