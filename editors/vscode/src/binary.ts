// The file-system and VS Code facts src/discovery.ts decides from: whether a
// file is an executable, the Python extension's selected environments, the
// bundled binary's executable bit. Runs on the extension host's thread.
import * as fs from "fs";
import * as vscode from "vscode";

/**
 * The Python extension's selected environment for each workspace folder, when
 * ms-python.python is installed and exposes `environments.getActiveEnvironmentPath`
 * (feature-detected; never required, never waited on for long).
 */
export async function pythonEnvironments(warn: (message: string) => void): Promise<string[]> {
  const ext = vscode.extensions.getExtension("ms-python.python");
  if (!ext) return [];
  try {
    const api = ext.isActive ? ext.exports : await withTimeout(Promise.resolve(ext.activate()), 5_000);
    const get = api?.environments?.getActiveEnvironmentPath;
    if (typeof get !== "function") return [];
    const folders = vscode.workspace.workspaceFolders ?? [];
    const out: string[] = [];
    for (const folder of folders.length ? folders : [undefined]) {
      const env = await Promise.resolve(get.call(api.environments, folder?.uri));
      if (env && typeof env.path === "string" && env.path) out.push(env.path);
    }
    return out;
  } catch (e) {
    warn(`the Python extension's selected interpreter is unknown: ${e instanceof Error ? e.message : String(e)}`);
    return [];
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]).finally(() => clearTimeout(timer));
}

/** A .vsix extracted without the executable bit: the bundled binary is ours to fix. */
export function ensureExecutable(file: string): void {
  try {
    const st = fs.statSync(file);
    if (st.isFile() && (st.mode & 0o111) === 0) fs.chmodSync(file, st.mode | 0o755);
  } catch {
    /* not bundled */
  }
}

export function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}

export function isExecutable(file: string): boolean {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
