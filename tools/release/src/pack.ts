import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCommand } from "./run-command.ts";
import { type PublishablePackage, publishablePackages } from "./workspace-packages.ts";

/** A package packed exactly as `pnpm publish` would upload it. */
export interface PackedPackage {
  name: string;
  version: string;
  /** Absolute path of the `.tgz`. */
  tarball: string;
  tarballBytes: number;
  /** Paths inside the tarball (relative to `package/`), with their unpacked sizes. */
  files: { path: string; bytes: number }[];
}

async function pack(pkg: PublishablePackage, destination: string): Promise<PackedPackage> {
  // pnpm (not npm) pack: it rewrites `workspace:^` and `catalog:` ranges as `pnpm publish` does.
  const result = await runCommand("pnpm", ["pack", "--pack-destination", destination, "--json"], { cwd: pkg.dir });
  if (result.code !== 0) throw new Error(`pnpm pack failed in ${pkg.name}:\n${result.output}`);
  const json = result.output.slice(result.output.indexOf("{"));
  const packed = JSON.parse(json) as { name: string; version: string; filename: string; files: { path: string }[] };
  const tarball = packed.filename.startsWith("/") ? packed.filename : join(destination, packed.filename);
  const files = await Promise.all(packed.files.map(async ({ path }) => ({ path, bytes: (await stat(join(pkg.dir, path))).size })));
  return { name: packed.name, version: packed.version, tarball, tarballBytes: (await stat(tarball)).size, files };
}

/** The list of what {@link packPackages} packed, written beside the tarballs. */
const PACKED_LIST = "packed.json";

/**
 * Packs every publishable package into `destination`, one after the other, and lists them there
 * (`packed.json`), so later steps of the same run read the tarballs instead of packing again.
 */
export async function packPackages(packagesDir: string, destination: string): Promise<PackedPackage[]> {
  const packed: PackedPackage[] = [];
  for (const pkg of await publishablePackages(packagesDir)) packed.push(await pack(pkg, destination));
  await writeFile(join(destination, PACKED_LIST), `${JSON.stringify(packed, null, 2)}\n`);
  return packed;
}

/** The packages {@link packPackages} packed into `folder`, or undefined when it has packed nothing there. */
export async function packedIn(folder: string): Promise<PackedPackage[] | undefined> {
  const text = await readFile(join(folder, PACKED_LIST), "utf8").catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as PackedPackage[]);
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;

/** What `pnpm release --dry-run` prints for each package. */
export function formatPacked(packed: readonly PackedPackage[]): string {
  return packed
    .map((pkg) => {
      const unpacked = pkg.files.reduce((sum, file) => sum + file.bytes, 0);
      const files = pkg.files.map((file) => `    ${kB(file.bytes).padStart(9)}  ${file.path}`);
      return [`${pkg.name}@${pkg.version}: ${pkg.files.length} files, ${kB(unpacked)} unpacked, ${kB(pkg.tarballBytes)} tarball`, ...files].join("\n");
    })
    .join("\n\n");
}
