// What the browser journeys share: starting the server and its helpers, and the
// checks every page must pass (Vietnamese only, no syllable broken on a phone).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { chromium } from "playwright-core";

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
export const bin = process.env.NHIEMVU_BIN || path.join(root, "target/debug/nhiemvu");
export const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
export const shots = path.join(root, "target/test-artifacts/web");
// Every process started, to stop at the end.
export const children = [];

// Words a Vietnamese page must not show: English, and the machine codes of states
// and kinds.
export const FOREIGN = /\b(the|is|must|not|found|invalid|error|required|cannot|should|submitted|draft|pending|sending|accepted|returned|approved|issued|replaced|failed|queued|department|commune|office|unit_officer|signer|viewer|report|letter|true|false|null|undefined|NaN|on_track|due_soon|overdue|commune_specific_note|send_back|carry_forward|sent|create|update|delete|upload|login|logout)\b/;

// Presses a button that loads another page. On document pages the PDF viewer's frame
// can sit over buttons for the mouse: operate them by keyboard, as a keyboard user
// would. Enter activates a button on key down; the key goes up only once the next
// page is there (a key-up sent while a confirmation is open closes it unanswered).
// A button that asks first is clicked instead: Enter held down while the
// confirmation opens can reach the dialog itself under load (the page's dialog
// handler answers it).
export async function press(page, selector) {
  const DOM = { waitUntil: "domcontentloaded" };
  const button = page.locator(selector);
  await button.focus();
  if ((await button.getAttribute("data-confirm")) !== null) {
    await Promise.all([page.waitForNavigation(DOM), button.click()]);
    return;
  }
  await Promise.all([page.waitForNavigation(DOM), page.keyboard.down("Enter")]);
  await page.keyboard.up("Enter");
}

// A date or time written the machine's way ("2026-12-07", "2026-12-07T18:05:56+07:00"):
// pages say "07/12/2026 18:05".
export const ISO_DATE = /\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?/;

export async function vietnameseOnly(page, where) {
  const body = await page.evaluate(() => document.body.innerText);
  const m = body.match(FOREIGN);
  if (m) throw new Error(`${where}: not Vietnamese: “${body.slice(Math.max(0, m.index - 50), m.index + 50).replace(/\s+/g, " ")}”`);
  const d = body.match(ISO_DATE);
  if (d) throw new Error(`${where}: a date not written the Vietnamese way: “${body.slice(Math.max(0, d.index - 50), d.index + 50).replace(/\s+/g, " ")}”`);
}

// A word (2–15 letters: a syllable, not a hash or an address) whose letters sit on
// two lines was broken inside it.
export async function noBrokenWords(page, where) {
  const broken = await page.evaluate(() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const word = /[\p{L}\p{M}]{2,15}/gu;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest("code, script, style, textarea, select, [hidden]") || !el.getClientRects().length) continue;
      for (const m of n.data.matchAll(word)) {
        const r = document.createRange();
        r.setStart(n, m.index);
        r.setEnd(n, m.index + m[0].length);
        const tops = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top)));
        if (tops.size > 1) out.push(m[0]);
      }
    }
    return out.slice(0, 8);
  });
  if (broken.length) throw new Error(`${where}: words broken inside a syllable at 390 px: ${broken.join(", ")}`);
}

// One value from the server's SQLite file (read-only), as text.
export function sql(db, query) {
  const py = "import sqlite3, sys\nc = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)\nprint(c.execute(sys.argv[2]).fetchone()[0])";
  const r = spawnSync("python3", ["-c", py, db, query], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`sqlite: ${r.stderr}`);
  return r.stdout.trim();
}

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function start(cmd, args, env, ready) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env: { ...process.env, ...env }, cwd: root });
    children.push(p);
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start:\n${out}`)), 60000);
    const look = (d) => {
      out += d.toString();
      if (ready(out)) {
        clearTimeout(timer);
        resolve(p);
      }
    };
    p.stdout.on("data", look);
    p.stderr.on("data", look);
    p.on("exit", (code) => reject(new Error(`${cmd} exited with ${code}:\n${out}`)));
  });
}

// Stops here when the binary or Chromium is missing: a skip that says so, or under
// CI (which installs everything) a failure.
export function requireParts() {
  for (const [what, file] of [["the nhiemvu binary (cargo build)", bin], ["Chromium (apt-get install chromium)", chromiumPath]]) {
    if (!fs.existsSync(file)) {
      console.log(`SKIPPED: ${what} is not at ${file}; tests/run.sh installs and builds it`);
      process.exit(process.env.CI === "true" || process.env.CI === "1" ? 1 : 0);
    }
  }
}

// Headless Chromium with no traffic of its own (this machine reaches nothing else).
export function launchChromium() {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}
