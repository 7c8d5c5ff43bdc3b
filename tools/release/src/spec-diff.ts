import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { isDeepStrictEqual } from "node:util";
import { bundleSpec } from "@mkp/codegen";
import { type Bump, covers, maxBump } from "./bump.ts";
import { parseChangeset, pendingBumps, readPendingChangesets, type PendingChangeset } from "./changesets.ts";
import type { ReleaseLayout } from "./paths.ts";
import { rateSpecChange, type SpecChange } from "./rate-spec-change.ts";
import { bundledSpec, readReleasedSpec } from "./released-spec.ts";
import { packagesReachedBy, publishablePackages, type PublishablePackage } from "./workspace-packages.ts";

/**
 * The package the spec is generated into (its types, constants and `openapi.json`): it needs the
 * bump `redocly diff` rates. Every other package the spec reaches comes from the workspace's
 * dependency graph (see {@link packagesFor}).
 */
export const CLIENT_PACKAGE = "@mkp/client";

const git = promisify(execFile);

/**
 * What each published package the spec reaches needs for a change that needs `bump`: the client
 * and every package that ships it (directly or through another: the sandbox, the MCP server,
 * `@mkp/node`, the CLI …) the same bump, since their published types and behaviour follow the
 * spec's; a package that only builds with it (the docs page renders the spec) a patch.
 */
function packagesFor(bump: Bump, published: readonly PublishablePackage[]): [string, Bump][] {
  const reached = [...packagesReachedBy(published, CLIENT_PACKAGE)].sort(([a], [b]) => a.localeCompare(b));
  const client: [string, Bump][] = published.some((pkg) => pkg.name === CLIENT_PACKAGE) ? [[CLIENT_PACKAGE, bump]] : [];
  return [...client, ...reached.map(([name, reach]): [string, Bump] => [name, reach === "runtime" ? bump : "patch"])];
}

/** A package that the spec change needs bumped more than the pending changesets do. */
export interface MissingBump {
  name: string;
  needed: Bump;
  pending: Bump | "none";
}

/** The spec changes since the base commit (not yet on the base branch) and the changesets that came with them. */
export interface NewSpecChanges {
  /** The commit compared against: the merge base with `main` (or `$MKP_SPEC_BASE`). */
  base: string;
  bump: Bump | "none";
  changes: SpecChange[];
  /** Changeset files added or edited since the base. */
  changesets: string[];
  /** What each spec-derived package needs for the new changes, and what those changesets give it. */
  needed: { name: string; needed: Bump; pending: Bump | "none" }[];
  missing: MissingBump[];
}

export interface SpecDiffResult {
  ok: boolean;
  /** Whether the spec differs from the released one at all. */
  changed: boolean;
  /** The bump the change needs (`none` when nothing changed). */
  bump: Bump | "none";
  changes: SpecChange[];
  /** What each spec-derived package needs, and what pending changesets give it. */
  needed: { name: string; needed: Bump; pending: Bump | "none" }[];
  missing: MissingBump[];
  /** The changes since the base commit; undefined outside a git checkout or with no base. */
  fresh: NewSpecChanges | undefined;
  /** The text `pnpm spec:diff` prints. */
  report: string;
}

/**
 * Compares the spec with the spec as last released and checks that the pending changesets bump
 * `@mkp/client`, and every published package that ships it, at least as much as `redocly diff`
 * rates the change, and a package that only builds with it (`@mkp/docs`) when the spec changed at all.
 */
