import { relative } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { type Bump, covers, maxBump } from "./bump.ts";
import { pendingBumps, readPendingChangesets } from "./changesets.ts";
import type { ReleaseLayout } from "./paths.ts";
import { rateSpecChange, type SpecChange } from "./rate-spec-change.ts";
import { bundledSpec, readReleasedSpec } from "./released-spec.ts";
import { publishablePackages } from "./workspace-packages.ts";

/** The package whose generated types follow the spec: it needs the bump `redocly diff` rates. */
export const CLIENT_PACKAGE = "@mkp/client";
/** The package that renders the spec: any spec change changes it, so it needs at least a patch. */
export const DOCS_PACKAGE = "@mkp/docs";

/** A package that the spec change needs bumped more than the pending changesets do. */
export interface MissingBump {
  name: string;
  needed: Bump;
  pending: Bump | "none";
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
  /** The text `pnpm spec:diff` prints. */
  report: string;
}

/**
 * Compares the spec with the spec as last released and checks that the pending changesets bump
 * `@mkp/client` at least as much as `redocly diff` rates the change, and `@mkp/docs` when the spec
 * changed at all.
 */
export async function checkSpecChange(layout: ReleaseLayout): Promise<SpecDiffResult> {
  const rel = (path: string) => relative(layout.root, path);
  const released = await readReleasedSpec(layout);
  if (released === undefined) {
    const report = `spec:diff: ${rel(layout.releasedSpec)} is missing: it holds the spec as last released. Run \`pnpm version-packages\` (or \`pnpm exec mkp-release snapshot-spec\` once, for a new repository) and commit it.`;
    return { ok: false, changed: true, bump: "none", changes: [], needed: [], missing: [], report };
  }
  const changed = !isDeepStrictEqual(await bundledSpec(layout), released);
  if (!changed) {
    return { ok: true, changed, bump: "none", changes: [], needed: [], missing: [], report: `spec:diff: ${rel(layout.spec)} is unchanged since the last release (${rel(layout.releasedSpec)}).` };
  }

  const rating = await rateSpecChange({ base: layout.releasedSpec, revision: layout.spec, config: layout.redoclyConfig, cwd: layout.root });
  // A change redocly does not rate (such as a reordering it ignores) still changes what ships: a patch.
  const bump = maxBump(rating.bump, "patch") as Bump;
  const published = new Set((await publishablePackages(layout.packagesDir)).map((pkg) => pkg.name));
  const pending = pendingBumps(await readPendingChangesets(layout.changesetDir));
  const needs: [string, Bump][] = [
    [CLIENT_PACKAGE, bump],
    [DOCS_PACKAGE, "patch"],
  ];
  const needed = needs.filter(([name]) => published.has(name)).map(([name, need]) => ({ name, needed: need, pending: pending.get(name) ?? ("none" as const) }));
  const missing = needed.filter((entry) => !covers(entry.pending, entry.needed));

  const lines = [
    `spec:diff: ${rel(layout.spec)} changed since the last release (${rel(layout.releasedSpec)}); the change needs a ${bump} release:`,
    ...(rating.changes.length > 0
      ? rating.changes.map((change) => `  ${change.impact.padEnd(5)}  ${change.description}  (${change.location})`)
      : ["  patch  the bundled spec differs, but redocly diff rates no change"]),
    "",
    ...needed.map((entry) => `  ${entry.name}: needs ${entry.needed}, pending changesets give ${entry.pending}${covers(entry.pending, entry.needed) ? " ✓" : " ✗"}`),
  ];
  if (missing.length > 0) {
    lines.push(
      "",
      "Add a changeset (`pnpm changeset`, or write .changeset/<name>.md by hand) that says what changed, with:",
      "---",
      ...missing.map((entry) => `"${entry.name}": ${entry.needed}`),
      "---",
    );
  }
  return { ok: missing.length === 0, changed, bump, changes: rating.changes, needed, missing, report: lines.join("\n") };
}
