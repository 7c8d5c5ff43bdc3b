import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { binPath } from "./bin-path.ts";
import { type Bump, isBump, maxBump } from "./bump.ts";

const run = promisify(execFile);

/** One change between two API descriptions, as `redocly diff` rates it. */
export interface SpecChange {
  /** The semver bump this change needs. */
  impact: Bump;
  /** What changed, in redocly's words when a diff rule explains it. */
  description: string;
  /** `file:line` of the change (in the new spec, or in the old one for a removal). */
  location: string;
}

/** The rating of everything that changed between the released spec and the current one. */
export interface SpecChangeRating {
  bump: Bump | "none";
  changes: SpecChange[];
}

/** `redocly diff` failed or wrote a report we cannot read: the check must fail, never pass silently. */
export class SpecDiffError extends Error {
  override name = "SpecDiffError";
}

interface ReportLocation {
  file?: unknown;
  pointer?: unknown;
  line?: unknown;
}

interface ReportChange {
  kind?: unknown;
  typeName?: unknown;
  property?: unknown;
  path?: unknown;
  impact?: unknown;
  verdicts?: unknown;
  base?: ReportLocation;
  revision?: ReportLocation;
}

function where(location: ReportLocation | undefined, cwd: string, fallback: unknown): string {
  const file = typeof location?.file === "string" ? location.file : undefined;
  const line = typeof location?.line === "number" ? location.line : undefined;
  const pointer = typeof location?.pointer === "string" ? location.pointer : typeof fallback === "string" ? fallback : "";
  if (!file) return pointer;
  const shown = relative(cwd, join(cwd, file)) || file;
  return line === undefined ? `${shown} ${pointer}` : `${shown}:${line}`;
}

function describe(change: ReportChange): string {
  const messages = Array.isArray(change.verdicts)
    ? change.verdicts.flatMap((verdict: { message?: unknown }) => (typeof verdict?.message === "string" ? [verdict.message] : []))
    : [];
  if (messages.length > 0) return messages.join(" ");
  const kind = typeof change.kind === "string" ? change.kind : "changed";
  const type = typeof change.typeName === "string" ? change.typeName : "node";
  const property = typeof change.property === "string" ? ` (${change.property})` : "";
  const path = typeof change.path === "string" ? ` at ${change.path}` : "";
  return `${type}${property} ${kind}${path}`;
}

/** Reads `redocly diff --format json` output; exported for tests of odd reports. */
export function readDiffReport(report: unknown, cwd: string): SpecChangeRating {
  if (typeof report !== "object" || report === null || !Array.isArray((report as { changes?: unknown }).changes)) {
    throw new SpecDiffError("redocly diff wrote a report without a `changes` list (has its JSON format changed?)");
  }
  const { bump: reported, changes: raw } = report as { bump?: unknown; changes: ReportChange[] };
  let bump: Bump | "none" = isBump(reported) ? reported : "none";
  const seen = new Set<string>();
  const changes: SpecChange[] = [];
  for (const change of raw) {
    // An impact we do not know is treated as the worst, so a format change can only make the check stricter.
    const impact: Bump = isBump(change.impact) ? change.impact : "major";
    bump = maxBump(bump, impact);
    const entry = {
      impact,
      description: describe(change),
      location: change.kind === "removed" ? where(change.base, cwd, change.path) : where(change.revision ?? change.base, cwd, change.path),
    };
    const key = `${entry.impact}\n${entry.description}\n${entry.location}`;
    if (seen.has(key)) continue;
    seen.add(key);
    changes.push(entry);
  }
  const order = { major: 0, minor: 1, patch: 2 };
  changes.sort((a, b) => order[a.impact] - order[b.impact]);
  return { bump, changes };
}

/**
 * Rates every change from `base` to `revision` with `redocly diff`. Its rules come from
 * `config` (our redocly.yaml extends `diff-recommended`; without a diff rule every change would be
 * rated minor or patch).
 */
export async function rateSpecChange(options: { base: string; revision: string; config: string; cwd: string }): Promise<SpecChangeRating> {
  const dir = await mkdtemp(join(tmpdir(), "mkp-spec-diff-"));
  const output = join(dir, "diff.json");
  try {
    try {
      await run(
        process.execPath,
        [
          binPath("@redocly/cli", "redocly"),
          "diff",
          options.base,
          options.revision,
          "--config",
          options.config,
          "--format",
          "json",
          "--fail-on",
          "none",
          "--output",
          output,
        ],
        { cwd: options.cwd, env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_NOTIFICATIONS: "true" }, maxBuffer: 64 * 1024 * 1024 },
      );
    } catch (error) {
      const stderr = String((error as { stderr?: unknown }).stderr ?? "")
        .split("\n")
        .filter((line) => line.trim() && !/[║╔╚]/.test(line))
        .join("\n");
      throw new SpecDiffError(`redocly diff failed:\n${stderr || (error as Error).message}`);
    }
    let report: unknown;
    try {
      report = JSON.parse(await readFile(output, "utf8"));
    } catch (error) {
      throw new SpecDiffError(`redocly diff wrote no readable JSON report (${(error as Error).message})`);
    }
    return readDiffReport(report, options.cwd);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
