// Bundles the extension with esbuild into dist/extension.js and copies the
// devwatch.json schema from the repository's docs/ (a .vsix holds only files
// inside its folder).
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
mkdirSync(join(root, "schemas"), { recursive: true });
copyFileSync(join(root, "../../docs/devwatch.schema.json"), join(root, "schemas/devwatch.schema.json"));

await build({
  entryPoints: [join(root, "src/extension.ts")],
  outfile: join(root, "dist/extension.js"),
  bundle: true,
  platform: "node",
  target: "node18",
  format: "cjs",
  external: ["vscode"],
  sourcemap: true,
  minify: process.argv.includes("--minify"),
  logLevel: "warning",
});
