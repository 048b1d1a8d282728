// The SSO wizard in headless Debian Chromium against a real scripted IdP: npm samlify runs
// an HTTP IdP on loopback (HTTP-Redirect AuthnRequest in, auto-posted signed Response out).
// An admin signs in, picks Okta, pastes the IdP's metadata XML, maps a group to a role,
// saves the draft, runs the test sign-in and sees NameID, attributes (a hostile value shown
// as text) and roles, activates, and then a user signs in through SSO.
//   node wizard-walk.js BASE_URL ORG PASSWORD IDP_KEY IDP_CERT SCREENSHOT_DIR
// Prints "wizard walk: ok" and exits 0, or prints what failed and exits 1.
const fs = require("fs");
const http = require("http");
const crypto = require("crypto");
const saml = require("samlify");
const { walk } = require("./harness");

saml.setSchemaValidator({ validate: async () => "skipped" });
const [base, org, password, keyFile, certFile, shots] = process.argv.slice(2);
const spEntity = `${base}/auth/saml/${org}/metadata`;
const acs = `${base}/auth/saml/${org}/callback`;
const HOSTILE = `"><img src=x onerror="window.__xss=1"><script>alert(3)</script>`;
const EMAIL_FORMAT = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

const xmlText = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const attribute = (name, values) =>
  `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">` +
  values.map((v) => `<saml:AttributeValue xsi:type="xs:string">${xmlText(v)}</saml:AttributeValue>`).join("") +
  `</saml:Attribute>`;

