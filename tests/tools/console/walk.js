// Walks the axid console in headless Debian Chromium (puppeteer-core, no downloaded
// browser): sign-in refusal beside its field, sign-in, overview, the SSO audit with a
// hostile NameID shown as text, sign-out. Saves a screenshot of every page.
//   node walk.js BASE_URL ORG PASSWORD SCREENSHOT_DIR
// Prints "walk: ok" and exits 0, or prints what failed and exits 1.
const { walk } = require("./harness");

const [base, org, password, shots] = process.argv.slice(2);

walk("walk", shots, async ({ page, check, shot }) => {
  await page.goto(`${base}/`, { waitUntil: "networkidle0" });
  check(page.url() === `${base}/ui/sign-in`, `the root led to ${page.url()}`);
  await shot("sign-in");

  await page.type("#org_id", org);
  await page.type("#password", "not-the-password");
  await Promise.all([page.waitForNavigation(), page.click("form[action='/ui/sign-in'] button")]);
  const fieldError = await page.$eval("#password-error", (e) => e.textContent).catch(() => null);
  check(fieldError === "the organization or password is wrong", `password error: ${fieldError}`);
  await shot("sign-in-refused");

  await page.$eval("#password", (e) => { e.value = ""; });
  await page.type("#password", password);
  await Promise.all([page.waitForNavigation(), page.click("form[action='/ui/sign-in'] button")]);
  check(page.url() === `${base}/ui/`, `after sign-in at ${page.url()}`);
  const heading = await page.$eval("h1", (e) => e.textContent);
  check(heading === "Overview", `overview heading: ${heading}`);
  const cookies = await page.cookies();
  const session = cookies.find((c) => c.name === "axonflow_session");
  check(session && session.httpOnly, "the session cookie is HttpOnly");
  await shot("overview");

  await page.goto(`${base}/ui/audit`, { waitUntil: "networkidle0" });
  const tableText = await page.$eval("table", (e) => e.textContent);
  check(tableText.includes("<script>alert(2)</script>"), "the hostile NameID is shown as text");
  check((await page.$("img[src='x']")) === null, "no element came from the NameID");
  check(await page.evaluate(() => window.__xss === undefined), "no script ran");
  await page.select("#outcome", "success");
  await Promise.all([page.waitForNavigation(), page.click("form.filters button")]);
  check(page.url().includes("outcome=success"), `filter url ${page.url()}`);
  await shot("audit");

  for (const [name, url] of [["directory", "/ui/directory"], ["api-keys", "/ui/api-keys"], ["clients", "/ui/clients"], ["webhooks", "/ui/webhooks"]]) {
    await page.goto(`${base}${url}`, { waitUntil: "networkidle0" });
    check((await page.$eval("h1", (e) => e.textContent)).length > 0, `${name} has a heading`);
    await shot(name);
  }
  await page.goto(`${base}/ui/scim-tokens`, { waitUntil: "networkidle0" });
  await page.type("#name", "Okta provisioning");
  await Promise.all([page.waitForNavigation(), page.click("form[action='/ui/scim-tokens'] button")]);
  const secret = await page.$eval("#secret", (e) => e.textContent).catch(() => "");
  check(secret.length > 20, "the new SCIM token is shown once");
  await shot("scim-token-created");
  await page.goto(`${base}/ui/scim-tokens`, { waitUntil: "networkidle0" });
  check(!(await page.content()).includes(secret), "the token list does not show the secret");

  await Promise.all([page.waitForNavigation(), page.click("form[action='/ui/sign-out'] button")]);
  check(page.url() === `${base}/ui/sign-in`, `after sign-out at ${page.url()}`);
  await page.goto(`${base}/ui/`, { waitUntil: "networkidle0" });
  check(page.url() === `${base}/ui/sign-in`, "signed out: the console asks to sign in");
});
