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
}

export interface ServerRef {
  /** Optional when exactly one server is configured. */
  name?: string;
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

export interface StateChangedParams {
  name: string;
  root?: string;
  state: ServerState;
  reason: string;
  pid?: number;
  exitCode?: number;
  signal?: string;
  readyMs?: number;
  changedFiles?: string[];
  lastLines?: string[];
  killed?: boolean;
}

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
  /** devwatch.json-shaped, merged over each root's devwatch.json (RFC 7386). */
  settings?: Record<string, unknown>;
}

export interface DevwatchCapabilities {
  version?: number;
  status?: boolean;
  files?: unknown;
  devServers?: { start?: boolean; stop?: boolean; restart?: boolean; output?: boolean; trusted?: boolean };
}

export const status = new RequestType0<StatusResult, void>("devwatch/status");
export const listServers = new RequestType0<{ servers: ServerInfo[] }, void>("devwatch/devServer/list");
export const startServer = new RequestType<ServerRef, ServerInfo, void>("devwatch/devServer/start");
export const stopServer = new RequestType<ServerRef, ServerInfo, void>("devwatch/devServer/stop");
export const restartServer = new RequestType<ServerRef, ServerInfo, void>("devwatch/devServer/restart");
export const serverOutput = new RequestType<OutputParams, OutputResult, void>("devwatch/devServer/output");

export const stateChanged = new NotificationType<StateChangedParams>("devwatch/devServer/stateChanged");
export const outputNotification = new NotificationType<OutputNotificationParams>("devwatch/devServer/output");

/** devwatch's application error codes (docs/protocol.md, "Errors"). */
export const ErrorCodes = {
  UnknownServer: 1101,
  InvalidServerState: 1102,
  ExecFailed: 1103,
  Untrusted: 1104,
  ConfigInvalid: 1201,
} as const;
