// Drives headless Chromium (Debian's, through playwright-core) against a page
// behind a live-reloading server: edits the view, waits until the new content
// is rendered with no reload by this script; edits the stylesheet, waits until
// the new style applies and (for devwatch) checks the page was not reloaded.
// Usage: node live_reload.mjs MODE URL VIEWS_PY CSS_FILE [REPS]
//   MODE devwatch: devwatch's proxy script (waits for its event stream to be open)
//   MODE other:    another live reloader (bench/proxy: django-browser-reload);
//                  waits DEVWATCH_SETTLE_MS after each load for its connection
// Prints one JSON line per step: {"step", "ms"} (save -> visible), then {"ok": true}.
import fs from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(process.env.DEVWATCH_NODE_MODULES + "/");
const { chromium } = require("playwright-core");

const [mode, url, views, css, repsText] = process.argv.slice(2);
const reps = Number(repsText || 1);
const devwatch = mode === "devwatch";
const browser = await chromium.launch({
  executablePath: process.env.DEVWATCH_CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu"],
});
const say = (o) => console.log(JSON.stringify(o));
const fail = async (why) => {
  say({ ok: false, error: why });
  await browser.close();
  process.exit(1);
};
const page = await browser.newPage();
// The page's live-reload connection is open (an edit before it would be missed).
const connected = async () => {
  if (devwatch) {
    await page.waitForFunction(() => window.__devwatch && window.__devwatch.connected, null, { timeout: 30000 });
  } else {
    await page.waitForTimeout(Number(process.env.DEVWATCH_SETTLE_MS || 500));  // bench only: no signal to wait on
  }
};
try {
  await page.goto(url);
  let version = 1;
  for (let i = 0; i < reps; i++) {
    await connected();
    // A view edit: the server restarts, the page reloads itself once it is ready.
    const before = fs.readFileSync(views, "utf8");
    const next = version + 1;
    if (!before.includes(`marker: v${version}`)) await fail(`marker: v${version} not in ${views}`);
    await page.evaluate(() => { window.__testMarker = "before-reload"; });
    const start = performance.now();
    fs.writeFileSync(views, before.replace(`marker: v${version}`, `marker: v${next}`));
    await page.waitForFunction((want) => document.querySelector("#m")?.textContent === want, `marker: v${next}`,
                               { timeout: 30000, polling: "raf" });
    say({ step: "view", ms: performance.now() - start });
    version = next;
    if (await page.evaluate(() => window.__testMarker) !== undefined) await fail("the view edit did not reload the page");
    // A stylesheet edit: swapped in place, no reload (the marker survives).
    await connected();
    await page.evaluate(() => { window.__testMarker = "kept"; });
    const color = `rgb(${(i * 7) % 250}, 2, 3)`;
    const sheet = fs.readFileSync(css, "utf8").replace(/\n#m \{[^}]*\}\n/, "\n");
    const cssStart = performance.now();
    fs.writeFileSync(css, sheet + `\n#m { color: ${color}; }\n`);
    try {
      await page.waitForFunction((want) => getComputedStyle(document.querySelector("#m")).color === want, color,
                                 { timeout: devwatch ? 30000 : 15000, polling: "raf" });
    } catch (e) {
      if (devwatch) throw e;
      // Another reloader that does not apply stylesheet edits: reported, not fatal.
      say({ step: "css", ms: null });
      continue;
    }
    say({ step: "css", ms: performance.now() - cssStart });
    if (devwatch) {
      if (await page.evaluate(() => window.__testMarker) !== "kept") await fail("the CSS edit reloaded the page");
      if ((await page.evaluate(() => window.__devwatch.swaps)) < 1) await fail("no stylesheet was swapped");
    }
  }
  say({ ok: true });
} catch (e) {
  await fail(String((e && e.stack) || e));
}
await browser.close();
