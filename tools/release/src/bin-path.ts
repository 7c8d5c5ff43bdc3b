import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);

// Found through the node_modules lookup paths: some packages do not export `./package.json`.
function manifestOf(packageName: string): string {
  for (const dir of require.resolve.paths(packageName) ?? []) {
    const candidate = join(dir, packageName, "package.json");
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${packageName} is not installed (run pnpm install)`);
}

/** The JavaScript file behind a dependency's command-line tool (run it with `process.execPath`). */
export function binPath(packageName: string, command: string): string {
  const manifestPath = manifestOf(packageName);
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { bin?: string | Record<string, string> };
  const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin?.[command];
  if (!bin) throw new Error(`${packageName} has no "${command}" command`);
  return join(dirname(manifestPath), bin);
}
