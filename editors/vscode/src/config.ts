// The extension's settings, typed, read once per (re)start; which of them
// need devwatch restarted; and how they become `initializationOptions`.
// No `vscode` import: settings are read through a getter so tests can feed them.
import type { InitializationOptions } from "./protocol";

export const SECTION = "devwatch";

export interface Settings {
  serverPath: string | null;
  autoStart: boolean | null;
  autoRestart: boolean | null;
  preload: boolean | null;
  servers: Record<string, unknown>;
  watchExclude: string[];
  trace: "off" | "messages" | "verbose";
}

/** Reads `devwatch.<key>` (VS Code's WorkspaceConfiguration.get). */
export type SettingGetter = <T>(key: string) => T | undefined;

// Defaults are declared once, in package.json's contributes.configuration; these
// only cover a missing value.
export function readSettings(get: SettingGetter): Settings {
  const str = get<string | null>("serverPath");
  const servers = get<Record<string, unknown> | null>("servers");
  const exclude = get<string[] | null>("watch.exclude");
  return {
    serverPath: typeof str === "string" && str.trim() !== "" ? str.trim() : null,
    autoStart: bool(get<boolean | null>("autoStart")),
    autoRestart: bool(get<boolean | null>("autoRestart")),
    preload: bool(get<boolean | null>("preload")),
    servers: servers && typeof servers === "object" && !Array.isArray(servers) ? servers : {},
    watchExclude: Array.isArray(exclude) ? exclude.filter((e) => typeof e === "string" && e !== "") : [],
    trace: get<Settings["trace"]>("trace.server") ?? "off",
  };
}

function bool(v: boolean | null | undefined): boolean | null {
  return typeof v === "boolean" ? v : null;
}

/** Settings whose change takes a devwatch restart (the rest apply live). */
export const RESTART_KEYS = ["serverPath", "autoStart", "autoRestart", "preload", "servers", "watch.exclude"] as const;

/** Given VS Code's `affectsConfiguration`, whether devwatch must restart. */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return RESTART_KEYS.some((k) => affects(`${SECTION}.${k}`));
}

/**
 * The `initializationOptions` for `initialize`. `settings` is devwatch.json-shaped
 * and the server merges it over each root's devwatch.json (RFC 7386): only keys
 * the user set are sent, so an unset setting never hides devwatch.json.
 */
export function initializationOptions(s: Settings, trusted: boolean): InitializationOptions {
  const out: InitializationOptions = { trusted };
  if (s.autoStart !== null) out.autoStart = s.autoStart;
  if (s.autoRestart !== null) out.autoRestart = s.autoRestart;
  if (s.preload !== null) out.preload = s.preload;
  const settings: Record<string, unknown> = {};
  if (Object.keys(s.servers).length > 0) settings.servers = s.servers;
  if (s.watchExclude.length > 0) settings.watch = { exclude: s.watchExclude };
  if (Object.keys(settings).length > 0) out.settings = settings;
  return out;
}

/**
 * What the extension sends: the settings' options, plus `crashMessages: false`
 * because the extension renders crashes itself from `stateChanged` (src/crash.ts).
 */
export function clientInitializationOptions(s: Settings, trusted: boolean): InitializationOptions {
  return { ...initializationOptions(s, trusted), crashMessages: false };
}

/** RFC 7386 JSON merge patch: what devwatch does with `settings` over devwatch.json. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
