import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { type Bump, isBump, maxBump } from "./bump.ts";

/** One pending changeset file: the bump it asks for each package. */
export interface PendingChangeset {
  file: string;
  releases: ReadonlyMap<string, Bump>;
}

/** A changeset whose front-matter cannot be read: `changeset version` would fail on it too. */
export class ChangesetFormatError extends Error {
  override name = "ChangesetFormatError";
}

const FRONT_MATTER = /^---\r?\n([\s\S]*?)\r?\n?---(?:\r?\n|$)/;

/** Parses a changeset file's front-matter (`"@mkp/client": minor` lines). */
export function parseChangeset(file: string, text: string): PendingChangeset {
  const match = FRONT_MATTER.exec(text.replace(/^\uFEFF/, ""));
  if (!match) throw new ChangesetFormatError(`${file}: no front-matter (--- … ---) at the top`);
  let data: unknown;
  try {
    data = parse(match[1] ?? "") ?? {};
  } catch (error) {
    throw new ChangesetFormatError(`${file}: front-matter is not YAML (${(error as Error).message.split("\n")[0]})`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ChangesetFormatError(`${file}: front-matter must map package names to bumps`);
  }
  const releases = new Map<string, Bump>();
  for (const [name, bump] of Object.entries(data)) {
    // changesets accepts `none` for "mentioned, not released"; it bumps nothing.
    if (bump === "none") continue;
    if (!isBump(bump)) throw new ChangesetFormatError(`${file}: "${name}" has bump ${JSON.stringify(bump)}, not patch, minor or major`);
    releases.set(name, bump);
  }
  return { file, releases };
}

/** Every pending changeset in `.changeset/` (what the next `changeset version` will consume). */
export async function readPendingChangesets(dir: string): Promise<PendingChangeset[]> {
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return [];
    throw error;
  });
  const files = names.filter((name) => name.endsWith(".md") && name.toLowerCase() !== "readme.md").sort();
  return Promise.all(files.map(async (name) => parseChangeset(join(".changeset", name), await readFile(join(dir, name), "utf8"))));
}

/** The largest bump the pending changesets give each package. */
export function pendingBumps(changesets: readonly PendingChangeset[]): Map<string, Bump> {
  const bumps = new Map<string, Bump>();
  for (const changeset of changesets) {
    for (const [name, bump] of changeset.releases) {
      const current = bumps.get(name);
      bumps.set(name, current ? (maxBump(current, bump) as Bump) : bump);
    }
  }
  return bumps;
}
