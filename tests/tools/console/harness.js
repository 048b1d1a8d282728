// What both console walks share: headless Debian Chromium through puppeteer-core (no
// downloaded browser), a 60 s bound, CSP violations collected, screenshots by name, and
// the verdict line ("<name>: ok" and exit 0, or every problem and exit 1).
const puppeteer = require("puppeteer-core");
const path = require("path");

async function walk(name, shots, steps) {
  const problems = [];
  const check = (ok, what) => { if (!ok) problems.push(what); };
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
  const timer = setTimeout(() => { console.log(`${name}: timed out`); process.exit(1); }, 60000);
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    // A page that breaks its own CSP shows up here (refused script, style or frame).
    page.on("console", (msg) => {
      if (/Content Security Policy/i.test(msg.text())) problems.push(`CSP violation: ${msg.text()}`);
    });
    const shot = (file) => page.screenshot({ path: path.join(shots, `${file}.png`), fullPage: true });
    await steps({ page, check, shot });
  } catch (e) {
    problems.push(`${name} failed: ${e.stack || e}`);
  } finally {
    clearTimeout(timer);
    await browser.close();
  }
  if (problems.length) {
    console.log(problems.join("\n"));
    process.exit(1);
  }
  console.log(`${name}: ok`);
}

module.exports = { walk };
