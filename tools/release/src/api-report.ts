import { CompilerState, Extractor, ExtractorConfig, ExtractorLogLevel, type IConfigFile } from "@microsoft/api-extractor";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { publishablePackages, type PublishablePackage } from "./workspace-packages.ts";

/** One public entry point of a published package, and the report that records its surface. */
export interface ApiEntry {
  pkg: PublishablePackage;
  /** The `exports` subpath: `"."` or `"./node"`. */
  subpath: string;
  /** The built declaration file API Extractor reads. */
  types: string;
  /** The committed report: `<package>/api/<name>.api.md`. */
  report: string;
}

/** What one entry's check found. */
export interface ApiReportResult {
  entry: ApiEntry;
  /** `"same"`: the report matches; `"changed"`: the surface differs from the committed report (rewritten when updating). */
  outcome: "same" | "changed";
}

// Subpaths that are not public API: `./internal` is what the SDK's packages share, documented as
// changing in any release, so a report would ask for a changeset where none is owed.
const NOT_PUBLIC = new Set(["./internal", "./package.json"]);

/** The `types` file of an `exports` target, if it has one (a JSON or HTML asset has none). */
function typesOf(target: unknown): string | undefined {
  if (typeof target !== "object" || target === null) return undefined;
  const types = (target as Record<string, unknown>)["types"];
  return typeof types === "string" ? types : undefined;
}

/** Every public entry point with declarations, of every published package. */
export async function apiEntries(packagesDir: string): Promise<ApiEntry[]> {
  const entries: ApiEntry[] = [];
  for (const pkg of await publishablePackages(packagesDir)) {
    const exports = (pkg.manifest["exports"] ?? {}) as Record<string, unknown>;
    for (const [subpath, target] of Object.entries(exports)) {
      const types = typesOf(target);
      if (NOT_PUBLIC.has(subpath) || types === undefined) continue;
      const base = pkg.name.replace(/^@[^/]+\//, "");
      const name = subpath === "." ? base : `${base}-${subpath.replace(/^\.\//, "").replaceAll("/", "-")}`;
      entries.push({ pkg, subpath, types: join(pkg.dir, types), report: join(pkg.dir, "api", `${name}.api.md`) });
    }
  }
  return entries;
}

/** API Extractor's settings for one entry: the report only, no rollup or doc model, no lint of comments. */
function configFor(entry: ApiEntry, tempFolder: string): IConfigFile {
  return {
    projectFolder: entry.pkg.dir,
    mainEntryPointFilePath: entry.types,
    // The declarations are read as built; the compiler settings only need to resolve their imports.
    compiler: {
      overrideTsconfig: {
        compilerOptions: {
          module: "nodenext",
          moduleResolution: "nodenext",
          target: "es2023",
          lib: ["es2023", "dom", "dom.iterable"],
          skipLibCheck: true,
          types: ["node"],
        },
      },
    },
    apiReport: {
      enabled: true,
      reportFileName: basename(entry.report, ".api.md"),
      reportFolder: dirname(entry.report),
      reportTempFolder: tempFolder,
    },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    // The report is about the surface; the SDK's comments follow the house style, not TSDoc's rules.
    messages: {
      compilerMessageReporting: { default: { logLevel: ExtractorLogLevel.Warning } },
      extractorMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
      tsdocMessageReporting: { default: { logLevel: ExtractorLogLevel.None } },
    },
  };
}

/**
 * Runs API Extractor on every entry: with `update`, rewrites each report that differs; without,
 * leaves them and says which differ. An entry that cannot be read (no build) throws, naming it.
 */
export async function apiReports(packagesDir: string, update: boolean): Promise<ApiReportResult[]> {
  const tempFolder = await mkdtemp(join(tmpdir(), "mkp-api-"));
  try {
    const entries = await apiEntries(packagesDir);
    const configs = entries.map((entry) => {
      if (!existsSync(entry.types)) throw new Error(`${entry.pkg.name} ${entry.subpath}: ${entry.types} is missing: build first (pnpm build)`);
      return ExtractorConfig.prepare({
        configObject: configFor(entry, tempFolder),
        configObjectFullPath: undefined,
        packageJsonFullPath: join(entry.pkg.dir, "package.json"),
      });
    });
    // One TypeScript program over every entry, instead of one per entry (API Extractor's documented way).
    const compilerState = configs[0] && CompilerState.create(configs[0], { additionalEntryPoints: entries.map((entry) => entry.types) });
    const results: ApiReportResult[] = [];
    for (const [index, entry] of entries.entries()) {
      if (update) await mkdir(dirname(entry.report), { recursive: true });
      const result = Extractor.invoke(configs[index]!, {
        localBuild: update,
        showVerboseMessages: false,
        messageCallback: quietUnlessError,
        ...(compilerState && { compilerState }),
      });
      if (result.errorCount > 0) throw new Error(`${entry.pkg.name} ${entry.subpath}: API Extractor reported ${result.errorCount} error(s)`);
      results.push({ entry, outcome: result.apiReportChanged ? "changed" : "same" });
    }
    return results;
  } finally {
    await rm(tempFolder, { recursive: true, force: true });
  }
}

// API Extractor prints each report it writes or finds changed; this tool says that itself, once.
function quietUnlessError(message: { logLevel: string; handled: boolean }): void {
  if (message.logLevel !== "error") message.handled = true;
}

/** The lines `mkp-release api-report` prints: per entry, and what to do when a report is stale. */
export function formatApiReports(results: readonly ApiReportResult[], root: string, update: boolean): string {
  const lines = results.map(({ entry, outcome }) => {
    const where = relative(root, entry.report);
    if (outcome === "same") return `unchanged ${where}`;
    return update ? `wrote     ${where}` : `CHANGED   ${entry.pkg.name} (${entry.subpath}): its public API differs from ${where}`;
  });
  if (!update && results.some((result) => result.outcome === "changed")) {
    lines.push(
      "",
      "The public API changed. If that is intended, run `pnpm api:update`, commit the reports, and add a changeset for each",
      "package named above (a removed or changed export of a 0.x package is a minor bump, say so in the changeset).",
    );
  }
  return lines.join("\n");
}
