// Drives the mailserver web admin in headless Chromium (Debian's) through
// playwright-core: every step checks what the page shows and throws on a mismatch
// (exit 1). Run by scripts/interop/80-webadmin.sh, which starts the server and passes:
// BASE_URL, TOKEN, SMTP_PORT, SHOTS (screenshot folder), CHROMIUM (the binary),
// NODE_DIR (where playwright-core is installed), GREYLIST_LOG (the 451 server's log).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(path.join(process.env.NODE_DIR, "package.json"));
const { chromium } = require("playwright-core");

const base = process.env.BASE_URL;
const token = process.env.TOKEN;
const shots = process.env.SHOTS;
const smtpPort = process.env.SMTP_PORT;

function check(condition, what) {
  if (!condition) {
    throw new Error(`mismatch: ${what}`);
  }
  console.log(`[webadmin] ok: ${what}`);
}

// Sends one message with Python's smtplib to the server's SMTP port.
function smtplib(from, to, subject, body) {
  const script = `
import smtplib, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=20)
msg = "From: %s\\r\\nTo: %s\\r\\nSubject: %s\\r\\n\\r\\n%s\\r\\n" % (sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
s.sendmail(sys.argv[2], [sys.argv[3]], msg.encode())
s.quit()
`;
  execFileSync("python3", ["-c", script, smtpPort, from, to, subject, body], { stdio: "inherit" });
}

// Reloads `url` until `test(page)` holds, for up to `seconds`.
async function waitFor(page, url, seconds, test) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    await page.goto(url);
    if (await test(page)) {
      return true;
    }
    if (Date.now() > deadline) {
      return false;
    }
    await page.waitForTimeout(500);
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    // Nothing leaves the machine: no name resolution, no proxy for anything but
    // loopback (which Chromium never proxies), no background services.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-pings",
  ],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
page.setDefaultTimeout(15000);
page.on("dialog", (dialog) => dialog.accept());
const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

