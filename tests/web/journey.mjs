// One whole year in a real browser (Debian's Chromium, driven by playwright-core):
// the office assigns a task; the unit officer reports, uploads evidence and submits;
// the office returns it once, the unit resubmits, the office accepts; the signer
// approves (digitally signing); the office issues; the recipients' mail arrives with
// the PDF. Also: another unit's task is out of reach by URL, a form without its CSRF
// token is refused, field errors keep what was typed, pages fit a phone, and login
// works by keyboard. Screenshots go to target/test-artifacts/web/.
//
// Run from the repository root after `cargo build`: node tests/web/journey.mjs
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bin, children, freePort, launchChromium, noBrokenWords, press as pressButton, requireParts, root, shots, sql, start, vietnameseOnly } from "./lib.mjs";

const PASSWORD = "bacson-2024-demo";
// Document pages embed the PDF preview, whose viewer may hold back `load`: wait for the DOM.
const DOM = { waitUntil: "domcontentloaded" };
let step = "start";
let current = null; // the page, for a screenshot when a step fails

function check(cond, what) {
  if (!cond) throw new Error(`${step}: ${what}`);
}

// Ends every session in the server's SQLite file, as the clock would: the expiry is
// set to a minute ago in the format the server wrote it.
function expireSessions(db) {
  const py = `
import re, sqlite3, sys, datetime
c = sqlite3.connect(sys.argv[1])
past = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S")
for sid, exp in c.execute("select id, expires_at from sessions").fetchall():
    sep = exp[10]
    c.execute("update sessions set expires_at = ? where id = ?", (re.sub(r"^\\d{4}-\\d\\d-\\d\\d[ T]\\d\\d:\\d\\d:\\d\\d", past.replace(" ", sep), exp), sid))
c.commit()
`;
  const r = spawnSync("python3", ["-c", py, db], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`could not expire the sessions: ${r.stderr}`);
}

