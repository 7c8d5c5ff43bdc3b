import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";

/** A package that `changeset publish` would publish: one under `packages/` not marked private. */
export interface PublishablePackage {
  name: string;
  version: string;
  dir: string;
  manifest: Record<string, unknown>;
}

/** Every publishable package, sorted by name; packages that land later are covered automatically. */
export async function publishablePackages(packagesDir: string): Promise<PublishablePackage[]> {
  const entries = await readdir(packagesDir, { withFileTypes: true }).catch(() => []);
  const found: PublishablePackage[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const dir = join(packagesDir, entry.name);
    const text = await readFile(join(dir, "package.json"), "utf8").catch(() => undefined);
    if (text === undefined) continue;
    const manifest = JSON.parse(text) as Record<string, unknown>;
    if (manifest.private === true || typeof manifest.name !== "string") continue;
    found.push({ name: manifest.name, version: String(manifest.version ?? "0.0.0"), dir, manifest });
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}