try {
  // Nothing without signing in.
  await page.goto(`${base}/queue`);
  check(page.url() === `${base}/login`, "an unsigned visitor is sent to the sign-in page");
  await shot("01-login");

  // Wrong credentials are refused.
  await page.fill("input[name=secret]", "not-the-token-0000000000");
  await page.click("button[type=submit]");
  check((await page.textContent(".error")).includes("Wrong token, address or password."), "a wrong token is refused");
  await page.fill("input[name=user]", "boss@example.test");
  await page.fill("input[name=secret]", "wrong-password");
  await page.click("button[type=submit]");
  check((await page.textContent(".error")).includes("Wrong token"), "a wrong password is refused");
  await shot("02-login-refused");
  await page.goto(`${base}/`);
  check(page.url() === `${base}/login`, "still signed out");

  // Sign in with the admin token.
  await page.fill("input[name=user]", "");
  await page.fill("input[name=secret]", token);
  await page.click("button[type=submit]");
  check(page.url() === `${base}/`, "signed in, on the dashboard");
  check((await page.textContent("h1")).startsWith("Dashboard"), "the dashboard renders");
  check(await page.isVisible("svg.chart"), "the rate chart is drawn");
  await shot("03-dashboard");

  // Add a domain; see its records; check DNS (nothing answers: lookups fail).
  await page.click("nav >> text=Domains");
  await page.fill("#add-domain input[name=name]", "shop.test");
  await page.click("#add-domain button");
  check(page.url() === `${base}/domains/shop.test`, "the domain was added");
  check((await page.textContent("#records")).includes("_dmarc.shop.test."), "the DMARC record to publish is listed");
  check((await page.textContent("#records")).includes("ed1._domainkey.shop.test."), "the DKIM record to publish is listed");
  await shot("04-domain");
  await page.click("#check-dns");
  const verdicts = await page.$$eval("#records td[class^=status-]", (cells) => cells.map((c) => c.textContent.trim()));
  check(verdicts.length === 4 && verdicts.every((v) => v === "unknown"), `DNS checked, no answer from the dead resolver (${verdicts})`);
  await shot("05-domain-checked");
  await page.click("nav >> text=Domains");
  check((await page.textContent("#domains")).includes("shop.test"), "the domain is in the list");
  await shot("06-domains");

  // Add a user with a quota, and a catch-all.
  await page.click("nav >> text=Users");
  await page.fill("#add-user input[name=address]", "carol@shop.test");
  await page.fill("#add-user input[name=password]", "carol-password-1");
  await page.fill("#add-user input[name=quota]", "50M");
  await page.click("#add-user button");
  check(page.url() === `${base}/users/carol@shop.test`, "the user was created");
  check((await page.textContent(".flash")).includes("Created carol@shop.test."), "the page says so");
  check((await page.textContent("#usage")).includes("50.0 MiB"), "with its quota");
  await shot("07-user");
  await page.click("nav >> text=Users");
  check((await page.textContent("#users")).includes("carol@shop.test"), "the user is in the list");
  await shot("08-users");
  await page.click("nav >> text=Aliases");
  await page.fill("#add-alias input[name=source]", "@shop.test");
  await page.selectOption("#add-alias select[name=target]", "carol@shop.test");
  await page.click("#add-alias button");
  check((await page.textContent("#aliases")).includes("(catch-all)"), "the catch-all was added");
  await shot("09-aliases");

  // A message for carol (through the catch-all, with markup in it), found by search.
  smtplib("sender@outside.test", "anything@shop.test", "Browser test <b>bold</b>", "A kiwi line <script>document.title='pwned'</script>");
  await page.click("nav >> text=Search");
  await page.selectOption("#search-form select[name=user]", "carol@shop.test");
  await page.fill("#search-form input[name=text]", "kiwi");
  await page.click("#search-form button");
  check(await page.isVisible("#hits"), "the message is found by full text");
  await page.fill("#search-form input[name=subject]", "Browser test");
  await page.click("#search-form button");
  check((await page.textContent("#hits")).includes("Browser test <b>bold</b>"), "found by subject, markup shown as text");
  await shot("10-search");
  await page.click("#hits a");
  check(page.url().includes("/message?"), "the message opens");
  check((await page.textContent("#body")).includes("<script>document.title='pwned'</script>"), "the body is shown as text");
  check(!(await page.title()).includes("pwned"), "no script from the message ran");
  check(await page.isVisible("tr.auth-results"), "the Authentication-Results field is shown");
  await shot("11-message");

  // A message to the greylisted destination waits in the queue; Retry tries again.
  smtplib("carol@shop.test", "dave@remote.test", "Waiting", "greylisted");
  const deferred = await waitFor(page, `${base}/queue?state=deferred`, 30, (p) => p.isVisible("#queue"));
  check(deferred, "the message is deferred in the queue");
  check((await page.textContent("#queue")).includes("451 4.7.1 greylisted"), "with the 451 as its last error");
  await shot("12-queue");
  await page.click("#queue a");
  check((await page.textContent("#recipients")).includes("deferred"), "the entry shows the recipient deferred");
  check((await page.textContent("#headers")).includes("Subject: Waiting"), "and the message header");
  const attempts = () => page.$eval("#recipients tbody td.num", (td) => Number(td.textContent));
  const before = await attempts();
  await shot("13-queue-entry");
  const entryUrl = page.url();
  await page.click("#action-retry");
  check((await page.textContent(".flash")).includes("retry done"), "Retry was accepted");
  const retried = await waitFor(page, entryUrl, 20, async () => (await attempts()) > before);
  check(retried, `the retry made another attempt (attempts were ${before})`);
  const greylisted = readFileSync(process.env.GREYLIST_LOG, "utf8").match(/^mail /gm) || [];
  check(greylisted.length >= 2, `the greylisting server refused ${greylisted.length} MAIL commands`);
  await shot("14-queue-retried");

  // The dashboard counted the deferrals and shows the error.
  await page.click("nav >> text=Dashboard");
  const deferredCount = Number(await page.textContent("#flow-hour td:nth-child(4)"));
  check(deferredCount >= 2, `the dashboard counts ${deferredCount} deferrals in the last hour`);
  check((await page.textContent("#errors")).includes("greylisted"), "the recent errors show the 451");
  await shot("15-dashboard-after");

  // Sign out.
  await page.click("header button");
  check(page.url() === `${base}/login`, "signed out");
  await page.goto(`${base}/users`);
  check(page.url() === `${base}/login`, "no page after signing out");
} catch (error) {
  await shot("99-failure").catch(() => {});
  console.error(`[webadmin] FAIL at ${page.url()}: ${error.message}`);
  await browser.close();
  process.exit(1);
}
await browser.close();
console.log("[webadmin] all steps passed");
