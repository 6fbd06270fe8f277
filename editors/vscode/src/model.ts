// The last known state of every dev server, kept from `devwatch/devServer/list`
// and `stateChanged` notifications. The UI is drawn from this alone.
// Pure (no `vscode`): unit-tested in Node.
import { isRestart } from "./crash";
import type { Location, ServerInfo, ServerState, StartReport, StateChangedParams } from "./protocol";

export interface ServerView {
  name: string;
  root?: string;
  state: ServerState;
  reason: string;
  readyMs?: number;
  /** Preloaded or cold, for servers with preload. */
  start?: StartReport;
  url?: string;
  exitCode?: number;
  signal?: string;
  pid?: number;
  trusted: boolean;
  /** crashed/backoff: the exception line and where it happened. */
  exception?: string;
  location?: Location;
  /** The last `stopping` said a start follows. */
  restarting?: boolean;
  /** The current run is a restart (not a first start or a start from stopped). */
  restart?: boolean;
}

/** What the extension knows about the devwatch process itself. */
export type ClientPhase =
  | { kind: "starting" }
  | { kind: "running" }
  | { kind: "stopped" }
  | { kind: "failed"; message: string };

export class ServerModel {
  private readonly servers = new Map<string, ServerView>();
  private readonly listeners: (() => void)[] = [];
  phase: ClientPhase = { kind: "stopped" };
  trusted = true;

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.push(listener);
    return { dispose: () => this.listeners.splice(this.listeners.indexOf(listener), 1) };
  }

  list(): ServerView[] {
    return [...this.servers.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  get(name: string): ServerView | undefined {
    return this.servers.get(name);
  }

  setPhase(phase: ClientPhase): void {
    this.phase = phase;
    if (phase.kind !== "running") this.servers.clear();
    this.fire();
  }

  /** Replaces everything with a fresh `devwatch/devServer/list` answer. */
  reset(infos: ServerInfo[]): void {
    this.servers.clear();
    for (const info of infos) this.update(info, false);
    this.fire();
  }

  /** A ServerInfo from a start/stop/restart reply. */
  update(info: ServerInfo, fire = true): void {
    const old = this.servers.get(info.name);
    this.servers.set(info.name, {
      name: info.name,
      root: info.root,
      state: info.state,
      reason: info.reason,
      readyMs: info.readyMs,
      start: info.start,
      url: info.url,
      exitCode: info.exitCode,
      signal: info.signal,
      pid: info.pid,
      trusted: info.trusted,
      // A reply carries no crash details or restart cause: keep what the notifications said.
      exception: old?.exception,
      location: old?.location,
      restarting: old?.restarting,
      restart: old?.restart,
    });
    if (fire) this.fire();
  }

  applyStateChange(change: StateChangedParams): void {
    const old = this.servers.get(change.name);
    const restart = change.state === "starting" ? isRestart(change, { state: old?.state, restarting: old?.restarting }) : old?.restart;
    this.servers.set(change.name, {
      name: change.name,
      root: change.root ?? old?.root,
      state: change.state,
      reason: change.reason,
      // A ready time belongs to the run that reached ready: keep it only while ready.
      readyMs: change.state === "ready" ? change.readyMs ?? old?.readyMs : undefined,
      start: change.state === "ready" || change.state === "starting" ? change.start : undefined,
      url: old?.url,
      exitCode: change.exitCode,
      signal: change.signal,
      pid: change.pid,
      trusted: old?.trusted ?? this.trusted,
      exception: change.exception,
      location: change.location,
      restarting: change.state === "stopping" ? change.restarting : undefined,
      restart: change.state === "stopped" ? undefined : restart,
    });
    this.fire();
  }

  private fire(): void {
    for (const l of [...this.listeners]) l();
  }
}

export const isRunning = (s: ServerState): boolean => s === "starting" || s === "ready" || s === "stopping";
export const isFailed = (s: ServerState): boolean => s === "crashed" || s === "backoff";
