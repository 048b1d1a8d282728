// An IT admin opens a setup link in headless Debian Chromium: the token leaves the address
// bar, a page outside the link's intents is refused, a SCIM token is made and shown once,
// and once the organization's admin deletes the link the next page says the session ended.
//   node setup-walk.js BASE_URL LINK_URL LINK_ID ADMIN_API_KEY SCREENSHOT_DIR
// Prints "setup walk: ok" and exits 0, or prints what failed and exits 1.
const { walk } = require("./harness");

const [base, link, linkId, apiKey, shots] = process.argv.slice(2);

walk("setup walk", shots, async ({ page, check, shot }) => {
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
});
