// `npm run package [-- --target linux-x64]`: the .vsix. With --target (the
// rust-analyzer / ruff convention) the devwatch binary is bundled as
// server/devwatch, making a platform-specific package that works with nothing
// else installed; without it, a universal package with no binary (a stale
// server/ from an earlier targeted run is removed first). The repository's
// LICENSE is copied in either way.
//   DEVWATCH_BIN=path   the binary to bundle (default ../../build/server/devwatch)
//   --out FILE          default devwatch.vsix, or devwatch-<target>.vsix with --target
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const target = option("--target");
const out = resolve(option("--out") ?? join(root, target ? `devwatch-${target}.vsix` : "devwatch.vsix"));

copyFileSync(join(root, "../../LICENSE"), join(root, "LICENSE"));
rmSync(join(root, "server"), { recursive: true, force: true });
if (target) {
  const bin = resolve(process.env.DEVWATCH_BIN || join(root, "../../build/server/devwatch"));
  if (!existsSync(bin)) {
    console.error(`package: no devwatch binary at ${bin}: build it (cmake --build build --target devwatch) or set DEVWATCH_BIN`);
    process.exit(1);
  }
  // The default binary is this machine's build: it only fits this machine's platform.
  const host = `${process.platform === "win32" ? "win32" : process.platform}-${process.arch}`;
  if (!process.env.DEVWATCH_BIN && target !== host) {
    console.error(`package: --target ${target} but the build in ../../build is for ${host}; set DEVWATCH_BIN to a ${target} binary`);
    process.exit(1);
  }
  mkdirSync(join(root, "server"), { recursive: true });
  copyFileSync(bin, join(root, "server/devwatch"));
  chmodSync(join(root, "server/devwatch"), 0o755);
  // A RelWithDebInfo build is mostly debug info (60 MB): the package does not need it.
  try {
    execFileSync("strip", ["--strip-debug", join(root, "server/devwatch")], { stdio: "ignore" });
  } catch {
    /* no strip, or not an object file: bundled as it is */
  }
  console.log(`package: bundling ${bin} as server/devwatch for ${target}`);
}
const vsce = join(root, "node_modules/@vscode/vsce/vsce");
const vsceArgs = ["package", "--no-dependencies", "--allow-missing-repository", "--out", out];
if (target) vsceArgs.push("--target", target);
try {
  execFileSync(process.execPath, [vsce, ...vsceArgs], { cwd: root, stdio: "inherit" });
} finally {
  // The working tree stays universal: only the targeted .vsix holds the binary.
  if (target) rmSync(join(root, "server"), { recursive: true, force: true });
}
