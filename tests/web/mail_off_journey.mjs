// An office whose server sends no mail (the default, mail.enabled = false), in
// Chromium: the administrator adds a person; the page says no mail left and hands
// over the one-time link; the person, in a browser of their own, opens it, sets a
// password and logs in; the list then shows them as in. At 390 px and at desktop
// width, Vietnamese only.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bin, children, freePort, launchChromium, noBrokenWords, requireParts, shots, start, vietnameseOnly } from "./lib.mjs";

const DOM = { waitUntil: "domcontentloaded" };
const PASSWORD = "bacson-2024-demo";
let step = "start";
let current = null;

function check(cond, what) {
  if (!cond) throw new Error(`${step}: ${what}`);
}

async function main() {
  requireParts();
  fs.mkdirSync(shots, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nhiemvu-mail-off-"));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  await start(bin, ["serve", "--demo"], {
    APP__STORAGE__DATA_DIR: path.join(work, "data"),
    APP__SERVER__PORT: String(port),
    APP__SERVER__PUBLIC_URL: base,
    APP__SERVER__SECURE_COOKIES: "false",
    APP__MAIL__ENABLED: "false",
    APP__LOG__FILTER: "warn",
  }, (o) => o.includes("listening") || o.includes("vanphong"));
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  const browser = await launchChromium();
  const admin = await (await browser.newContext({ locale: "vi-VN", viewport: { width: 1366, height: 900 } })).newPage();
  current = admin;
  admin.setDefaultTimeout(60000);
  admin.on("dialog", (d) => d.accept().catch(() => {}));

  step = "administrator adds a person";
  await admin.goto(`${base}/login`, DOM);
  await admin.fill("#username", "admin");
  await admin.fill("#password", PASSWORD);
  await Promise.all([admin.waitForNavigation(DOM), admin.click("button[type=submit]")]);
  await admin.goto(`${base}/admin/users`, DOM);
  await admin.fill("#name", "Đỗ Thị Mai");
  await admin.fill("#username", "mai.dt");
  await admin.fill("#email", "mai.dt@bacson.example.vn");
  await admin.selectOption("#role", { label: "Văn phòng" });
  await Promise.all([admin.waitForNavigation(DOM), admin.click("button:has-text('Thêm và gửi thư mời')")]);
  const handover = (await admin.locator("#handover").innerText()).trim();
  check(handover.includes("chưa bật gửi thư") && handover.includes("Đỗ Thị Mai"), `the page says no mail left: ${handover}`);
  const link = await admin.inputValue("#handover-link");
  check(/^http:\/\/127\.0\.0\.1:\d+\/password\/[0-9a-f]{64}$/.test(link), `a one-time link to copy: ${link}`);
  const row = admin.locator("#users tr", { hasText: "mai.dt" });
  check((await row.innerText()).includes("Chưa nhận lời mời"), "listed as not yet in");
  await vietnameseOnly(admin, "people with a link handed over");
  await admin.screenshot({ path: path.join(shots, "mail-off-1-handover.png"), fullPage: true });
  await admin.setViewportSize({ width: 390, height: 844 });
  const fits = await admin.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
  check(fits, "the handover fits a phone");
  await noBrokenWords(admin, "handover");
  await admin.screenshot({ path: path.join(shots, "mail-off-2-handover-phone.png"), fullPage: true });

  step = "the new person sets a password";
  const person = await (await browser.newContext({ locale: "vi-VN", viewport: { width: 390, height: 844 } })).newPage();
  current = person;
  await person.goto(link, DOM);
  check((await person.locator("h1").innerText()).trim() === "Đặt mật khẩu", "the link opens the password page");
  await person.fill("#password", "mật khẩu của Mai");
  await person.fill("#repeat", "mật khẩu của Mai");
  await Promise.all([person.waitForNavigation(DOM), person.click("button[type=submit]")]);
  await person.goto(`${base}/login`, DOM);
  await person.fill("#username", "mai.dt");
  await person.fill("#password", "mật khẩu của Mai");
  await Promise.all([person.waitForNavigation(DOM), person.click("button[type=submit]")]);
  check(new URL(person.url()).pathname === "/", `logged in, on the dashboard: ${person.url()}`);
  const again = await person.goto(link, DOM);
  check(again.status() === 410, "the link works once");

  step = "the list shows her in";
  current = admin;
  await admin.goto(`${base}/admin/users`, DOM);
  check((await admin.locator("#users tr", { hasText: "mai.dt" }).innerText()).includes("Đang hoạt động"), "in now");
  await browser.close();
  console.log("mail-off journey passed: the link handed over on the page let the new person in");
}

main()
  .catch(async (e) => {
    console.error(`mail-off journey FAILED at ${step}:`, e.message || e);
    if (current) await current.screenshot({ path: path.join(shots, "mail-off-failure.png"), fullPage: true }).catch(() => {});
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill("SIGTERM");
  });
