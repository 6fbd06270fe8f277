// Paths and small helpers shared by the protocol and e2e tests: the binary
// under test, a private copy of the example project, a free port, polling.
import * as fs from "node:fs";
import * as http from "node:http";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export const EXTENSION_DIR = path.resolve(__dirname, "../../..");
export const REPO = path.resolve(EXTENSION_DIR, "../..");
export const EXAMPLE = path.join(REPO, "examples/django-blog");
export const DEVWATCH_BIN = process.env.DEVWATCH_BIN ?? path.join(REPO, "build/server/devwatch");
export const PYTHON = process.env.DEVWATCH_TEST_PYTHON ?? "/usr/bin/python3";
export const OUTPUT_DIR = process.env.DEVWATCH_TEST_OUTPUT ?? path.join(REPO, "test-output/vscode");

/** Deadlines only matter when something is broken: generous on a loaded 2-core machine. */
export const DEADLINE_MS = Number(process.env.DEVWATCH_TEST_DEADLINE_MS ?? 30_000);

/** A fresh copy of the example project in a temp dir (tests edit its files). */
export function copyExample(prefix = "devwatch-vscode-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const dest = path.join(dir, "django-blog");
  fs.cpSync(EXAMPLE, dest, {
    recursive: true,
    filter: (src) => !/(__pycache__|\.pyc$|db\.sqlite3$|devwatch\.json$)/.test(src),
  });
  return dest;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The settings that run the example's Django on our own port. */
export function webServerSettings(port: number): Record<string, unknown> {
  return {
    servers: {
      web: {
        command: [PYTHON, "manage.py", "runserver", "--noreload", `127.0.0.1:${port}`],
        ready: { port },
        restartOn: ["**/*.py", "**/templates/**"],
      },
    },
  };
}

export function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 10_000, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url}: timed out`)));
    req.on("error", reject);
  });
}

/** Polls `check` until it returns a value (not undefined/false) or the deadline passes. */
export async function poll<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, deadlineMs = DEADLINE_MS): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${deadlineMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Rewrites one line of a file the way an editor saves it. */
export function replaceInFile(file: string, from: string | RegExp, to: string): void {
  const text = fs.readFileSync(file, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${file}: ${String(from)} not found`);
  fs.writeFileSync(file, next);
}

export function lineOf(file: string, needle: string): number {
  const idx = fs.readFileSync(file, "utf8").split("\n").findIndex((l) => l.includes(needle));
  if (idx < 0) throw new Error(`${file}: ${needle} not found`);
  return idx; // 0-based, as LSP ranges
}
