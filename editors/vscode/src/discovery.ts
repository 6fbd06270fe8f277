// Finds the devwatch binary: the devwatch.serverPath setting, then a build in
// the workspace (the devwatch repository itself, or a project inside it), then
// PATH. Says everything it tried, so a failure can tell the user how to fix it.
// File-system access goes through `Probe` so tests can run it on temp dirs.
import * as path from "path";

export interface Probe {
  isExecutable(file: string): boolean;
}

export interface DiscoveryInput {
  serverPath: string | null;
  folders: string[]; // workspace folder paths
  pathEnv: string | undefined;
  home: string | undefined;
  /** An untrusted workspace's own files are never run: its builds are skipped. */
  trusted: boolean;
}

export interface Discovery {
  path?: string;
  /** How it was found ("setting", "workspace build", "PATH"). */
  source?: string;
  tried: string[];
  /** Set when devwatch.serverPath names a file that is not an executable. */
  settingBroken?: boolean;
}

export const BUILD_RELATIVE = ["build/server/devwatch"];
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
  for (const dir of (input.pathEnv ?? "").split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, "devwatch");
    if (probe.isExecutable(candidate)) return { path: candidate, source: "PATH", tried };
  }
  tried.push(`devwatch on PATH (${input.pathEnv ?? ""}): not found`);
  return { tried };
}
