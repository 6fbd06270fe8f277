// Turns the last known state into what the status bar shows: text with a
// codicon, a tooltip, a severity. Pure (no `vscode`): unit-tested in Node.
import { ClientPhase, isFailed, ServerView } from "./model";

export type Severity = "normal" | "warning" | "error";

export interface StatusView {
  text: string;
  tooltip: string; // markdown
  severity: Severity;
  /** Read by screen readers, and by the e2e tests to find the item. */
  ariaLabel: string;
}

const ICON: Record<string, string> = {
  starting: "$(sync~spin)",
  stopping: "$(sync~spin)",
  ready: "$(check)",
  crashed: "$(error)",
  backoff: "$(error)",
  stopped: "$(circle-slash)",
};

const WORDS: Record<string, string> = {
  starting: "starting",
  stopping: "stopping",
  ready: "ready",
  crashed: "crashed",
  backoff: "crashed, restarting soon",
  stopped: "stopped",
};

// Lower is worse: a summary shows the worst state first.
const RANK: Record<string, number> = { crashed: 0, backoff: 0, starting: 1, stopping: 1, stopped: 2, ready: 3 };

function untrustedStop(s: ServerView): boolean {
  return !s.trusted && s.state === "stopped";
}

export function describeServer(s: ServerView): string {
  if (untrustedStop(s)) return `${s.name}: not started — the workspace is not trusted`;
  let line = `${s.name}: ${WORDS[s.state] ?? s.state}`;
  if (s.state === "ready" && s.readyMs !== undefined) line += ` in ${formatMs(s.readyMs)}`;
  if (s.state === "ready" && s.start) line += s.start.mode === "preloaded" ? " (preloaded)" : ` (cold: ${s.start.reason ?? "not preloaded"})`;
  if (s.state === "ready" && s.url) line += ` at ${s.url}`;
  if (isFailed(s.state)) {
    const how = s.signal ? `killed by ${s.signal}` : s.exitCode !== undefined ? `exit ${s.exitCode}` : "";
    if (how) line += ` (${how})`;
    if (s.exception) line += `: ${s.exception}`;
  }
  if (s.reason && s.state !== "ready") line += ` — ${s.reason}`;
  return line;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function statusView(phase: ClientPhase, servers: ServerView[], trusted: boolean): StatusView {
  const restricted = trusted ? "" : "\n\nThe workspace is not trusted: devwatch watches files and reports status but does not start dev servers. Trust the workspace to start them.";
  switch (phase.kind) {
    case "starting":
      return view("$(sync~spin) devwatch", "Starting devwatch…", "normal", "devwatch: starting");
    case "stopped":
      return view("$(circle-slash) devwatch", "devwatch is not running. Click for actions.", "normal", "devwatch: not running");
    case "failed":
      return view("$(error) devwatch", `devwatch failed: ${phase.message}`, "error", "devwatch: failed");
    case "running":
      break;
  }
  if (servers.length === 0) {
    return view("$(eye) devwatch", `devwatch is watching the workspace; no dev server is configured (add one in devwatch.json).${restricted}`, "normal", "devwatch: watching");
  }
  const sorted = [...servers].sort((a, b) => (RANK[a.state] ?? 9) - (RANK[b.state] ?? 9));
  const worst = sorted[0];
  const lines = servers.map((s) => `- ${describeServer(s)}`).join("\n");
  const severity: Severity = isFailed(worst.state) ? "error" : servers.some(untrustedStop) ? "warning" : "normal";
  const icon = servers.every(untrustedStop) ? "$(workspace-untrusted)" : ICON[worst.state] ?? "$(question)";
  let text: string;
  let aria: string;
  if (servers.length === 1) {
    text = `${icon} ${worst.name}`;
    aria = `devwatch: ${worst.name} ${untrustedStop(worst) ? "untrusted" : worst.state}`;
  } else {
    const ready = servers.filter((s) => s.state === "ready").length;
    text = `${icon} devwatch ${ready}/${servers.length}`;
    aria = `devwatch: ${ready} of ${servers.length} ready, worst ${worst.state}`;
  }
  return view(text, `**devwatch**\n\n${lines}${restricted}\n\nClick for actions.`, severity, aria);
}

function view(text: string, tooltip: string, severity: Severity, ariaLabel: string): StatusView {
  return { text, tooltip, severity, ariaLabel };
}
