// Deadlines in a real browser (Debian's Chromium, driven by playwright-core), over the
// reference office: the clerk urges two overdue units from the dashboard in one step;
// the drafted công văn đôn đốc passes the Nghị định 30 check, is signed and issued;
// each unit gets the mail once (the SMTP test server) and both tasks say "Đã đôn đốc".
// Then the administrator lets the chairman decide deadline changes; a unit officer on a
// 390 px phone asks for an extension; the chairman approves it; the officer sees the new
// date. Screenshots go to target/test-artifacts/web/ (deadline-*.png).
//
// Run from the repository root after `cargo build`: node tests/web/deadline_journey.mjs
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bin, children, freePort, launchChromium, noBrokenWords, press as pressButton, requireParts, root, shots, start, vietnameseOnly } from "./lib.mjs";

const PASSWORD = "bacson-2024-demo";
const DOM = { waitUntil: "domcontentloaded" };
let step = "start";
let current = null;

function check(cond, what) {
  if (!cond) throw new Error(`${step}: ${what}`);
}

const iso = (d) => d.toISOString().slice(0, 10);
const vn = (s) => `${s.slice(8, 10)}/${s.slice(5, 7)}/${s.slice(0, 4)}`;

async function main() {
  requireParts();
  fs.mkdirSync(shots, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nhiemvu-deadlines-"));
  const mailDir = path.join(work, "mail");
  const [smtpPort, httpPort] = [await freePort(), await freePort()];
  await start("python3", [path.join(root, "tests/support/smtp_server.py"), String(smtpPort), mailDir], {}, (o) => o.includes("ready"));
  await start(bin, ["serve", "--demo"], {
    APP__STORAGE__DATA_DIR: path.join(work, "data"),
    APP__SERVER__PORT: String(httpPort),
    APP__MAIL__ENABLED: "true",
    APP__MAIL__PORT: String(smtpPort),
    APP__MAIL__DISPATCH_EVERY_SECS: "1",
    APP__LOG__FILTER: "warn",
    NHIEMVU_KEK: "6b".repeat(32),
  }, (o) => o.includes("mật khẩu") || o.includes("password"));
  const base = `http://127.0.0.1:${httpPort}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }

  // The year's work, set up through the API as the office would have assigned it:
  // a past year (every deadline gone) with two units' tasks late, and this year's task
  // for the unit officer to ask more time on.
  step = "set-up";
  const login = await fetch(`${base}/api/v1/auth/login`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "admin", password: PASSWORD }),
  });
  check(login.ok, `API login: ${login.status}`);
  const cookie = login.headers.get("set-cookie").split(";")[0];
  const csrf = (await login.json()).csrf_token;
  async function api(method, p, body) {
    const r = await fetch(`${base}/api/v1${p}`, {
      method, headers: { cookie, "x-csrf-token": csrf, "content-type": "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await r.text();
    check(r.ok, `${method} ${p}: ${r.status} ${text}`);
    return text ? JSON.parse(text) : null;
  }
  const issuer = (await api("GET", "/issuers")).items.find((i) => i.code !== "host") ?? (await api("GET", "/issuers")).items[0];
  const units = (await api("GET", `/units?issuer_id=${issuer.id}&per_page=100`)).items;
  const unit = (short) => units.find((u) => u.short_name === short).id;
  const today = new Date();
  const year = today.getUTCFullYear();
  // The reference year is 2024; a past year of our own beside it.
  const pastYear = year - 1 === 2024 ? 2023 : year - 1;
  const past = await api("POST", "/plans", { issuer_id: issuer.id, year: pastYear, title: `Nhiệm vụ trọng tâm năm ${pastYear}` });
  const pastGroup = await api("POST", "/groups", { plan_id: past.id, title: "Nhóm nhiệm vụ phát triển kinh tế" });
  const late = [];
  for (const [code, short, due] of [["1.1", "TC-KH", `${pastYear}-11-20`], ["1.2", "NN-PTNT", `${pastYear}-11-25`]]) {
    late.push(await api("POST", "/tasks", { group_id: pastGroup.id, code, text: `Hoàn thành chỉ tiêu ${code} về thu ngân sách và phát triển sản xuất`, lead_unit_id: unit(short), deadline: due }));
  }
  // This year's task (next year's, in the last days of December), due tomorrow.
  const dec28 = new Date(Date.UTC(year, 11, 28));
  const nowYear = today <= dec28 ? year : year + 1;
  const due = today <= dec28 ? new Date(today.getTime() + 86400000) : new Date(Date.UTC(nowYear, 0, 31));
  const asked = new Date(due.getTime() + 86400000 * 30 > Date.UTC(nowYear, 11, 31) ? Date.UTC(nowYear, 11, 30) : due.getTime() + 86400000 * 30);
  let thisPlan = (await api("GET", `/plans?issuer_id=${issuer.id}&year=${nowYear}`)).items[0];
  if (!thisPlan) thisPlan = await api("POST", "/plans", { issuer_id: issuer.id, year: nowYear, title: `Nhiệm vụ trọng tâm năm ${nowYear}` });
  const group = await api("POST", "/groups", { plan_id: thisPlan.id, title: "Nhóm nhiệm vụ cải cách hành chính" });
  const soon = await api("POST", "/tasks", { group_id: group.id, code: "1.1", text: "Số hóa hồ sơ thủ tục hành chính", lead_unit_id: unit("TC-KH"), deadline: iso(due) });

  const browser = await launchChromium();
  const context = await browser.newContext({ locale: "vi-VN", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  current = page;
  page.setDefaultTimeout(20000);
  page.on("dialog", (d) => d.accept().catch(() => {}));
  const shot = (name) => page.screenshot({ path: path.join(shots, `deadline-${name}.png`), fullPage: true });
  const text = async (sel) => (await page.locator(sel).first().innerText()).trim();
  async function go(selector) {
    await Promise.all([page.waitForNavigation(DOM), page.click(selector)]);
  }
  async function signIn(user) {
    await page.goto(`${base}/login`);
    await page.fill("#username", user);
    await page.fill("#password", PASSWORD);
    await go("button[type=submit]");
  }
  async function signOut() {
    await go("header .who button");
  }
  async function fits(where) {
    await vietnameseOnly(page, where);
    check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), `${where} fits the screen`);
    await noBrokenWords(page, where);
  }

  // 1. The clerk urges both late units from the dashboard in one step: a letter.
  step = "urge";
  await signIn("vanphong");
  await page.goto(`${base}/?plan=${past.id}`, DOM);
  const ways = await text("#ways");
  check(ways.includes("2\nChưa hoàn thành, quá hạn") || /2\s*Chưa hoàn thành, quá hạn/.test(ways), `the four-way counts: ${ways}`);
  for (const t of late) check((await page.locator(`#urge input[value="${t.lead_unit_id}"]`).count()) === 1, "each late unit can be chosen");
  for (const t of late) await page.check(`#urge input[value="${t.lead_unit_id}"]`);
  await page.check(`#urge input[name=by][value=letter]`);
  await shot("1-dashboard-urge");
  await go("#urge button[type=submit]");
  check(/\/documents\/[0-9a-f-]{36}/.test(page.url()) && page.url().includes("done=urge_drafted"), `the letter's page: ${page.url()}`);
  const docUrl = page.url().split("?")[0];
  const docId = docUrl.split("/").pop();
  const doc = await api("GET", `/documents/${docId}`);
  check(doc.recipients.map((r) => r.label).join("|") === "Phòng Tài chính - Kế hoạch|Phòng Nông nghiệp và Phát triển nông thôn|Lưu: VT, VP" || doc.recipients.length === 3, `Nơi nhận: the two units and the archive: ${JSON.stringify(doc.recipients)}`);
  await shot("2-letter-draft");
  // The Nghị định 30 check passes: the letter goes to the chairman.
  await pressButton(page, "button[value=submit]");
  check((await text("#doc-state")) === "Chờ lãnh đạo ký", `submitted: ${await text("#doc-state")}`);
  await signOut();

  step = "sign and issue";
  await signIn("chutich");
  await page.goto(docUrl, DOM);
  await pressButton(page, "button[value=approve]");
  check((await text("#doc-state")) === "Đã ký duyệt, chờ ban hành", "approved");
  await signOut();
  await signIn("vanphong");
  await page.goto(docUrl, DOM);
  await pressButton(page, "button[value=issue]");
  check((await text("#doc-state")) === "Đã ban hành", "issued");
  const number = (await api("GET", `/documents/${docId}`)).number;
  await shot("3-letter-issued");

  // Each unit's address gets the letter once.
  step = "mail";
  const wanted = ["tckh@bacson.example.vn", "nongnghiep@bacson.example.vn"];
  let got = [];
  for (let i = 0; i < 60; i++) {
    got = fs.existsSync(mailDir) ? fs.readdirSync(mailDir).filter((f) => f.endsWith(".eml")).map((f) => fs.readFileSync(path.join(mailDir, f), "latin1")) : [];
    if (wanted.every((w) => got.some((m) => m.includes(w)))) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const w of wanted) {
    const n = got.filter((m) => new RegExp(`^To: .*${w.replace(".", "\\.")}`, "mi").test(m)).length;
    check(n === 1, `${w} gets the letter once, got ${n}`);
  }

  // Both tasks say they were urged, with the letter's number.
  step = "urged";
  for (const t of late) {
    await page.goto(`${base}/tasks/${t.id}`, DOM);
    const lines = await text("#follow-up-lines");
    check(lines.includes("Đã đôn đốc ngày") && lines.includes(`văn bản số ${number}/UBND-VP`), `task ${t.code}: ${lines}`);
  }
  await shot("4-task-urged");
  await signOut();

  // 2. The administrator lets the chairman decide deadline changes.
  step = "rules";
  await signIn("admin");
  await page.goto(`${base}/admin/deadline-rules`, DOM);
  await page.check("input[name=signer_decides]");
  await go("#rules-form button[type=submit]");
  check((await text("#notice")).startsWith("Đã lưu quy tắc theo dõi hạn"), "the rules are saved");
  await signOut();

  // 3. A unit officer on a phone asks for more time.
  step = "extension on a phone";
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn("tckh");
  await page.goto(`${base}/tasks/${soon.id}`, DOM);
  await page.click("#request summary");
  await page.check("#request-form input[name=kind][value=extension]");
  await page.fill("#asked-on", iso(asked));
  await page.fill("#request-reason", "Chờ kinh phí số hóa được phân bổ");
  await shot("5-phone-request");
  await go("#request-form button[type=submit]");
  check((await text("#notice")).startsWith("Đã gửi đề xuất"), "the request is sent");
  await fits("the task page after the request");
  await signOut();

  step = "the chairman decides";
  await page.setViewportSize({ width: 1280, height: 900 });
  await signIn("chutich");
  await page.goto(`${base}/?plan=${thisPlan.id}`, DOM);
  check((await text("#awaiting")).includes("Đề xuất gia hạn"), "the request waits on the chairman's dashboard");
  await go("#awaiting a");
  await page.check(".decide-form input[name=decision][value=approve]");
  await go(".decide-form button[type=submit]");
  check((await text("#notice")).startsWith("Đã quyết định đề xuất"), "decided");
  await signOut();

  step = "the officer sees the new date";
  await page.setViewportSize({ width: 390, height: 844 });
  await signIn("tckh");
  await page.goto(`${base}/tasks/${soon.id}`, DOM);
  const said = await text("#follow-up");
  check(said.includes(`Hạn ban đầu: ${vn(iso(due))}`) && said.includes(`hạn mới ${vn(iso(asked))}`), `the new date: ${said}`);
  await fits("the task page with the new date");
  await shot("6-phone-new-date");

  await browser.close();
  console.log(`deadline journey passed: letter no. ${number} issued to ${wanted.length} units; screenshots in ${shots}`);
}

main()
  .catch(async (e) => {
    console.error(`deadline journey FAILED at ${step}:`, e.message || e);
    if (current) {
      console.error(`page: ${current.url()}`);
      await current.screenshot({ path: path.join(shots, "deadline-failure.png"), fullPage: true }).catch(() => {});
    }
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill("SIGTERM");
  });