async function main() {
  requireParts();
  fs.mkdirSync(shots, { recursive: true });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "nhiemvu-web-"));
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
    // Keys imported on the keys page are stored sealed with this.
    NHIEMVU_KEK: "6b".repeat(32),
  }, (o) => o.includes("mật khẩu") || o.includes("password"));
  const base = `http://127.0.0.1:${httpPort}`;
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(`${base}/healthz`)).ok) break; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }

  const browser = await launchChromium();
  const context = await browser.newContext({ locale: "vi-VN", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  current = page;
  page.setDefaultTimeout(20000);
  // Steps that cannot be undone ask first; the journey answers yes and remembers the question.
  const dialogs = [];
  // A dialog the page closed itself (a navigation already under way) needs no answer;
  // a step that was really not confirmed fails at its own check below.
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    d.accept().catch((e) => console.log(`dialog "${d.message()}" closed before it was answered: ${e.message}`));
  });
  const shot = (name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  const text = async (sel) => (await page.locator(sel).first().innerText()).trim();

  async function login(user, byKeyboard = false) {
    await page.goto(`${base}/login`);
    if (byKeyboard) {
      await page.waitForFunction(() => document.activeElement?.id === "username"); // autofocus
      await page.keyboard.type(user);
      await page.keyboard.press("Tab");
      await page.keyboard.type(PASSWORD);
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    } else {
      await page.fill("#username", user);
      await page.fill("#password", PASSWORD);
      await go("button[type=submit]");
    }
    await page.waitForLoadState("networkidle");
  }
  // A click that loads another page: wait until it has.
  async function go(selector) {
    await Promise.all([page.waitForNavigation(DOM), page.click(selector)]);
  }
  const press = (selector) => pressButton(page, selector);
  async function logout() {
    await go("header .who button");
    await page.waitForURL(/\/login/);
  }

  // 1. The office assigns a task (first with mistakes: errors at the fields, nothing typed lost).
  step = "office login";
  await login("vanphong", true);
  check(new URL(page.url()).pathname === "/", `office lands on the dashboard, got ${page.url()}`);
  check((await text("h1")).startsWith("Tổng quan"), "dashboard heading");
  await shot("01-dashboard");
  step = "assign";
  await go("text=Mở kế hoạch");
  const planUrl = page.url();
  const otherTask = await page.locator("tr", { hasText: "Phòng Văn hóa và Thông tin" }).first().getAttribute("id");
  check(/^\d+\.\d+$/.test(await page.inputValue("#code")), "the first group's next code is offered");
  await page.fill("#code", "");
  await page.fill("#text", "Giải ngân vốn đầu tư công năm 2024 đạt trên 95% kế hoạch.");
  await page.fill("input[name=target_goal] >> nth=0", "chín lăm");
  await go("button:has-text('Giao nhiệm vụ')");
  check(await page.locator("#err-code").isVisible(), "an empty code is named next to its field");
  check(await page.locator("#err-target_goal_0").isVisible(), "a non-number goal is named next to its field");
  check((await page.inputValue("#text")).startsWith("Giải ngân vốn"), "the typed task text is kept");
  check((await page.inputValue("input[name=target_goal] >> nth=0")) === "chín lăm", "the typed goal is kept");
  await shot("02-plan-errors");
  await page.fill("#code", "1.9");
  await page.selectOption("#lead_unit_id", { label: "Phòng Tài chính - Kế hoạch" });
  await page.check("label:has-text('KT-HT') input");
  await page.fill("#deadline", "15/12/2024");
  await page.fill("input[name=target_description] >> nth=0", "Tỷ lệ giải ngân vốn đầu tư công");
  await page.fill("input[name=target_goal] >> nth=0", "95");
  await page.fill("input[name=target_unit] >> nth=0", "%");
  await page.click("#add-target");
  await page.fill("input[name=target_description] >> nth=1", "Số công trình khởi công mới");
  await page.fill("input[name=target_goal] >> nth=1", "12");
  await page.fill("input[name=target_unit] >> nth=1", "công trình");
  await go("button:has-text('Giao nhiệm vụ')");
  await page.waitForURL(/\/plans\/.*#task-/);
  check(page.url().includes("group="), "the group stays chosen for the next task");
  const row = page.locator("tr", { hasText: "Giải ngân vốn đầu tư công năm 2024" });
  check(await row.isVisible(), "the new task is listed");
  check((await row.textContent()).includes("Số công trình khởi công mới"), "both targets were saved with the task");
  const taskId = (await row.getAttribute("id")).replace("task-", "");
  await shot("03-plan");
  await logout();

  // 2. The unit officer reports.
  step = "unit report";
  await login("tckh");
  check(new URL(page.url()).pathname === "/inbox", `unit officer lands on the inbox, got ${page.url()}`);
  await shot("04-inbox");
  await go(`a[href="/tasks/${taskId}"] >> nth=0`);
  await page.fill("#narrative", "**Kết quả:** giải ngân đạt 96% kế hoạch[^1].\n\n[^1]: Số liệu đến 31/12/2024.");
  await page.waitForFunction(() => document.querySelector("#preview strong")?.textContent.includes("Kết quả"));
  await page.fill("input[id^=actual_] >> nth=0", "96");
  // A value the service refuses (over 10^15) after the text would have been written:
  // nothing of the save may stay, in the database or in the audit log.
  const db = path.join(work, "data", "nhiemvu.sqlite");
  const auditBefore = sql(db, "select count(*) from audit_events");
  await page.fill("input[id^=actual_] >> nth=1", "99999999999999999");
  await page.fill("#self_score", "120");
  check((await text("#implied-rating")).includes("0 đến 100"), "a score of 120 shows no rating, only the bounds");
  await page.fill("#self_score", "95");
  await go("text=Lưu nháp");
  check(await page.locator("[id^=err-actual_]").first().isVisible(), "the refused value is named at its field");
  check((await page.inputValue("#narrative")).includes("giải ngân đạt 96%"), "the text typed is still on the form");
  check(sql(db, "select count(*) from results r join tasks t on t.id = r.task_id where t.code = '1.9'") === "0", "no result row was written");
  check(sql(db, "select count(*) from audit_events") === auditBefore, "no audit event was written");
  await page.fill("input[id^=actual_] >> nth=1", "12");
  await page.fill("#self_score", "95");
  await page.waitForFunction(() => document.querySelector("#implied-rating").textContent.includes("Hoàn thành"));
  const implied = await text("#implied-rating");
  const evidence = Buffer.from("%PDF-1.4\n% minh chứng giải ngân\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n");
  const sha = createHash("sha256").update(evidence).digest("hex");
  await page.setInputFiles("#evidence-file", { name: "Báo cáo giải ngân.pdf", mimeType: "application/pdf", buffer: evidence });
  await page.waitForFunction((h) => document.querySelector("#evidence-status").textContent.includes(h), sha);
  check((await page.locator("#evidence-progress").getAttribute("value")) === "100", "upload progress reaches 100");
  await page.waitForFunction(() => document.querySelector(".autosave-status").textContent.includes("Đã tự lưu"));
  await shot("05-result-form");

  // A form whose CSRF token was stripped is refused, and nothing changes.
  step = "csrf";
  await page.evaluate(() => document.querySelector("#result-form input[name=csrf]").remove());
  const [refused] = await Promise.all([page.waitForNavigation(), page.click("text=Lưu nháp")]);
  check(refused.status() === 403, `a form without CSRF token gets 403, got ${refused.status()}`);
  check((await text("h1")) === "Yêu cầu bị từ chối", "the refusal is explained");
  await shot("06-csrf-refused");

  // Another unit's task is out of reach by editing the URL.
  step = "other unit";
  const other = otherTask.replace("task-", "");
  const resp = await page.goto(`${base}/tasks/${other}`);
  check(resp.status() === 404, `another unit's task is a 404, got ${resp.status()}`);

  step = "unit submit";
  await page.goto(`${base}/tasks/${taskId}`);
  check(!(await page.locator("#result-state").count()), "the refused save stored no result");
  check(await page.locator("#restored").isVisible(), "the page says the typed text came back from the autosaved draft");
  check((await page.inputValue("#narrative")).includes("giải ngân đạt 96%"), "the typing refused with the form is not lost");
  await page.fill("#narrative", "**Kết quả:** giải ngân đạt 96% kế hoạch.");
  await page.fill("input[id^=actual_] >> nth=0", "96");
  await page.fill("#self_score", "95");
  await go("text=Gửi Văn phòng");
  await page.waitForURL(/done=submitted/);
  check(dialogs.some((m) => m.includes("Văn phòng")), `sending to the office asked first: ${dialogs}`);
  check((await text("#notice")).startsWith("Đã lưu và gửi Văn phòng"), "the page says what happened");
  check((await text("#result-state")) === "Chờ Văn phòng duyệt", "submitted");
  check(!(await page.locator("#narrative").count()), "a submitted result is read-only");
  await logout();

  // 3. The office returns it once.
  step = "return";
  await login("vanphong");
  await page.goto(`${base}/review`);
  await shot("07-review-list");
  await go("text=1.9");
  check(await page.locator("text=Tỷ lệ giải ngân vốn đầu tư công").isVisible(), "targets beside the report");
  check(await page.locator("text=Báo cáo giải ngân.pdf").isVisible(), "evidence beside the report");
  await shot("08-review");
  await go("text=Trả lại đơn vị");
  check(await page.locator("#err-comment").isVisible(), "returning needs a comment, said at the field");
  await page.fill("#comment", "Đề nghị bổ sung số liệu giải ngân quý IV.");
  await go("text=Trả lại đơn vị");
  await page.waitForURL(/\/review\?done=/);
  await logout();

  // 4. The unit sees the comment and resubmits.
  step = "resubmit";
  await login("tckh");
  check(await page.locator("text=Đề nghị bổ sung số liệu giải ngân quý IV.").isVisible(), "the comment is in the inbox");
  await go(`a[href="/tasks/${taskId}"] >> nth=0`);
  check((await page.locator(".banner.warn:not([hidden])").first().innerText()).includes("quý IV"), "the comment is on the form");
  const history = await text("#history");
  check(history.includes("Đơn vị gửi Văn phòng") && history.includes("Văn phòng trả lại") && history.includes("quý IV"),
    `the review history shows the submission and the return with its comment: ${history}`);
  await page.fill("#narrative", "**Kết quả:** giải ngân đạt 96% kế hoạch; quý IV giải ngân 41%.");
  await go("text=Gửi Văn phòng");
  await page.waitForURL(/done=submitted/);
  await logout();

  // 5. The office accepts.
  step = "accept";
  await login("vanphong");
  await page.goto(`${base}/review`);
  await go("text=1.9");
  await go("button:has-text('Chấp nhận')");
  await page.waitForURL(/\/review\?done=/);
  await page.goto(`${base}/tasks/${taskId}`);
  check((await text("#result-state")) === "Đã được chấp nhận", "accepted");
  // The office's view of the task: who leads it and what happened to it, in order.
  check((await text("#task-overview")).includes("Phòng Tài chính - Kế hoạch"), "the lead unit is named");
  const happened = await page.locator("#task-history li").allInnerTexts();
  check(happened[0].includes("Giao nhiệm vụ") && happened.some((e) => e.includes("trả lại")) && happened.at(-1).includes("chấp nhận"),
    `assigned, returned, accepted: ${happened}`);
  await shot("08a-office-task");

  // 5b. The office makes TC-KH a co-operating unit of task 1.3 (every one of its targets
  // is on the edit form); TC-KH writes its contribution; its session expires before it
  // saves, and nothing it typed is lost; the office reads the contribution on the task.
  step = "co-operation";
  await page.goto(planUrl);
  const row13 = page.locator("tr[id^=task-]").filter({ has: page.locator("td:first-child", { hasText: /^1\.3$/ }) });
  const listed = await row13.locator("td:nth-child(5) div").count();
  const coopTask = (await row13.getAttribute("id")).replace("task-", "");
  await go(`a[href="/tasks/${coopTask}/edit"]`);
  const onForm = await page.locator("input[name=target_description]").evaluateAll((els) => els.filter((e) => e.value).length);
  check(listed > 1 && onForm === listed, `all ${listed} targets on the edit form, got ${onForm}`);
  await page.check("label:has-text('TC-KH') input");
  await go("form button:has-text('Lưu')");
  await page.waitForURL(/done=task_saved/);
  check((await row13.innerText()).includes("Phòng Tài chính - Kế hoạch") || (await row13.innerText()).includes("TC-KH"), "TC-KH co-operates");
  await logout();
  await login("tckh");
  await go(`a[href="/tasks/${coopTask}"] >> nth=0`);
  check(!(await page.locator("#narrative").count()), "a co-operating unit gets no result form of the lead unit");
  const typed = "Phòng Tài chính - Kế hoạch đã thẩm định và bố trí **500 triệu đồng** hỗ trợ xây dựng nông thôn mới.";
  await page.fill("#contribution-text", typed);
  // The session ends while the text is on the screen.
  expireSessions(path.join(work, "data", "nhiemvu.sqlite"));
  await go("button:has-text('Lưu ý kiến phối hợp')");
  check(new URL(page.url()).pathname === "/login", `an expired session leads to the login page, got ${page.url()}`);
  check((await text("#expired")).includes("hết hạn"), "the login page says the session expired");
  await page.fill("#username", "tckh");
  await page.fill("#password", PASSWORD);
  await go("button[type=submit]");
  check(new URL(page.url()).pathname === `/tasks/${coopTask}`, `back on the task after login, got ${page.url()}`);
  check((await page.inputValue("#contribution-text")) === typed, "the typed contribution came back");
  check((await text("#restored")).includes("CHƯA được lưu"), "the page says it is kept, not yet saved");
  await shot("08b-restored-after-expiry");
  await go("button:has-text('Lưu ý kiến phối hợp')");
  await page.waitForURL(/done=contributed/);
  check(!(await page.locator("#restored").count()), "saved: nothing left to restore");

  // The cookie itself is lost while more is typed (no session the server could
  // recognise): saving leads to the login and back, and this browser offers the text.
  step = "lost cookie";
  const more = `${typed} Đã giải ngân 320 triệu đồng.`;
  await page.fill("#contribution-text", more);
  await page.waitForTimeout(600);
  await context.clearCookies();
  await go("button:has-text('Lưu ý kiến phối hợp')");
  check(new URL(page.url()).pathname === "/login", `a lost cookie leads to the login page, got ${page.url()}`);
  await page.fill("#username", "tckh");
  await page.fill("#password", PASSWORD);
  await go("button[type=submit]");
  check(new URL(page.url()).pathname === `/tasks/${coopTask}`, `back on the task after login, got ${page.url()}`);
  check((await text("#unsaved")).includes("chưa được lưu"), "the browser's copy is offered");
  await page.click("#unsaved button.restore-unsaved");
  check((await page.inputValue("#contribution-text")) === more, "the typed text is back");
  await shot("08c-restored-from-browser");
  await go("button:has-text('Lưu ý kiến phối hợp')");
  await page.waitForURL(/done=contributed/);
  check(!(await page.locator("#unsaved").count()), "saved: the browser's copy is let go");

  // Logged in again in another tab, then saved in the first: saved, or offered back
  // on the form — never an error page.
  step = "second tab";
  const later = `${more} Bổ sung từ thẻ cũ.`;
  await page.fill("#contribution-text", later);
  const tab = await context.newPage();
  await tab.goto(`${base}/login`, { waitUntil: "domcontentloaded" });
  await tab.fill("#username", "tckh");
  await tab.fill("#password", PASSWORD);
  await Promise.all([tab.waitForNavigation({ waitUntil: "domcontentloaded" }), tab.click("button[type=submit]")]);
  await tab.close();
  await page.bringToFront();
  await go("button:has-text('Lưu ý kiến phối hợp')");
  check(new URL(page.url()).pathname === `/tasks/${coopTask}`, `the form again, not an error page: ${page.url()}`);
  if (!page.url().includes("done=contributed")) {
    check((await page.inputValue("#contribution-text")) === later, "the text from the old tab is offered back");
    await go("button:has-text('Lưu ý kiến phối hợp')");
    await page.waitForURL(/done=contributed/);
  }
  check((await page.inputValue("#contribution-text")) === later, "what the old tab typed is saved");
  await logout();
  await login("vanphong");
  await page.goto(`${base}/tasks/${coopTask}`);
  check((await page.locator("#contribution article").innerText()).includes("500 triệu đồng"), "the office reads the contribution");

  // 6. The office edits the report, previews it and submits it for signature.
  step = "document";
  await page.goto(`${base}/documents`);
  const subject = "Tình hình, kết quả thực hiện các nhiệm vụ trọng tâm năm 2024 và đề xuất nhiệm vụ trọng tâm năm 2025";
  await Promise.all([page.waitForURL(/\/documents\/[0-9a-f-]+$/, DOM), page.click(`text=${subject}`)]);
  const docUrl = page.url();
  const before = await page.locator("iframe.pdf").getAttribute("src");
  await page.fill("#subject", "");
  await press("button[value=save]");
  check(await page.locator("#err-subject").isVisible(), "an empty subject is named at its field");
  await page.fill("#subject", subject);
  await press("button[value=save]");
  check(page.url().includes("done=saved"), `saved, at ${page.url()}`);
  const after = await page.locator("iframe.pdf").getAttribute("src");
  check(before !== after, "the PDF preview refreshes after a save");
  const pdf = await page.request.get(`${base}${after}`);
  check(pdf.ok() && (await pdf.body()).subarray(0, 5).toString() === "%PDF-", "the preview is a PDF");
  await shot("09-document-draft");
  // Edits typed and not saved go with the submission.
  step = "document submit";
  // First a closing without the "./." Nghị định 30 asks for: saved, not submitted, and why.
  await page.fill("#closing", "Trên đây là báo cáo kết quả thực hiện nhiệm vụ trọng tâm năm 2024.");
  await press("button[value=submit]");
  check(page.url().includes("done=saved_not_submitted"), `saved but not submitted, at ${page.url()}`);
  check((await text("#check")).includes("./."), "the check names the missing ./.");
  check((await text("#doc-state")) === "Dự thảo", "still a draft");
  const closing = "Trên đây là báo cáo kết quả thực hiện nhiệm vụ trọng tâm năm 2024./.";
  await page.fill("#closing", closing);
  await press("button[value=submit]");
  check(page.url().includes("done=submitted") || page.url().includes("done=submit"), `submitted, at ${page.url()}`);
  check(dialogs.some((m) => m.includes("trình lãnh đạo ký")), "submitting asked first");
  const docId = docUrl.split("/").pop();
  const stored = await (await page.request.get(`${base}/api/v1/documents/${docId}`)).json();
  check(stored.closing === closing, `the unsaved edit was saved with the submission: ${stored.closing}`);
  await logout();

  // 7. The signer approves, signing digitally.
  step = "sign";
  await login("chutich");
  check(new URL(page.url()).pathname === "/sign-off", `signer lands on sign-off, got ${page.url()}`);
  await Promise.all([page.waitForURL(/\/documents\//, DOM), page.click(`text=${subject}`)]);
  await press("button[value=approve]");
  check(page.url().includes("done=approve"), `approved, at ${page.url()}`);
  check((await text("#doc-state")) === "Đã ký duyệt, chờ ban hành", "approved");
  check((await page.locator("table.sigs tbody tr").count()) === 1, "the signer's signature is listed");
  check((await page.locator("table.sigs").innerText()).includes("Phùng Thị Thanh Nga"), "signed by the chairman");
  await shot("10-signed");
  await logout();

  // 8. The office issues; the recipients' mail arrives with the PDF.
  step = "issue";
  await login("vanphong");
  await page.goto(docUrl, DOM);
  await press("button[value=issue]");
  check(page.url().includes("done=issue"), `issued, at ${page.url()}`);
  check((await text("#doc-state")) === "Đã ban hành", "issued");
  const sigs = await page.locator("table.sigs tbody tr").allInnerTexts();
  check(sigs.length === 2 && sigs.every((s) => s.includes("Còn nguyên vẹn")), `two intact signatures: ${sigs}`);
  const pdfSha = await text("p code.hash");
  const addresses = await page.locator("#deliveries tbody tr").count();
  check(addresses > 0, "deliveries listed");
  let files = [];
  for (let i = 0; i < 60; i++) {
    files = fs.existsSync(mailDir) ? fs.readdirSync(mailDir).filter((f) => f.endsWith(".eml")) : [];
    if (files.length >= addresses) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  check(files.length === addresses, `one message per address: ${files.length} of ${addresses}`);
  const eml = fs.readFileSync(path.join(mailDir, files[0]), "latin1");
  const b64 = eml.split(/Content-Type: application\/pdf/i)[1]?.split(/\r?\n\r?\n/)[1]?.split(/\r?\n--/)[0];
  check(b64, "the message carries a PDF attachment");
  const attached = Buffer.from(b64.replace(/\s+/g, ""), "base64");
  check(createHash("sha256").update(attached).digest("hex") === pdfSha, "the attachment is the issued PDF");
  await page.reload(DOM);
  await page.waitForFunction(() => [...document.querySelectorAll("#deliveries tbody tr")].every((r) => r.innerText.includes("Đã gửi")));
  await shot("11-issued");

  // 9. Every page each role sees, on a 390 px phone: Vietnamese only (no English
  // message, no state code), nothing wider than the screen, no word broken inside
  // a syllable.
  step = "every page";
  await page.setViewportSize({ width: 390, height: 844 });
  async function review(url, expectStatus = 200) {
    const resp = await page.goto(url, DOM);
    check(resp.status() === expectStatus, `${url}: status ${resp.status()}`);
    await vietnameseOnly(page, url);
    const fits = await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
    check(fits, `${url} fits a phone`);
    await noBrokenWords(page, url);
  }
  const reviewUrl = `${base}/review`;
  for (const url of [`${base}/`, `${base}/plans`, planUrl, `${base}/tasks/${taskId}`, `${base}/tasks/${coopTask}`,
    `${base}/tasks/${coopTask}/edit`, reviewUrl, `${base}/documents`, docUrl]) {
    await review(url);
  }
  await review(`${base}/khong-co-trang-nay`, 404);
  check((await text("h1")) === "Không tìm thấy", "an unknown address gets the site's own page");
  await page.goto(docUrl, DOM);
  await shot("12-phone-document");
  await logout();
  await review(`${base}/login`);
  await login("tckh");
  for (const url of [`${base}/inbox`, `${base}/tasks/${taskId}`, `${base}/tasks/${coopTask}`]) await review(url);
  await page.goto(`${base}/tasks/${taskId}`);
  await shot("13-phone-result");
  await logout();
  await login("chutich");
  for (const url of [`${base}/sign-off`, docUrl, `${base}/`]) await review(url);
  await logout();
  await login("admin");
  for (const url of [`${base}/admin/audit`, `${base}/admin/outbox`, `${base}/admin/keys`, `${base}/`]) await review(url);

  // 10. The administrator installs the chairman's key on the keys page: a wrong
  // passphrase is said in Vietnamese and nothing typed is lost; the right one installs it.
  step = "signing key import";
  await page.goto(`${base}/admin/keys`, DOM);
  const holder = await page.$eval("#key-holder", (s) => [...s.options].find((o) => o.text.includes("Phùng Thị Thanh Nga")).value);
  await page.selectOption("#key-holder", holder);
  await page.setInputFiles("#key-file", path.join(root, "tests/fixtures/pki/signer-aes.p12"));
  await page.fill("#key-pass", "sai mật khẩu");
  await page.click("#key-submit");
  await page.waitForFunction(() => document.getElementById("key-status").textContent.startsWith("Không cài được khóa"));
  await vietnameseOnly(page, "key import refused");
  check((await page.inputValue("#key-pass")) === "sai mật khẩu", "the passphrase typed is kept");
  check(!(await page.locator("#key-submit").isDisabled()), "the button works again");
  await page.fill("#key-pass", "nhiemvu-test");
  await Promise.all([page.waitForNavigation(DOM), page.click("#key-submit")]);
  check((await text("#notice")).startsWith("Đã cài khóa ký số"), "the page says the key is installed");
  check((await text("#keys tbody")).includes("Phùng Thị Thanh Nga"), "the key is listed with its holder");
  await review(`${base}/admin/keys`);
  await shot("14-phone-keys");

  // 11. Running the year: the dashboard's counts lead to the tasks they count; the
  // issued year refuses an import; next year is copied, then filled from a workbook
  // written by openpyxl (problems by cell first, nothing written until it is right);
  // the register downloads and reads back in openpyxl; a calendar address serves the
  // deadlines to a calendar program (parsed by python's icalendar).
  step = "running the year";
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${base}/?plan=${planUrl.split("/").pop()}`, DOM);
  const tile = page.locator('#totals a[href*="standing=accepted"]');
  const counted = Number((await tile.locator("strong").innerText()).trim());
  await Promise.all([page.waitForNavigation(DOM), tile.click()]);
  check(page.url().includes("standing=accepted"), "the count leads to the filtered list");
  check((await page.locator("#task-list tbody tr").count()) === counted, `the list has the ${counted} tasks counted`);
  const firstText = await text("#task-list tbody tr td:nth-child(2)");
  const firstCode = await text("#task-list tbody tr td:nth-child(1)");
  const folded = firstText.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
  await page.fill("#task-filters input[name=q]", folded.split(/\s+/).slice(0, 3).join(" "));
  await go("#task-filters button[type=submit]");
  check((await page.locator("#task-list tbody tr td:first-child").allInnerTexts()).includes(firstCode), "words without diacritics find the task");
  await vietnameseOnly(page, "task list");
  await shot("15-task-list");

  const work2 = fs.mkdtempSync(path.join(os.tmpdir(), "nhiemvu-sheet-"));
  const workbook = (name, rows) => {
    const file = path.join(work2, name);
    const made = spawnSync("python3", [path.join(root, "tests/support/workbook.py"), "write", file, JSON.stringify(rows)], { encoding: "utf8" });
    check(made.status === 0, `openpyxl wrote ${name}: ${made.stderr}`);
    return file;
  };
  // A group heading merged across the row; a task with three targets whose numbers are
  // typed as a number, in Vietnamese notation and in English notation; a second task.
  const sheetRows = (lead) => [
    { heading: "IV. Nhiệm vụ nhập từ bảng tính" },
    ["", "9.1", "Số hóa hồ sơ thủ tục hành chính", lead, "", "date:2025-10-31", "Số hồ sơ số hóa", "hồ sơ", 1200],
    ["", "9.1", "", "", "", "", "Tỷ lệ hồ sơ trực tuyến", "%", "92,5"],
    ["", "9.1", "", "", "", "", "Kinh phí thực hiện", "triệu đồng", "1,234.5"],
    ["", "9.2", "Rà soát thủ tục hành chính", "TC-KH", "", "date:2025-06-30", "", "", ""],
  ];
  const good = workbook("good.xlsx", sheetRows("TC-KH"));
  const bad = workbook("bad.xlsx", sheetRows("Phòng Không Có"));
  // The year whose report was issued is closed.
  await page.goto(`${planUrl}/import`, DOM);
  await page.setInputFiles("#file", good);
  await go("form[enctype] button[type=submit]");
  check((await text(".banner.error")).includes("báo cáo ban hành"), "an issued year refuses an import");
  // Next year from this one.
  await page.goto(planUrl, DOM);
  await go("form[action$='/copy-forward'] button");
  check((await text("#notice")).startsWith("Đã lập kế hoạch năm sau"), "next year's plan is made");
  const nextPlan = page.url().split("?")[0];
  check((await text("h1")).includes("2025"), "the copy is 2025's");
  await page.goto(`${nextPlan}/import`, DOM);
  await page.setInputFiles("#file", bad);
  await go("form[enctype] button[type=submit]");
  check((await text("#import-problems")).includes("D3"), "the problem is named by its cell");
  check(await page.locator("button", { hasText: "Nhập vào kế hoạch" }).count() === 0, "nothing to import while a problem stands");
  await vietnameseOnly(page, "import problems");
  await shot("16-import-problems");
  await page.setInputFiles("#file", good);
  await go("form[enctype] button[type=submit]");
  check((await text("#import-report")).includes("2 nhiệm vụ mới"), "the fixed file adds two tasks");
  await go("form[action$='/import/confirm'] button");
  check((await text("#notice")).startsWith("Đã nhập nhiệm vụ từ bảng tính"), "imported");
  check((await page.content()).includes("Số hóa hồ sơ thủ tục hành chính"), "the task is on the plan");
  const nextId = nextPlan.split("/").pop();
  const apiTasks = async () => (await (await page.request.get(`${base}/api/v1/tasks?plan_id=${nextId}&per_page=500`)).json()).items;
  const byCode = (items, code) => items.find((t) => t.code === code);
  let imported = byCode(await apiTasks(), "9.1");
  check(imported.targets.map((t) => t.goal_value).join("|") === "1200|92.5|1234.5", `the three goals as typed: ${imported.targets.map((t) => t.goal_value)}`);
  // The task's three targets edited on one form.
  await go(`a[href="/tasks/${imported.id}/edit"]`);
  check((await page.locator("input[name=target_goal]").count()) >= 3, "every target is on the form");
  await page.fill("input[name=target_goal] >> nth=0", "1250");
  await page.fill("input[name=target_goal] >> nth=1", "95,5");
  await page.fill("input[name=target_goal] >> nth=2", "1.300,25");
  await go("form[action$='/edit'] button[type=submit]");
  check((await text("#notice")).startsWith("Đã lưu nhiệm vụ"), "the three targets are saved");
  imported = byCode(await apiTasks(), "9.1");
  check(imported.targets.map((t) => t.goal_value).join("|") === "1250|95.5|1300.25", `the three goals as edited: ${imported.targets.map((t) => t.goal_value)}`);
  // A task with no report is deleted from its form.
  const doomed = byCode(await apiTasks(), "9.2");
  await page.goto(`${base}/tasks/${doomed.id}/edit`, DOM);
  await go("#delete-task button");
  check((await text("#notice")).startsWith("Đã xóa nhiệm vụ"), "the task is deleted");
  check(!byCode(await apiTasks(), "9.2"), "and gone from the plan");
  const register = await page.request.get(`${base}/api/v1/plans/${nextPlan.split("/").pop()}/register.xlsx`);
  check(register.ok(), "the register downloads");
  const saved = path.join(work2, "register.xlsx");
  fs.writeFileSync(saved, await register.body());
  const read = spawnSync("python3", [path.join(root, "tests/support/workbook.py"), "read", saved], { encoding: "utf8" });
  check(read.status === 0, `openpyxl reads the register: ${read.stderr}`);
  const exported = JSON.parse(read.stdout);
  check(exported[0][1] === "Mã" && exported[0][8] === "Kế hoạch", "the register's columns");
  // Every task, deadline and goal in the file is what the database holds.
  const inDatabase = await apiTasks();
  const codes = [...new Set(exported.slice(1).map((r) => r[1]))];
  check(codes.length === inDatabase.length && inDatabase.every((t) => codes.includes(t.code)), `a row for each of the ${inDatabase.length} tasks`);
  for (const t of inDatabase) {
    const rows = exported.slice(1).filter((r) => r[1] === t.code);
    check(rows.length === Math.max(1, t.targets.length), `${t.code}: a row per target`);
    check((rows[0][5] ?? null) === (t.deadline ?? null), `${t.code}: the deadline ${rows[0][5]} is ${t.deadline}`);
    t.targets.forEach((x, i) => {
      check(rows[i][6] === x.description && (rows[i][8] ?? null) === (x.goal_value ?? null), `${t.code}: target ${i + 1} reads ${rows[i][6]} ${rows[i][8]}, stored ${x.description} ${x.goal_value}`);
    });
  }

  await page.goto(`${base}/account`, DOM);
  await go("form[action='/account/calendar'] button");
  const feedUrl = await text("#new-feed");
  const ics = await (await fetch(feedUrl.replace(/^https?:\/\/[^/]+/, base))).text();
  const parsed = spawnSync("python3", [path.join(root, "tests/support/workbook.py"), "ical"], { input: ics, encoding: "utf8" });
  check(parsed.status === 0, `icalendar parses the feed: ${parsed.stderr}`);
  const events = JSON.parse(parsed.stdout);
  check(events.filter((e) => e.summary.startsWith("Hạn 9.1") && e.date === "2025-10-31" && e.alarms > 0 && e.url.includes("/tasks/")).length === 1, "the imported task's deadline is in the calendar once, with alarms");
  const urls = events.map((e) => e.url);
  check(new Set(urls).size === urls.length, "each deadline is listed once");
  check(!events.some((e) => e.summary.startsWith("Hạn 9.2")), "the deleted task is not in the calendar");
  await page.setViewportSize({ width: 390, height: 844 });
  for (const url of [`${base}/account`, `${base}/tasks`, `${base}/tasks/${imported.id}/edit`, `${base}/tasks?standing=overdue&q=ke+hoach`, `${nextPlan}/import`, nextPlan, `${base}/`]) {
    await review(url);
  }
  await page.goto(`${base}/`, DOM);
  await shot("17-phone-dashboard");
  await page.goto(`${base}/tasks/${imported.id}/edit`, DOM);
  await shot("18-phone-task-form");

  await browser.close();
  console.log(`browser journey passed: ${addresses} messages delivered; screenshots in ${shots}`);
}

main()
  .catch(async (e) => {
    console.error(`browser journey FAILED at ${step}:`, e.message || e);
    if (current) {
      console.error(`page: ${current.url()}`);
      await current.screenshot({ path: path.join(shots, "failure.png"), fullPage: true }).catch(() => {});
    }
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill("SIGTERM");
  });
