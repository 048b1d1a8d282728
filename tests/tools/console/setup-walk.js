// An IT admin opens a setup link in headless Debian Chromium: the token leaves the address
// bar, a page outside the link's intents is refused, a SCIM token is made and shown once,
// and once the organization's admin deletes the link the next page says the session ended.
//   node setup-walk.js BASE_URL LINK_URL LINK_ID ADMIN_API_KEY SCREENSHOT_DIR
// Prints "setup walk: ok" and exits 0, or prints what failed and exits 1.
const puppeteer = require("puppeteer-core");
const path = require("path");

const [base, link, linkId, apiKey, shots] = process.argv.slice(2);
const problems = [];
const check = (ok, what) => { if (!ok) problems.push(what); };

(async () => {
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  const timer = setTimeout(() => { console.log("setup walk: timed out"); process.exit(1); }, 60000);
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    page.on("console", (msg) => {
      if (/Content Security Policy/i.test(msg.text())) problems.push(`CSP violation: ${msg.text()}`);
    });
    const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

    await page.goto(link, { waitUntil: "networkidle0" });
    await page.waitForFunction(() => location.pathname === "/setup/", { timeout: 10000 }).catch(() => {});
    check(page.url() === `${base}/setup/`, `the token is gone from the address bar: ${page.url()}`);
    check(!page.url().includes("axl_"), "no token in the URL");
    await shot("setup-start");

    const refused = await page.goto(`${base}/setup/sso`, { waitUntil: "networkidle0" });
    check(refused.status() === 403, `sso outside the intents: ${refused.status()}`);

    await page.goto(`${base}/setup/scim`, { waitUntil: "networkidle0" });
    await Promise.all([page.waitForNavigation(), page.click("form[action='/setup/scim'] button")]);
    const secret = await page.$eval("#secret", (e) => e.textContent).catch(() => "");
    check(secret.startsWith("axs_"), `a SCIM token is shown: ${secret.slice(0, 4)}`);
    await shot("setup-scim-token");

    const deleted = await fetch(`${base}/api/v1/setup-links/${linkId}`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${apiKey}` },
    });
    check(deleted.status === 204, `the admin deletes the link: ${deleted.status}`);
    const after = await page.goto(`${base}/setup/scim`, { waitUntil: "networkidle0" });
    check(after.status() === 401, `the next request after deletion: ${after.status()}`);
    check((await page.content()).includes("setup_session_ended"), "the page says the session ended");
    await shot("setup-ended");
  } catch (e) {
    problems.push(`setup walk failed: ${e.stack || e}`);
  } finally {
    clearTimeout(timer);
    await browser.close();
  }
  if (problems.length) {
    console.log(problems.join("\n"));
    process.exit(1);
  }
  console.log("setup walk: ok");
})();
