// devwatch's custom protocol (docs/protocol.md) as typed requests and
// notifications. Shared by the extension and its protocol tests, so both
// speak exactly the same shapes. No `vscode` import: tests run it in Node.
import { NotificationType, RequestType, RequestType0 } from "vscode-jsonrpc";

export type ServerState = "stopped" | "starting" | "ready" | "stopping" | "crashed" | "backoff";

export interface ServerInfo {
  name: string;
  root: string; // file URI of the workspace folder
  state: ServerState;
  reason: string;
  command: string[];
  cwd: string;
  restartOn: string[];
  ignore: string[];
  ready: { port?: number; host?: string; pattern?: string };
  stopSignal: string;
  stopTimeoutMs: number;
  autoStart: boolean;
  autoRestart: boolean;
  trusted: boolean;
  outputNextSeq: number;
  pid?: number;
  exitCode?: number;
  signal?: string;
  readyMs?: number;
  url?: string;
  /** The spec asks for preloaded restarts (docs/preload.md). */
  preload?: boolean;
  start?: StartReport;
}

/** How a start of a server with preload went: forked from the zygote or cold, and why cold. */
export interface StartReport {
  mode: "preloaded" | "cold";
  reason?: string;
  forkMs?: number;
}

export interface ServerRef {
  /** Optional when exactly one server is configured. */
  name?: string;
}

export interface StartParams extends ServerRef {
  /** The user asked for this one start: it runs even in an untrusted workspace (docs/security.md). */
  consent?: boolean;
}

export interface OutputParams extends ServerRef {
  fromSeq?: number;
  limit?: number;
}

export type Stream = "stdout" | "stderr" | "devwatch" | string;

export interface OutputLine {
  seq: number;
  stream: Stream;
  text: string;
  cut?: boolean;
}

export interface OutputResult {
  name: string;
  lines: OutputLine[];
  dropped: number;
  nextSeq: number;
}

/** LSP's Position, Range and Location (0-based lines and UTF-16 columns). */
export interface Position {
  line: number;
  character: number;
}
export interface Range {
  start: Position;
  end: Position;
}
export interface Location {
  uri: string;
  range: Range;
}

/** Why a state change happened (supervise::cause_name). Optional: older servers do not send it. */
export type Cause = "autoStart" | "request" | "change" | "config" | "autoRestart" | "shutdown" | "removed" | "processExit";

/** devwatch's own part of a restart, on `ready` (milliseconds). */
export interface Timings {
  /** First change event to the new command spawned (burst settle and the old group's stop included). */
  eventToSpawnMs?: number;
  /** The old process group gone to the new spawn. */
  goneToSpawnMs?: number;
  spawnToReadyMs?: number;
  /** The most the ready probe's polling can have added. */
  probeSlackMs?: number;
}

export interface StateChangedParams {
  name: string;
  root?: string;
  state: ServerState;
  /** Human text; shown, never parsed. */
  reason: string;
  pid?: number;
  exitCode?: number;
  signal?: string;
  readyMs?: number;
  /** On starting/ready of a server with preload. */
  start?: StartReport;
  /** URIs of the changes that caused a restart, at most 100 (`changedCount` has them all). */
  changedFiles?: string[];
  changedCount?: number;
  /** The last lines of output, on crashed/backoff. */
  lastLines?: string[];
  /** The stop policy had to SIGKILL the group. */
  killed?: boolean;
  /** crashed/backoff: the last Python exception line in stderr, e.g. `SyntaxError: invalid syntax`. */
  exception?: string;
  /** crashed/backoff: the crash's innermost frame inside the workspace. */
  location?: Location;
  timings?: Timings;
  cause?: Cause;
  /** On `stopping`: a start follows (a restart). */
  restarting?: boolean;
}

/**
 * Every StateChangedParams field, as a value: the Neovim plugin's
 * lua/devwatch/protocol.lua lists the same names (a unit test compares them).
 */
export const STATE_CHANGED_FIELDS = [
  "name", "root", "state", "reason", "pid", "exitCode", "signal", "readyMs", "changedFiles", "changedCount",
  "lastLines", "killed", "exception", "location", "timings", "cause", "restarting", "start",
] as const satisfies readonly (keyof StateChangedParams)[];
// Compile-time: the list above names every field (a new field without it fails `tsc`).
type Missing = Exclude<keyof StateChangedParams, (typeof STATE_CHANGED_FIELDS)[number]>;
export const STATE_CHANGED_FIELDS_COMPLETE: Missing extends never ? true : Missing = true;

