// A new office in a real browser, from an empty SQLite file and without the API:
// the server prints a one-time setup link; the IT officer creates the issuer and the
// first administrator (a mistake first: errors at the fields, nothing typed lost),
// pastes a list of five units, invites an office clerk and a unit officer; each reads
// the invitation from the SMTP server, sets a password through its link and logs in;
// the link then no longer works; the clerk asks for a forgotten password and sets a
// new one. Every page is checked in Vietnamese only and at 390 px.
//
// Run from the repository root after `cargo build`: node tests/web/setup_journey.mjs
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { bin, children, chromiumPath, freePort, noBrokenWords, root, shots, start, vietnameseOnly } from "./lib.mjs";

const DOM = { waitUntil: "domcontentloaded" };
let step = "start";
let current = null;
let opened = 0;

function check(cond, what) {
  if (!cond) throw new Error(`${step}: ${what}`);
}

// A stored message's plain-text part, decoded as a mail reader would (Python's parser).
function plainText(file) {
  const py = "import email, email.policy, sys\nm = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)\nprint(m['To'])\nprint(m.get_body(('plain',)).get_content())";
  const r = spawnSync("python3", ["-c", py, file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`reading ${file}: ${r.stderr}`);
  return r.stdout;
}

// The newest of at least `count` mails to `to` in the SMTP server's folder, waiting
// for the dispatcher: its recipient line and plain text.
async function mailTo(dir, to, count = 1) {
  for (let i = 0; i < 150; i++) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".eml")).sort() : [];
    const found = files.map((f) => plainText(path.join(dir, f))).filter((m) => m.split("\n")[0].includes(to));
    if (found.length >= count) return found[found.length - 1];
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${step}: no mail to ${to} arrived`);
}

function linkIn(mail, base) {
  const m = mail.match(new RegExp(`${base.replace(/[.:/]/g, "\\$&")}/password/[0-9a-f]{64}`));
  check(m, `a one-time link in the mail:\n${mail.slice(0, 2000)}`);
  return m[0];
}

async function main() {
  for (const [what, file] of [["the nhiemvu binary (cargo build)", bin], ["Chromium (apt-get install chromium)", chromiumPath]]) {
    if (!fs.existsSync(file)) {
      console.log(`SKIPPED: ${what} is not at ${file}; tests/run.sh installs and builds it`);
      process.exit(process.env.CI === "true" || process.env.CI === "1" ? 1 : 0);
    }
  }
  const began = Date.now();
  fs.mkdirSync(shots, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nhiemvu-setup-"));
  const mailDir = path.join(work, "mail");
  const [smtpPort, httpPort] = [await freePort(), await freePort()];
  const base = `http://127.0.0.1:${httpPort}`;
  await start("python3", [path.join(root, "tests/support/smtp_server.py"), String(smtpPort), mailDir], {}, (o) => o.includes("ready"));
  let printed = "";
  await start(bin, ["serve"], {
    APP__STORAGE__DATA_DIR: path.join(work, "data"),
    APP__SERVER__PORT: String(httpPort),
    APP__SERVER__PUBLIC_URL: base,
    APP__SERVER__SECURE_COOKIES: "false",
    APP__MAIL__ENABLED: "true",
    APP__MAIL__PORT: String(smtpPort),
    APP__MAIL__DISPATCH_EVERY_SECS: "1",
    APP__LOG__FILTER: "warn",
  }, (o) => { printed = o; return /\/setup\/[0-9a-f]{64}/.test(o); });
  const setupLink = printed.match(new RegExp(`${base}/setup/[0-9a-f]{64}`))?.[0];
  check(setupLink, `the server prints the setup link with its public address:\n${printed}`);
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }

  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  const context = await browser.newContext({ locale: "vi-VN", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  current = page;
  page.setDefaultTimeout(20000);
  page.on("dialog", (d) => d.accept().catch(() => {}));
  page.on("framenavigated", (f) => { if (f === page.mainFrame()) opened += 1; });
  const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  const text = async (sel) => (await page.locator(sel).first().innerText()).trim();
  async function go(selector) {
    await Promise.all([page.waitForNavigation(DOM), page.click(selector)]);
  }
  async function login(user, password) {
    await page.goto(`${base}/login`, DOM);
    await page.fill("#username", user);
    await page.fill("#password", password);
    await go("button[type=submit]");
  }
  async function logout() {
    await go("header .who button");
    await page.waitForURL(/\/login/);
  }
  // The page as a phone shows it: Vietnamese only, nothing wider than the screen,
  // no syllable broken.
  async function phone(where) {
    await page.setViewportSize({ width: 390, height: 844 });
    await vietnameseOnly(page, where);
    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
    check(fits, `${where} fits a phone`);
    await noBrokenWords(page, where);
    await page.setViewportSize({ width: 1280, height: 900 });
  }

  // 1. Setup, first with mistakes.
  step = "setup";
  await page.goto(setupLink, DOM);
  check((await text("h1")) === "Thiết lập lần đầu", "the setup page opens");
  await phone("setup");
  await page.fill("#name_lines", "ỦY BAN NHÂN DÂN\nXÃ TÂN HƯƠNG");
  for (const [id, v] of [["full_name", "Ủy ban nhân dân xã Tân Hương"], ["short_name", "UBND xã"], ["place_name", "Tân Hương"],
    ["code", "Xã Tân Hương"], ["name", "Nguyễn Thị Hoa"], ["username", "hoa.nt"], ["email", "hoa.nt@tanhuong.example.vn"],
    ["password", "mật khẩu quản trị"], ["repeat", "mật khẩu quản trị"]]) {
    await page.fill(`#${id}`, v);
  }
  await go("button[type=submit]");
  check(await page.locator("#err-code").isVisible(), "a code with spaces and accents is named at its field");
  check((await page.inputValue("#full_name")) === "Ủy ban nhân dân xã Tân Hương", "what was typed is kept");
  check((await page.inputValue("#password")) === "", "a password is never sent back");
  await vietnameseOnly(page, "setup errors");
  await shot("setup-01-errors");
  await page.fill("#code", "xa-tan-huong");
  await page.fill("#password", "mật khẩu quản trị");
  await page.fill("#repeat", "mật khẩu quản trị");
  await go("button[type=submit]");
  check((await text("#done")).startsWith("Đã thiết lập xong"), "setup says it is done and asks to log in");
  check(new URL(page.url()).pathname === "/login", "setup leads to the login page, so a reload resends nothing");
  check((await page.inputValue("#username")) === "hoa.nt", "the administrator's name is filled in");
  const again = await page.goto(setupLink, DOM);
  check(again.status() === 410, `the setup link works once, got ${again.status()}`);

  // 2. The administrator: the issuer's page, five units pasted, two people invited.
  step = "administrator";
  await login("hoa.nt", "mật khẩu quản trị");
  check(new URL(page.url()).pathname === "/", `the administrator lands on the dashboard, got ${page.url()}`);
  await page.goto(`${base}/admin/issuer`, DOM);
  check((await page.inputValue("#place_name")) === "Tân Hương", "the issuer page shows what setup stored");
  await phone("issuer");
  await page.goto(`${base}/admin/units`, DOM);
  await page.selectOption("#kind", { label: "Cơ quan chuyên môn" });
  await page.fill("#list", [
    "VP\tVăn phòng HĐND và UBND\tvp@tanhuong.example.vn",
    "KT | Phòng Kinh tế | kt@tanhuong.example.vn",
    "VH-XH | Phòng Văn hóa - Xã hội | khong-phai-thu",
    "TC; Tổ Tài chính - Kế toán; tc@tanhuong.example.vn",
    "CA | Công an xã | ca@tanhuong.example.vn",
  ].join("\n"));
  await go("button:has-text('Thêm đơn vị')");
  check((await text("#err-list")).includes("Dòng 3, e-mail"), "the bad line is named by its number");
  check((await page.locator("#no-units").count()) === 1, "no unit was added");
  await phone("units with an error");
  await page.fill("#list", (await page.inputValue("#list")).replace("khong-phai-thu", "vhxh@tanhuong.example.vn"));
  await go("button:has-text('Thêm đơn vị')");
  check((await text("#notice")).startsWith("Đã thêm các đơn vị"), "the units are added");
  check((await page.locator("#units tbody tr").count()) === 5, "five units listed");
  await phone("units");
  await shot("setup-02-units");

  await page.goto(`${base}/admin/users`, DOM);
  for (const [name, username, email, role, unit] of [
    ["Trần Văn Bình", "binh.tv", "binh.tv@tanhuong.example.vn", "Văn phòng", null],
    ["Lê Thị Cúc", "cuc.lt", "cuc.lt@tanhuong.example.vn", "Cán bộ đơn vị", "KT"],
  ]) {
    await page.fill("#name", name);
    await page.fill("#username", username);
    await page.fill("#email", email);
    await page.selectOption("#role", { label: role });
    if (unit) await page.selectOption("#unit_id", { label: unit });
    await go("button:has-text('Thêm và gửi thư mời')");
    check((await text("#notice")).startsWith("Đã đưa thư mời vào hàng gửi"), `${username} is invited`);
  }
  check((await text("#users")).includes("Lê Thị Cúc"), "the people are listed");
  await phone("people");
  await shot("setup-03-people");
  await logout();

  // 3. Each invited person follows their link, sets a password and logs in.
  step = "invitations";
  for (const [username, email, home] of [["binh.tv", "binh.tv@tanhuong.example.vn", "/"], ["cuc.lt", "cuc.lt@tanhuong.example.vn", "/inbox"]]) {
    const mail = await mailTo(mailDir, email);
    check(mail.includes("Ủy ban nhân dân xã Tân Hương"), "the invitation names the issuer");
    const link = linkIn(mail, base);
    await page.goto(link, DOM);
    check((await text("h1")) === "Đặt mật khẩu", "the link opens the password page");
    await phone("password page");
    await page.fill("#password", "mật khẩu của tôi");
    await page.fill("#repeat", "mật khẩu của tôi");
    await go("button[type=submit]");
    check((await text("#done")).startsWith("Đã đặt mật khẩu"), "the password is set");
    await login(username, "mật khẩu của tôi");
    check(new URL(page.url()).pathname === home, `${username} lands on ${home}, got ${page.url()}`);
    await logout();
    const used = await page.goto(link, DOM);
    check(used.status() === 410, "the invitation works once");
  }

  // 4. A forgotten password: the same answer for anyone, a link for the real one.
  step = "forgot password";
  await page.goto(`${base}/login`, DOM);
  await go("#forgot");
  await page.fill("#address", "khong-ai@tanhuong.example.vn");
  await go("button[type=submit]");
  const unknown = await text("#sent");
  await page.goto(`${base}/forgot`, DOM);
  await page.fill("#address", "binh.tv");
  await go("button[type=submit]");
  check((await text("#sent")) === unknown, "the same answer for a known and an unknown name");
  await phone("forgot");
  const reset = await mailTo(mailDir, "binh.tv@tanhuong.example.vn", 2);
  await page.goto(linkIn(reset, base), DOM);
  await page.fill("#password", "mật khẩu mới của tôi");
  await page.fill("#repeat", "mật khẩu mới của tôi");
  await go("button[type=submit]");
  await login("binh.tv", "mật khẩu mới của tôi");
  check(new URL(page.url()).pathname === "/", "the new password works");

  await browser.close();
  const seconds = ((Date.now() - began) / 1000).toFixed(1);
  console.log(`setup journey passed: ${opened} pages opened in ${seconds} s; screenshots in ${shots}`);
}

main()
  .catch(async (e) => {
    console.error(`setup journey FAILED at ${step}:`, e.message || e);
    if (current) {
      console.error(`page: ${current.url()}`);
      await current.screenshot({ path: path.join(shots, "setup-failure.png"), fullPage: true }).catch(() => {});
    }
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill("SIGTERM");
  });
