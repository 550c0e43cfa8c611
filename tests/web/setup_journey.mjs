// A new office in a real browser, from an empty SQLite file to its first issued
// document, without the API and without copying a file by hand: the server prints a
// one-time setup link; the IT officer creates the issuer and the first administrator
// (a mistake first: errors at the fields, nothing typed lost), pastes a list of five
// units, invites an office clerk, a unit officer and the chairman; each reads the
// invitation from the SMTP server, sets a password through its link and logs in; the
// link then no longer works; the clerk asks for a forgotten password and sets a new
// one. Then the year: the clerk starts an empty plan with a group and two tasks, the
// unit reports on both, the clerk accepts them and drafts the plan document, the
// chairman approves it, the clerk issues it, and every recipient's mail carries the
// issued PDF. Every page is checked in Vietnamese only and at 390 px.
//
// Run from the repository root after `cargo build`: node tests/web/setup_journey.mjs
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bin, children, freePort, launchChromium, noBrokenWords, press as pressButton, requireParts, root, shots, start, vietnameseOnly } from "./lib.mjs";

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

// The SHA-256 of the PDF attached to a stored message, or "" (Python's mail parser).
function attachedPdf(file) {
  const py = "import email, email.policy, hashlib, sys\nm = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)\nprint(m['To'])\nfor a in m.iter_attachments():\n    if a.get_content_type() == 'application/pdf':\n        print(hashlib.sha256(a.get_content()).hexdigest())";
  const r = spawnSync("python3", ["-c", py, file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`reading ${file}: ${r.stderr}`);
  const [to, sha = ""] = r.stdout.trim().split("\n");
  return { to, sha };
}

// The SHA-256 of the PDF in the mail to `to`, waiting for the dispatcher.
async function pdfTo(dir, to) {
  for (let i = 0; i < 150; i++) {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".eml")).sort() : [];
    const found = files.map((f) => attachedPdf(path.join(dir, f))).filter((m) => m.to.includes(to) && m.sha);
    if (found.length) return found.map((m) => m.sha);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${step}: no mail with a PDF reached ${to}`);
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
  requireParts();
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

  const browser = await launchChromium();
  const context = await browser.newContext({ locale: "vi-VN", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  current = page;
  // Generous: a debug build renders each PDF, and CI may share the machine.
  page.setDefaultTimeout(60000);
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
    await shot(`setup-phone-${where.replace(/\s+/g, "-")}`);
    await page.setViewportSize({ width: 1280, height: 900 });
    await shot(`setup-desktop-${where.replace(/\s+/g, "-")}`);
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
  // An empty office is told where to start, one step at a time.
  const firstSteps = await page.locator("#start li").allInnerTexts();
  check(firstSteps.length === 5 && firstSteps.every((s) => !s.includes("đã xong")), `the start checklist, nothing done: ${firstSteps}`);
  await phone("start checklist");
  await page.goto(`${base}/admin/issuer`, DOM);
  check((await page.inputValue("#place_name")) === "Tân Hương", "the issuer page shows what setup stored");
  // The seal image: a file that is not a PNG is refused under the form, then the PNG goes in.
  await page.setInputFiles("#seal-file", { name: "con-dau.jpg", mimeType: "image/jpeg", buffer: Buffer.from("\xff\xd8\xff\xe0 not a png") });
  await page.click("#seal button");
  await page.waitForFunction(() => document.querySelector("#seal .upload-status").textContent.startsWith("Không lưu được ảnh"));
  check((await text("#seal .upload-status")).includes("PNG"), "a JPEG is refused, saying PNG");
  await page.setInputFiles("#seal-file", path.join(root, "tests/fixtures/seal.png"));
  await Promise.all([page.waitForURL(/done=seal_saved/), page.click("#seal button")]);
  check((await text("#seal-state")).startsWith("Đã có ảnh con dấu"), "the seal image is on file");
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
    ["Phạm Văn Dũng", "dung.pv", "dung.pv@tanhuong.example.vn", "Lãnh đạo ký", null],
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
  // Each unit and person opens on a form of its own.
  await go("#users a:has-text('Lê Thị Cúc')");
  check((await page.inputValue("#username")) === "cuc.lt", "the person's form");
  await phone("person form");
  await page.goto(`${base}/admin/units`, DOM);
  await go("#units a:has-text('KT')");
  check((await page.inputValue("#name")) === "Phòng Kinh tế", "the unit's form");
  await phone("unit form");
  // The keys page says what each holder still lacks (signing is off: images only).
  await page.goto(`${base}/admin/keys`, DOM);
  check((await text("#readiness")).includes("ảnh chữ ký"), `the chairman still lacks his signature image: ${await text("#readiness")}`);
  await phone("keys");
  // The first account administers the server too: it adds a neighbouring commune's
  // office and appoints that office's administrator, who is invited by mail.
  await page.goto(`${base}/admin/offices`, DOM);
  check((await text("h1")) === "Các cơ quan trên máy chủ", "the offices page");
  await page.fill("#name_lines", "ỦY BAN NHÂN DÂN\nXÃ HƯNG VŨ");
  await page.fill("#full_name", "Ủy ban nhân dân xã");
  await page.fill("#short_name", "UBND xã");
  await page.fill("#abbreviation", "UBND");
  await page.fill("#place_name", "Hưng Vũ");
  await page.fill("#code", "xa-hung-vu");
  await page.fill("#head_title", "CHỦ TỊCH");
  await go("button:has-text('Thêm cơ quan')");
  check((await text("#notice")).startsWith("Đã thêm cơ quan"), "the office is added");
  check((await text("#offices")).includes("XÃ HƯNG VŨ"), "the office is listed");
  await page.selectOption("#issuer_id", { label: "ỦY BAN NHÂN DÂN XÃ HƯNG VŨ" });
  await page.fill("#name", "Hoàng Văn Sơn");
  await page.fill("#username", "son.hv");
  await page.fill("#email", "son.hv@hungvu.example.vn");
  await go("button:has-text('Giao quản trị')");
  const invited = await text("#notice");
  check(invited.startsWith("Đã đưa thư mời vào hàng gửi") && !invited.includes("Thư đi"), `the office's administrator is invited: ${invited}`);
  check((await text("#offices")).includes("Hoàng Văn Sơn (son.hv)"), "listed as that office's administrator");
  await phone("offices");
  await shot("setup-02b-offices");
  await logout();

  // 3. Each invited person follows their link, sets a password and logs in.
  step = "invitations";
  for (const [username, email, home] of [["binh.tv", "binh.tv@tanhuong.example.vn", "/"], ["cuc.lt", "cuc.lt@tanhuong.example.vn", "/inbox"],
    ["dung.pv", "dung.pv@tanhuong.example.vn", "/sign-off"]]) {
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
    if (username === "dung.pv") {
      // The chairman puts his signature image on file on his own page.
      await page.goto(`${base}/account`, DOM);
      check((await page.inputValue("#email")) === email, "his address is on his page");
      await page.setInputFiles("#signature-file", path.join(root, "tests/fixtures/signature.png"));
      await Promise.all([page.waitForURL(/done=signature_saved/), page.click("form.image-upload button")]);
      check((await text("#signature-state")).startsWith("Đã có ảnh chữ ký"), "the signature image is on file");
      await phone("account");
    }
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
  const ticked = await page.locator("#start li.done").count();
  check(ticked === 2, `units and people are ticked on the clerk's start checklist, got ${ticked}`);

  // 5. The clerk starts the year's plan: a year in words first, then a group and two tasks.
  step = "plan";
  const year = new Date().getFullYear();
  const title = `Thực hiện nhiệm vụ trọng tâm năm ${year}`;
  await page.goto(`${base}/plans`, DOM);
  check((await page.locator("#no-plans").count()) === 1, "no plan yet");
  await page.fill("#year", "năm nay");
  await page.fill("#title", title);
  await go("button:has-text('Tạo kế hoạch')");
  check(await page.locator("#err-year").isVisible(), "a year in words is named at its field");
  check((await page.inputValue("#title")) === title, "the typed title is kept");
  await page.fill("#year", String(year));
  await go("button:has-text('Tạo kế hoạch')");
  check((await text("#notice")).startsWith("Đã tạo kế hoạch"), "the plan is created");
  check((await page.locator("#no-groups").count()) === 1, "an empty plan asks for a group first");
  const planUrl = `${base}${new URL(page.url()).pathname}`;
  await phone("new plan");
  // The rating bands the plan uses, and a copy's form.
  await page.goto(`${base}/rubrics`, DOM);
  await phone("rubrics");
  await go("a:has-text('Tạo thang mới từ thang này') >> nth=1");
  check((await page.inputValue("#name")).startsWith("Bản sao của"), "a copy's form");
  await phone("rubric form");
  await page.goto(planUrl, DOM);
  await page.fill("#group_title", "I. PHÁT TRIỂN KINH TẾ - XÃ HỘI");
  await go("form[action$='/groups'] button");
  const tasks = [
    ["1.1", "Hoàn thành thu ngân sách nhà nước trên địa bàn xã đạt và vượt dự toán được giao.", "Tỷ lệ thu ngân sách so với dự toán", "100", "%", "103"],
    ["1.2", "Giải quyết đúng hạn hồ sơ thủ tục hành chính tại Bộ phận một cửa.", "Số hồ sơ giải quyết đúng hạn", "1.200", "hồ sơ", "1.254"],
  ];
  for (const [code, what, target, goal, unit] of tasks) {
    await page.fill("#code", code);
    await page.fill("#text", what);
    await page.selectOption("#lead_unit_id", { label: "Phòng Kinh tế" });
    await page.check("label:has-text('VP') input");
    await page.fill("#deadline", `31/12/${year}`);
    await page.fill("input[name=target_description] >> nth=0", target);
    await page.fill("input[name=target_goal] >> nth=0", goal);
    await page.fill("input[name=target_unit] >> nth=0", unit);
    await go("button:has-text('Giao nhiệm vụ')");
    await page.waitForURL(/done=task_created/);
  }
  const taskIds = [];
  for (const [, what] of tasks) {
    const row = page.locator("tr[id^=task-]", { hasText: what });
    check(await row.isVisible(), `the task is listed: ${what}`);
    taskIds.push((await row.getAttribute("id")).replace("task-", ""));
  }
  await phone("plan");
  await shot("setup-04-plan");
  await logout();

  // 6. The unit officer reports on both tasks.
  step = "unit report";
  await login("cuc.lt", "mật khẩu của tôi");
  for (const [n, id] of taskIds.entries()) {
    await go(`a[href="/tasks/${id}"] >> nth=0`);
    await page.fill("#narrative", `Đơn vị đã hoàn thành nhiệm vụ ${tasks[n][0]} đúng hạn; **kết quả** vượt chỉ tiêu.`);
    await page.fill("input[id^=actual_] >> nth=0", tasks[n][5]);
    await page.fill("#self_score", "96");
    await go("text=Gửi Văn phòng");
    await page.waitForURL(/done=submitted/);
    check((await text("#result-state")) === "Chờ Văn phòng duyệt", `task ${tasks[n][0]} is submitted`);
    await page.goto(`${base}/inbox`, DOM);
  }
  await phone("inbox");
  await logout();

  // 7. The clerk accepts both results.
  step = "accept";
  await login("binh.tv", "mật khẩu mới của tôi");
  for (let i = 0; i < tasks.length; i++) {
    await page.goto(`${base}/review`, DOM);
    await go("td[data-label='Mã'] a >> nth=0");
    await go("button:has-text('Chấp nhận')");
    await page.waitForURL(/\/review\?done=/);
  }
  check((await page.locator("td[data-label='Mã'] a").count()) === 0, "nothing left to review");

  // 8. The clerk starts the year-end report from the plan page: recipients, signer
  // and subject come from the plan, its units and the issuer; it goes for signature.
  step = "document";
  const press = (selector) => pressButton(page, selector);
  await page.goto(planUrl, DOM);
  await go("#start-report");
  const docUrl = `${base}${new URL(page.url()).pathname}`;
  const docId = new URL(page.url()).pathname.split("/").pop();
  check((await page.inputValue("#subject")).startsWith(`Tình hình, kết quả thực hiện các nhiệm vụ trọng tâm năm ${year}`), "the subject comes from the plan");
  check((await page.inputValue("#signer_name")) === "Phạm Văn Dũng", "the office's only signer signs");
  const recipients = await page.inputValue("#recipients");
  check(recipients.includes("kt@tanhuong.example.vn") && recipients.includes("ca@tanhuong.example.vn"), `the units are the recipients: ${recipients}`);
  check(recipients.trim().endsWith("Lưu: VT, VP"), "the archive copy last");
  await phone("new report");
  await press("button[value=submit]");
  check(page.url().includes("done=submit"), `submitted for signature, at ${page.url()}: ${await page.locator("#check").innerText().catch(() => "")}`);
  check((await text("#notice")).startsWith("Đã trình lãnh đạo ký"), "the page says it went to the signer");
  await shot("setup-05-document");
  await logout();

  // 9. The chairman approves the document.
  step = "approve";
  await login("dung.pv", "mật khẩu của tôi");
  await Promise.all([page.waitForURL(/\/documents\//, DOM), page.click("text=Tình hình, kết quả thực hiện")]);
  await press("button[value=approve]");
  check(page.url().includes("done=approve"), `approved, at ${page.url()}`);
  check((await text("#doc-state")) === "Đã ký duyệt, chờ ban hành", "approved");
  await logout();

  // 10. The clerk issues it; each recipient's mail carries the issued PDF.
  step = "issue";
  await login("binh.tv", "mật khẩu mới của tôi");
  await page.goto(docUrl, DOM);
  await press("button[value=issue]");
  check(page.url().includes("done=issue"), `issued, at ${page.url()}`);
  check((await text("#doc-state")) === "Đã ban hành", "issued");
  const issuedSha = await text("p code.hash");
  for (const to of ["kt@tanhuong.example.vn", "ca@tanhuong.example.vn"]) {
    const shas = await pdfTo(mailDir, to);
    check(shas.length === 1 && shas[0] === issuedSha, `${to} got the issued PDF once: ${shas} vs ${issuedSha}`);
  }
  // Issuing checked what it stamped: the issued report's own check finds no error.
  const checked = await (await page.request.get(`${base}/api/v1/documents/${docId}/check`)).json();
  const errors = checked.findings.filter((f) => f.severity === "error");
  check(errors.length === 0, `the issued report passes its Nghị định 30 check: ${JSON.stringify(errors)}`);
  await page.reload(DOM);
  await page.waitForFunction(() => [...document.querySelectorAll("#deliveries tbody tr")].every((r) => r.innerText.includes("Đã gửi")));
  await phone("issued document");
  await shot("setup-06-issued");

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