function startIdp() {
  return new Promise((resolve) => {
    const server = http.createServer();
    server.listen(0, "127.0.0.1", () => {
      const location = `http://127.0.0.1:${server.address().port}/sso`;
      const idp = saml.IdentityProvider({
        entityID: "https://samlify-idp.test/",
        privateKey: fs.readFileSync(keyFile),
        signingCert: fs.readFileSync(certFile),
        wantAuthnRequestsSigned: false,
        nameIDFormat: [EMAIL_FORMAT],
        singleSignOnService: [{ Binding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect", Location: location }],
      });
      const sp = saml.ServiceProvider({
        entityID: spEntity,
        assertionConsumerService: [{ Binding: "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", Location: acs }],
        wantAssertionsSigned: true,
      });
      server.on("request", async (req, res) => {
        try {
          const url = new URL(req.url, location);
          const parsed = await idp.parseLoginRequest(sp, "redirect", { query: Object.fromEntries(url.searchParams), octetString: "" });
          const requestId = parsed.extract.request.id;
          const email = "ada@acme.test";
          const statement = `<saml:AttributeStatement>${attribute("email", [email])}${attribute("firstName", ["Ada"])}` +
            `${attribute("groups", ["Engineering", "Staff"])}${attribute("department", [HOSTILE])}</saml:AttributeStatement>`;
          const now = new Date();
          const later = new Date(now.getTime() + 5 * 60000).toISOString();
          const { context } = await idp.createLoginResponse(sp, parsed, "post", { email }, (template) => {
            const tags = {
              ID: `_${crypto.randomUUID()}`, AssertionID: `_${crypto.randomUUID()}`, Destination: acs, Audience: spEntity,
              EntityID: spEntity, SubjectRecipient: acs, Issuer: "https://samlify-idp.test/", IssueInstant: now.toISOString(),
              AssertionConsumerServiceURL: acs, StatusCode: "urn:oasis:names:tc:SAML:2.0:status:Success",
              ConditionsNotBefore: now.toISOString(), ConditionsNotOnOrAfter: later, SubjectConfirmationDataNotOnOrAfter: later,
              NameIDFormat: EMAIL_FORMAT, NameID: email, InResponseTo: requestId, AuthnStatement: "",
            };
            const filled = saml.SamlLib.replaceTagsByValue(template.replace("{AttributeStatement}", statement), tags);
            return { id: tags.ID, context: filled };
          });
          const relay = xmlText(url.searchParams.get("RelayState") || "");
          res.writeHead(200, { "content-type": "text/html" });
          res.end(`<!doctype html><form method="post" action="${acs}"><input type="hidden" name="SAMLResponse" value="${context}">` +
            `<input type="hidden" name="RelayState" value="${relay}"></form><script>document.forms[0].submit()</script>`);
        } catch (e) {
          res.writeHead(400, { "content-type": "text/plain" });
          res.end(`IdP refused: ${e}`);
        }
      });
      resolve({ server, metadata: idp.getMetadata() });
    });
  });
}

walk("wizard walk", shots, async ({ page, check, shot }) => {
  const { server, metadata } = await startIdp();
  try {
    await page.goto(`${base}/ui/sign-in`, { waitUntil: "networkidle0" });
    await page.type("#org_id", org);
    await page.type("#password", password);
    await Promise.all([page.waitForNavigation(), page.click("form[action='/ui/sign-in'] button")]);

    await page.goto(`${base}/ui/sso?provider=okta`, { waitUntil: "networkidle0" });
    const acsShown = await page.$eval("#sp-acs", (e) => e.textContent);
    check(acsShown === acs, `the ACS URL to copy: ${acsShown}`);
    check((await page.$eval("#groups-attribute", (e) => e.textContent)) === "groups", "Okta sends groups as 'groups'");
    await page.$eval("#metadata_xml", (e, xml) => { e.value = xml; }, metadata);
    await page.type("#role_mappings", "Engineering = editor");
    await shot("wizard");
    await Promise.all([page.waitForNavigation(), page.click("form[action='/ui/sso/draft'] button")]);
    check(page.url() === `${base}/ui/sso?done=saved`, `after saving at ${page.url()}`);
    check((await page.$eval("#draft-entity", (e) => e.textContent)) === "https://samlify-idp.test/", "the draft read the metadata");

    // The test sign-in: to the samlify IdP and back through the ACS to the result.
    await Promise.all([
      page.waitForNavigation({ waitUntil: "networkidle0" }),
      page.click("form[action='/ui/sso/test'] button"),
    ]);
    await page.waitForSelector("#test-result", { timeout: 15000 });
    check(page.url() === `${base}/ui/sso`, `the result page is ${page.url()}`);
    const nameId = await page.$eval("#test-name-id", (e) => e.textContent);
    check(nameId === "ada@acme.test", `NameID shown: ${nameId}`);
    check((await page.$eval("#test-roles", (e) => e.textContent)) === "editor", "the mapping gives editor");
    const attributes = await page.$eval("#test-attributes", (e) => e.textContent);
    check(attributes.includes(HOSTILE), "the hostile attribute is shown as text");
    check((await page.$("img[src='x']")) === null, "no element came from the attribute");
    check(await page.evaluate(() => window.__xss === undefined), "no script ran");
    await shot("wizard-test-result");

    await Promise.all([page.waitForNavigation(), page.click("form[action='/ui/sso/activate'] button")]);
    check(page.url() === `${base}/ui/sso?done=activated`, `after activating at ${page.url()}`);
    const live = await page.$eval("#live", (e) => e.textContent);
    check(live.includes("enabled"), `live: ${live}`);
    await shot("wizard-activated");

    // A user now signs in through SSO in a fresh browser context: IdP, ACS, the console.
    const context = await page.browser().createBrowserContext();
    const user = await context.newPage();
    await user.goto(`${base}/auth/saml/${org}/login?return_to=/ui/`, { waitUntil: "networkidle0" });
    await user.waitForSelector("h1", { timeout: 15000 });
    check(user.url() === `${base}/ui/`, `the user landed on ${user.url()}`);
    const who = await user.$eval("header", (e) => e.textContent);
    check(who.includes("ada@acme.test"), `signed in as: ${who}`);
    await user.screenshot({ path: `${shots}/sso-user-signed-in.png`, fullPage: true });
    await context.close();
  } finally {
    server.close();
  }
});
