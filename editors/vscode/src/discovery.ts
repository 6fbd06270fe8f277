// Finds the devwatch binary, in this order (README, "VS Code"):
//   1. the devwatch.serverPath setting (a broken one is reported, never replaced);
//   2. a build in the workspace (the devwatch repository itself, or a project inside it);
//   3. what pip put into the workspace's virtualenv: <folder>/.venv/bin, <folder>/venv/bin,
//      then $VIRTUAL_ENV/bin, then the bin dir of the Python extension's selected interpreter;
//   4. the binary bundled in a platform-specific .vsix (<extension>/server/devwatch);
//   5. PATH.
// In an untrusted workspace nothing inside a workspace folder is run (2 and 3 are skipped there).
// Says everything it tried, so a failure can tell the user how to fix it, and
// Check Setup which binary it uses and why. File-system access goes through
// `Probe` so tests can run it on temp dirs.
import * as path from "path";

export interface Probe {
  isExecutable(file: string): boolean;
  /** Without it, a path whose name starts with "python" is taken for an interpreter. */
  isDirectory?(file: string): boolean;
}

export interface DiscoveryInput {
  serverPath: string | null;
  folders: string[]; // workspace folder paths
  pathEnv: string | undefined;
  home: string | undefined;
  /** An untrusted workspace's own files are never run: its builds and virtualenvs are skipped. */
  trusted: boolean;
  /** $VIRTUAL_ENV of the extension host. */
  virtualEnv?: string;
  /** The Python extension's selected environment per folder: an interpreter or an environment folder. */
  pythonEnvironments?: string[];
  /** <extension>/server/devwatch, present in a platform-specific .vsix. */
  bundled?: string;
}

export interface Discovery {
  path?: string;
  /** How it was found ("setting devwatch.serverPath", "workspace build", "workspace virtualenv", "PATH", ...). */
  source?: string;
  tried: string[];
  /** Set when devwatch.serverPath names a file that is not an executable. */
  settingBroken?: boolean;
}

export const BUILD_RELATIVE = ["build/server/devwatch"];
export const VENV_RELATIVE = [".venv/bin/devwatch", "venv/bin/devwatch"];
/** Where `npm run package -- --target <platform>` puts the binary inside the extension. */
export const BUNDLED_RELATIVE = "server/devwatch";
// A project inside the devwatch repository (examples/django-blog) finds the repo's build.
const MAX_PARENTS = 3;

export function expandPath(p: string, folders: string[], home: string | undefined): string {
  let out = p.replace(/\$\{workspaceFolder\}/g, folders[0] ?? "");
  if (home && (out === "~" || out.startsWith("~/"))) out = path.join(home, out.slice(1));
  if (!path.isAbsolute(out) && folders[0]) out = path.resolve(folders[0], out);
  return out;
}

export function discoverServer(input: DiscoveryInput, probe: Probe): Discovery {
  const tried: string[] = [];
  if (input.serverPath) {
    const p = expandPath(input.serverPath, input.folders, input.home);
    if (probe.isExecutable(p)) return { path: p, source: "setting devwatch.serverPath", tried };
    tried.push(`${p} (from the devwatch.serverPath setting): not an executable file`);
    // A setting the user wrote wins: falling back silently would hide their mistake.
    return { tried, settingBroken: true };
  }
  tried.push("devwatch.serverPath setting: not set");
  const seen = new Set<string>();
  if (!input.trusted && input.folders.length) tried.push("workspace builds: skipped, the workspace is not trusted");
  for (const folder of input.trusted ? input.folders : []) {
    let dir = folder;
    for (let up = 0; up <= MAX_PARENTS; up++) {
      for (const rel of BUILD_RELATIVE) {
        const candidate = path.join(dir, rel);
        if (seen.has(candidate)) continue;
        seen.add(candidate);
        if (probe.isExecutable(candidate)) return { path: candidate, source: "workspace build", tried };
        tried.push(`${candidate}: not found`);
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  const inside = (p: string) => input.folders.some((f) => p === f || p.startsWith(f.endsWith(path.sep) ? f : f + path.sep));
  const candidates: { file: string; source: string }[] = [];
  if (!input.trusted && input.folders.length) tried.push("workspace virtualenvs: skipped, the workspace is not trusted");
  for (const folder of input.trusted ? input.folders : []) {
    for (const rel of VENV_RELATIVE) candidates.push({ file: path.join(folder, rel), source: `workspace virtualenv (${rel.split("/")[0]})` });
  }
  if (input.virtualEnv) candidates.push({ file: path.join(input.virtualEnv, "bin", "devwatch"), source: "$VIRTUAL_ENV" });
  for (const env of input.pythonEnvironments ?? []) {
    candidates.push({ file: path.join(pythonBinDir(env, probe), "devwatch"), source: "the Python extension's selected interpreter" });
  }
  if (input.bundled) candidates.push({ file: input.bundled, source: "bundled with the extension" });
  for (const c of candidates) {
    if (seen.has(c.file)) continue;
    seen.add(c.file);
    if (!input.trusted && inside(c.file)) {
      tried.push(`${c.file} (${c.source}): skipped, inside the untrusted workspace`);
      continue;
    }
    if (probe.isExecutable(c.file)) return { path: c.file, source: c.source, tried };
    tried.push(`${c.file} (${c.source}): not found`);
  }
  for (const dir of (input.pathEnv ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, "devwatch");
    if (probe.isExecutable(candidate)) return { path: candidate, source: "PATH", tried };
  }
  tried.push(`devwatch on PATH (${input.pathEnv ?? ""}): not found`);
  return { tried };
}

/**
 * The scripts dir of a Python environment as the Python extension names it:
 * an interpreter (`.../bin/python`) or the environment's folder.
 */
export function pythonBinDir(env: string, probe: Probe): string {
  const isDir = probe.isDirectory ? probe.isDirectory(env) : !path.basename(env).startsWith("python");
  return isDir ? path.join(env, "bin") : path.dirname(env);
}

/** "<path> (<why>)" and the places tried before it: what Check Setup and Show Status print. */
export function describeDiscovery(d: Discovery): string[] {
  const head = d.path ? `devwatch binary: ${d.path} (${d.source})` : "devwatch binary: not found";
  return [head, ...(d.tried.length ? ["tried before it:", ...d.tried.map((t) => `  ${t}`)] : [])];
}
