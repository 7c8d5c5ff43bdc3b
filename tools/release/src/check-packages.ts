import { relative } from "node:path";
import { binPath } from "./bin-path.ts";
import { runCommand } from "./run-command.ts";
import { packPackages } from "./pack.ts";
import { publishablePackages } from "./workspace-packages.ts";

/** One package's verdict from publint and from Are the Types Wrong. */
export interface PackageCheck {
  name: string;
  tool: "publint" | "attw";
  ok: boolean;
  output: string;
}

/**
 * attw's `esm-only` profile: every package is ESM-only (`"type": "module"`, no `require`
 * condition), so the `node10` and `node16 (from CJS)` resolutions are not checked.
 */
export const ATTW_PROFILE = "esm-only";

const strip = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, "");

/** Every string target of `exports`, `main` and `module` (conditions and subpaths flattened). */
function entryTargets(manifest: Record<string, unknown>): string[] {
  const targets: string[] = [];
  const walk = (value: unknown): void => {
    if (typeof value === "string") targets.push(value);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(manifest.exports);
  walk(manifest.main);
  walk(manifest.module);
  return targets;
}

/** attw passes a package with no types at all; ours must type every JavaScript entry point. */
export const UNTYPED_JAVASCRIPT = "exports JavaScript but ships no type declarations (add a `types` condition before `default`)";

/**
 * Lints each publishable package as it is packed: packs them all once into `destination` (pnpm
 * pack, as `pnpm publish` would upload them; kept there for later steps), then runs `publint
 * --strict` (warnings fail too) and `attw --profile esm-only` on each tarball. Packages must be
 * built first.
 */
export async function checkPackages(packagesDir: string, destination: string): Promise<PackageCheck[]> {
  const checks: PackageCheck[] = [];
  const packages = await publishablePackages(packagesDir);
  const tarballs = new Map((await packPackages(packagesDir, destination)).map((packed) => [packed.name, packed.tarball]));
  // One package at a time: the machine has two cores shared with others.
  for (const pkg of packages) {
    const tarball = tarballs.get(pkg.name) ?? "";
    const publint = await runCommand(process.execPath, [binPath("publint", "publint"), "run", tarball, "--strict"], { cwd: pkg.dir });
    checks.push({ name: pkg.name, tool: "publint", ok: publint.code === 0, output: strip(publint.output) });
    const attw = await runCommand(
      process.execPath,
      [binPath("@arethetypeswrong/cli", "attw"), tarball, "--profile", ATTW_PROFILE, "--no-color", "--format", "table-flipped"],
      { cwd: pkg.dir },
    );
    const untyped = /does not contain types/.test(attw.output) && entryTargets(pkg.manifest).some((target) => /\.[cm]?js$/.test(target));
    checks.push({
      name: pkg.name,
      tool: "attw",
      ok: attw.code === 0 && !untyped,
      output: untyped ? `${pkg.name} ${UNTYPED_JAVASCRIPT}\n${strip(attw.output)}` : strip(attw.output),
    });
  }
  return checks;
}

/** The lines `pnpm check:packages` prints: one per package and tool, with the output of failures. */
export function formatPackageChecks(checks: readonly PackageCheck[], packagesDir: string): string {
  const lines: string[] = [];
  for (const check of checks) {
    const note = check.tool === "attw" && /does not contain types/.test(check.output) ? " (no JavaScript entry points: nothing to type-check)" : "";
    lines.push(`${check.ok ? "✓" : "✗"} ${check.name} ${check.tool === "attw" ? `attw --profile ${ATTW_PROFILE}` : "publint --strict"}${note}`);
    if (!check.ok) lines.push(check.output.trimEnd().replace(/^/gm, "    "));
  }
  const failed = checks.filter((check) => !check.ok).length;
  lines.push(`${checks.length - failed}/${checks.length} package checks passed in ${relative(process.cwd(), packagesDir) || packagesDir}`);
  return lines.join("\n");
}
