// Renders `devwatch/status` as a readable Markdown document (Show Status).
// Pure (no `vscode`): unit-tested in Node.
import type { StatusResult } from "./protocol";
import { describeServer, formatMs } from "./status";

const uriPath = (uri: string): string => (uri.startsWith("file://") ? decodeURIComponent(uri.slice(7)) : uri);
const n = (v: number | undefined): string => (v === undefined ? "?" : v.toLocaleString("en-US"));

export function renderStatus(s: StatusResult, extra: { binary?: string; binarySource?: string; trusted: boolean }): string {
  const out: string[] = [];
  out.push(`# devwatch ${s.version}`, "");
  out.push(`- process: pid ${s.pid}, up ${formatMs(s.uptimeMs)}${extra.binary ? `, binary \`${extra.binary}\`${extra.binarySource ? ` (${extra.binarySource})` : ""}` : ""}`);
  out.push(`- workspace trust: ${extra.trusted ? "trusted" : "**not trusted** — dev servers from the workspace configuration are not started"}`);
  out.push("", "## Workspace folders", "");
  for (const f of s.workspaceFolders) out.push(`- ${f.name}: \`${f.path}\``);
  out.push("", "## Dev servers", "");
  if (s.devServers.length === 0) out.push("No dev server is configured.");
  for (const d of s.devServers) {
    out.push(`### ${d.name}`, "", `- state: ${describeServer({ ...d }).slice(d.name.length + 2)}`);
    out.push(`- command: \`${d.command.join(" ")}\` in \`${d.cwd}\``);
    if (d.url) out.push(`- url: ${d.url}`);
    if (d.pid !== undefined) out.push(`- pid: ${d.pid}`);
    out.push(`- restarts on: ${d.restartOn.map((g) => `\`${g}\``).join(", ") || "nothing"}`);
    if (d.ignore.length) out.push(`- ignores: ${d.ignore.map((g) => `\`${g}\``).join(", ")}`);
    out.push(`- autoStart: ${d.autoStart}, autoRestart: ${d.autoRestart}, stop: ${d.stopSignal} then SIGKILL after ${formatMs(d.stopTimeoutMs)}`, "");
  }
  if (s.config && s.config.length) {
    out.push("## Configuration", "");
    for (const c of s.config) {
      out.push(`- \`${uriPath(c.root)}\`: ${c.source}; servers: ${c.servers.join(", ") || "none"}`);
      for (const e of c.explanation ?? []) out.push(`  - ${e}`);
      if (c.error) out.push(`  - **error**: ${c.error}`);
    }
    out.push("");
  }
  out.push("## Watcher", "");
  const w = s.watcher;
  if (!w) {
    out.push("Not watching (this build or session has no watcher).");
  } else {
    out.push(`- backend: **${w.backend}** — ${w.reason}`);
    out.push(`- watched directories: ${n(w.watchedDirectories)}${w.crawling ? " (still crawling)" : ""}`);
    if (w.budget) {
      out.push(`- inotify budget: ${n(w.budget.used)} used by devwatch, ${n(w.budget.usedByOthers)} by other programs, ${n(w.budget.available)} available of ${n(w.budget.limit)}`);
    }
    out.push(`- resyncs: ${w.resyncs ?? 0}${w.lastEventTime ? `, last event ${w.lastEventTime}` : ""}`);
    const unwatched = w.unwatched ?? [];
    if (unwatched.length) {
      out.push("- **not watched:**");
      for (const u of unwatched) out.push(`  - ${typeof u === "string" ? u : JSON.stringify(u)}`);
    }
    const problems = w.problems ?? [];
    out.push(problems.length ? "- **problems:**" : "- problems: none");
    for (const p of problems) out.push(`  - ${typeof p === "string" ? p : JSON.stringify(p)}`);
  }
  out.push("");
  return out.join("\n");
}
