// What a crash looks like to the user, built from `stateChanged`'s structured
// fields alone (the extension asks devwatch for `crashMessages: false`, so no
// message text is ever parsed). Also: whether a start is a restart.
// Pure (no `vscode`): unit-tested in Node.
import type { Location, ServerState, StateChangedParams } from "./protocol";

export type CrashAction =
  | { kind: "restart"; title: "Restart"; name: string }
  | { kind: "showOutput"; title: "Show Output"; name: string }
  | { kind: "open"; title: string; location: Location };

export interface CrashNotice {
  name: string;
  message: string;
  actions: CrashAction[];
}

/** "exit 1", "killed by SIGSEGV", or "exited" (devwatch's supervise::exit_description). */
export function exitDescription(p: { exitCode?: number; signal?: string }): string {
  if (p.signal) return `killed by ${p.signal}`;
  if (p.exitCode !== undefined) return `exit ${p.exitCode}`;
  return "exited";
}

/** A workspace file's path from its file URI, for a button label. */
function fileName(uri: string): string {
  const path = uri.startsWith("file://") ? decodeURIComponent(uri.slice("file://".length)) : uri;
  return path.slice(path.lastIndexOf("/") + 1) || path;
}

/**
 * The notification for a `crashed` / `backoff` state change, or undefined for
 * any other state. The text carries what devwatch's own crash message did:
 * name, exit status, exception, then the reason (what happens next).
 */
export function crashNotice(p: StateChangedParams): CrashNotice | undefined {
  if (p.state !== "crashed" && p.state !== "backoff") return undefined;
  let message = `devwatch: ${p.name} crashed (${exitDescription(p)})`;
  if (p.exception) message += `: ${p.exception}`;
  if (p.reason) message += `. ${p.reason}`;
  if (p.killed) message += " (its process group had to be killed with SIGKILL)";
  const actions: CrashAction[] = [
    { kind: "restart", title: "Restart", name: p.name },
    { kind: "showOutput", title: "Show Output", name: p.name },
  ];
  if (p.location) {
    actions.push({ kind: "open", title: `Open ${fileName(p.location.uri)}:${p.location.range.start.line + 1}`, location: p.location });
  }
  return { name: p.name, message, actions };
}

/**
 * Whether a `starting` change is a restart (the server ran before and was
 * stopped to start again, or devwatch retries after a crash) rather than a
 * first start or a start from stopped. `cause` / `restarting` decide when the
 * server sends them; without them, the changed files and the previous state do.
 */
export function isRestart(p: StateChangedParams, previous: { state?: ServerState; restarting?: boolean }): boolean {
  if (p.state !== "starting") return false;
  if (previous.restarting) return true;
  switch (p.cause) {
    case "autoStart":
      return false;
    case "change":
    case "config":
    case "autoRestart":
      return true;
    case "request":
      return ran(previous.state);
    default:
      return p.changedFiles !== undefined || ran(previous.state);
  }
}

/** The server ran before this start: it is ready, being stopped, or crashed. */
const ran = (s: ServerState | undefined): boolean => s === "ready" || s === "stopping" || s === "crashed" || s === "backoff";