export interface OutputNotificationParams {
  name: string;
  stream: Stream;
  seq: number;
  text: string;
  cut?: boolean;
  /** Lines not streamed before this one (the client read slowly); fetch them from the backlog. */
  skipped?: number;
}

export interface WatcherStatus {
  backend: string;
  reason: string;
  roots: string[];
  watchedDirectories: number;
  budget?: { used: number; limit: number; usedByOthers?: number; available?: number };
  unwatched?: unknown[];
  resyncs?: number;
  lastEventTime?: string;
  crawling?: boolean;
  problems?: unknown[];
  subscriptions?: number;
}

export interface ConfigStatus {
  root: string;
  source: string;
  servers: string[];
  explanation?: string[];
  error?: string;
}

export interface StatusResult {
  version: string;
  pid: number;
  uptimeMs: number;
  workspaceFolders: { uri: string; name: string; path: string }[];
  watcher: WatcherStatus | null;
  devServers: ServerInfo[];
  config?: ConfigStatus[];
}

/** `initializationOptions` of `initialize`. */
export interface InitializationOptions {
  trusted?: boolean;
  autoStart?: boolean;
  autoRestart?: boolean;
  preload?: boolean;
  /** false: no window/showMessage for crashes; the client renders them from stateChanged. */
  crashMessages?: boolean;
  /** devwatch.json-shaped, merged over each root's devwatch.json (RFC 7386). */
  settings?: Record<string, unknown>;
}

export interface DevwatchCapabilities {
  version?: number;
  status?: boolean;
  files?: { subscribe?: boolean; backend?: string; backendReason?: string };
  devServers?: { start?: boolean; stop?: boolean; restart?: boolean; output?: boolean; diagnostics?: boolean; trusted?: boolean };
}

/** What `initialize` returns (LSP's InitializeResult, with devwatch's experimental capabilities). */
export interface InitializeResult {
  capabilities: { experimental?: { devwatch?: DevwatchCapabilities }; [key: string]: unknown };
  serverInfo?: { name: string; version?: string };
}

/** `devwatch/files/subscribe` params. */
export interface SubscribeParams {
  globPattern: string | { baseUri: string | { uri: string; name: string }; pattern: string };
  /** LSP WatchKind bitmask: 1 created, 2 changed, 4 deleted (default 7). */
  kind?: number;
  excludes?: string[];
  settleMs?: number;
}

export interface FilesDidChangeParams {
  subscriptionId: string;
  /** `type`: LSP FileChangeType, 1 created, 2 changed, 3 deleted. */
  changes: { uri: string; type: 1 | 2 | 3 }[];
  resync?: { reason: string };
}

export const status = new RequestType0<StatusResult, void>("devwatch/status");
export const listServers = new RequestType0<{ servers: ServerInfo[] }, void>("devwatch/devServer/list");
export const startServer = new RequestType<StartParams, ServerInfo, void>("devwatch/devServer/start");
export const stopServer = new RequestType<ServerRef, ServerInfo, void>("devwatch/devServer/stop");
export const restartServer = new RequestType<ServerRef, ServerInfo, void>("devwatch/devServer/restart");
export const serverOutput = new RequestType<OutputParams, OutputResult, void>("devwatch/devServer/output");

export const subscribeFiles = new RequestType<SubscribeParams, { subscriptionId: string }, void>("devwatch/files/subscribe");
export const unsubscribeFiles = new RequestType<{ subscriptionId: string }, null, void>("devwatch/files/unsubscribe");
export const filesDidChange = new NotificationType<FilesDidChangeParams>("devwatch/files/didChange");

export const stateChanged = new NotificationType<StateChangedParams>("devwatch/devServer/stateChanged");
export const outputNotification = new NotificationType<OutputNotificationParams>("devwatch/devServer/output");

/** devwatch's application error codes (docs/protocol.md, "Errors"). */
export const ErrorCodes = {
  UnknownSubscription: 1001,
  UnknownServer: 1101,
  InvalidServerState: 1102,
  ExecFailed: 1103,
  Untrusted: 1104,
  ConfigInvalid: 1201,
  NotFound: 1301,
  Unsupported: 1302,
  WatchFailed: 1401,
} as const;
