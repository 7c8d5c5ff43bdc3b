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

/** How a package takes another: in the code it publishes, or only to build and test itself. */
export type Reach = "runtime" | "build";

const namesIn = (field: unknown): string[] => (field !== null && typeof field === "object" ? Object.keys(field) : []);

/**
 * The packages that `from` reaches through the workspace's dependency graph, each with how. A
 * package whose `dependencies` or `peerDependencies` hold `from`, or a package `from` reaches that
 * way, ships it ("runtime"); one that holds such a package only in `devDependencies` ships what it
 * built with it ("build"). `from` itself is not in the answer.
 */
export function packagesReachedBy(packages: readonly PublishablePackage[], from: string): Map<string, Reach> {
  const runtime = new Set([from]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const pkg of packages) {
      if (runtime.has(pkg.name)) continue;
      const uses = [...namesIn(pkg.manifest["dependencies"]), ...namesIn(pkg.manifest["peerDependencies"])];
      if (uses.some((name) => runtime.has(name))) grew = runtime.add(pkg.name).size > 0;
    }
  }
  const reached = new Map<string, Reach>();
  for (const pkg of packages) {
    if (pkg.name === from) continue;
    if (runtime.has(pkg.name)) reached.set(pkg.name, "runtime");
    else if (namesIn(pkg.manifest["devDependencies"]).some((name) => runtime.has(name))) reached.set(pkg.name, "build");
  }
  return reached;
}