export async function checkSpecChange(layout: ReleaseLayout): Promise<SpecDiffResult> {
  const rel = (path: string) => relative(layout.root, path);
  const released = await readReleasedSpec(layout);
  if (released === undefined) {
    const report = `spec:diff: ${rel(layout.releasedSpec)} is missing: it holds the spec as last released. Run \`pnpm version-packages\` (or \`node tools/release/bin/mkp-release.mjs snapshot-spec\` once, for a new repository) and commit it.`;
    return { ok: false, changed: true, bump: "none", changes: [], needed: [], missing: [], fresh: undefined, report };
  }
  const current = await bundledSpec(layout);
  const changed = !isDeepStrictEqual(current, released);
  const fresh = await newSpecChanges(layout, current);
  if (!changed) {
    return {
      ok: true,
      changed,
      bump: "none",
      changes: [],
      needed: [],
      missing: [],
      fresh,
      report: `spec:diff: ${rel(layout.spec)} is unchanged since the last release (${rel(layout.releasedSpec)}).`,
    };
  }

  const rating = await rateSpecChange({ base: layout.releasedSpec, revision: layout.spec, config: layout.redoclyConfig, cwd: layout.root });
  // A change redocly does not rate (such as a reordering it ignores) still changes what ships: a patch.
  const bump = maxBump(rating.bump, "patch") as Bump;
  const published = await publishablePackages(layout.packagesDir);
  const pending = pendingBumps(await readPendingChangesets(layout.changesetDir));
  const needed = packagesFor(bump, published).map(([name, need]) => ({ name, needed: need, pending: pending.get(name) ?? ("none" as const) }));
  const missing = needed.filter((entry) => !covers(entry.pending, entry.needed));
  const isNew = (change: SpecChange) => fresh?.changes.some((entry) => entry.impact === change.impact && entry.description === change.description) ?? false;

  const lines = [
    `spec:diff: ${rel(layout.spec)} changed since the last release (${rel(layout.releasedSpec)}); the change needs a ${bump} release${fresh && fresh.changes.length > 0 ? "; NEW marks what is not on the base branch yet" : ""}:`,
    ...(rating.changes.length > 0
      ? rating.changes.map((change) => `  ${isNew(change) ? "NEW " : "    "}${change.impact.padEnd(5)}  ${change.description}  (${change.location})`)
      : ["      patch  the bundled spec differs, but redocly diff rates no change"]),
    "",
    ...needed.map(
      (entry) => `  ${entry.name}: needs ${entry.needed}, pending changesets give ${entry.pending}${covers(entry.pending, entry.needed) ? " ✓" : " ✗"}`,
    ),
  ];
  if (fresh && fresh.bump !== "none") {
    lines.push(
      "",
      `Since ${fresh.base.slice(0, 12)} (the base branch) the spec changed again (${fresh.bump}); the changesets added or edited since then (${fresh.changesets.length > 0 ? fresh.changesets.join(", ") : "none"}) must name:`,
      ...fresh.needed.map(
        (entry) => `  ${entry.name}: needs ${entry.needed}, new changesets give ${entry.pending}${covers(entry.pending, entry.needed) ? " ✓" : " ✗"}`,
      ),
    );
  }
  const all = [...missing, ...(fresh?.missing ?? []).filter((entry) => !missing.some((other) => other.name === entry.name))];
  if (all.length > 0) {
    lines.push(
      "",
      "Add a changeset (`pnpm changeset`, or write .changeset/<name>.md by hand) that says what changed, with:",
      "---",
      ...all.map((entry) => `"${entry.name}": ${entry.needed}`),
      "---",
    );
  }
  return { ok: all.length === 0, changed, bump, changes: rating.changes, needed, missing: all, fresh, report: lines.join("\n") };
}

/** The base commit: `$MKP_SPEC_BASE`, else the merge base of HEAD and `main`; undefined outside git. */
async function baseCommit(root: string): Promise<string | undefined> {
  const ref = process.env["MKP_SPEC_BASE"];
  try {
    const { stdout } = ref
      ? await git("git", ["rev-parse", "--verify", `${ref}^{commit}`], { cwd: root })
      : await git("git", ["merge-base", "HEAD", "main"], { cwd: root });
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The changes since the base commit (what this branch or working tree adds), each of
 * which needs a changeset added or edited since then — even when an older pending changeset
 * already bumps enough, so every change gets its own changelog line.
 */
async function newSpecChanges(layout: ReleaseLayout, current: Record<string, unknown>): Promise<NewSpecChanges | undefined> {
  const base = await baseCommit(layout.root);
  if (base === undefined) return undefined;
  const specDir = relative(layout.root, join(layout.spec, ".."));
  const dir = await mkdtemp(join(tmpdir(), "mkp-spec-base-"));
  try {
    try {
      await git("sh", ["-c", `git archive "$1" -- "$2" | tar -x -C "$3"`, "sh", base, specDir, dir], { cwd: layout.root });
    } catch {
      return undefined; // the base commit has no spec yet
    }
    const baseSpec = join(dir, relative(layout.root, layout.spec));
    if (isDeepStrictEqual((await bundleSpec(baseSpec)).document, current)) return { base, bump: "none", changes: [], changesets: [], needed: [], missing: [] };
    const rating = await rateSpecChange({ base: baseSpec, revision: layout.spec, config: layout.redoclyConfig, cwd: layout.root });
    const bump = maxBump(rating.bump, "patch") as Bump;
    const changesetDir = relative(layout.root, layout.changesetDir);
    const listed = await Promise.all([
      git("git", ["diff", "--name-only", base, "--", changesetDir], { cwd: layout.root }),
      git("git", ["ls-files", "--others", "--exclude-standard", "--", changesetDir], { cwd: layout.root }),
    ]);
    const files = [...new Set(listed.flatMap(({ stdout }) => stdout.split("\n")))]
      .filter((file) => file.endsWith(".md") && !file.toLowerCase().endsWith("readme.md"))
      .sort();
    const changesets: PendingChangeset[] = [];
    for (const file of files) {
      const text = await readFile(join(layout.root, file), "utf8").catch(() => undefined);
      if (text !== undefined) changesets.push(parseChangeset(file, text)); // a deleted one gives nothing
    }
    const pending = pendingBumps(changesets);
    const needed = packagesFor(bump, await publishablePackages(layout.packagesDir)).map(([name, need]) => ({
      name,
      needed: need,
      pending: pending.get(name) ?? ("none" as const),
    }));
    return {
      base,
      bump,
      changes: rating.changes,
      changesets: changesets.map((changeset) => changeset.file),
      needed,
      missing: needed.filter((entry) => !covers(entry.pending, entry.needed)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
