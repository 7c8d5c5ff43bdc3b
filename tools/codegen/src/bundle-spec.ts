import { relative } from "node:path";
import {
  BaseResolver,
  bundle,
  createConfig,
  getLineColLocation,
  lintDocument,
  type Config,
  type Document,
  type NormalizedProblem,
} from "@redocly/openapi-core";
import { SpecError } from "./spec-error.ts";

/** A JSON object as it comes out of the YAML (the generator only reads it). */
export type SpecDocument = Record<string, unknown>;

/** The spec, parsed, checked and bundled once: everything the emitters need. */
export interface BundledSpec {
  /** The single-file document, every external `$ref` inlined (internal `#/…` refs kept). */
  document: SpecDocument;
  /** The spec file and every file it pulls in through `$ref` (what `--watch` should watch). */
  files: string[];
  /** The Redocly configuration the spec was checked with (openapi-typescript's context carries it). */
  config: Config;
}

function displayPath(file: string): string {
  return relative(process.cwd(), file) || file;
}

function toSpecError(problem: NormalizedProblem): SpecError {
  const where = problem.location[0];
  if (!where) return new SpecError(problem.message, "spec");
  const { start } = getLineColLocation(where);
  // Redocly does not say which reference failed: the line it points at holds it (`$ref: "#/components/schemas/Itme"`).
  const ref = problem.message.startsWith("Can't resolve $ref")
    ? /\$ref:\s*["']?([^"'\s]+)/.exec(where.source.body.split("\n")[start.line - 1] ?? "")?.[1]
    : undefined;
  return new SpecError(ref ? `${problem.message} "${ref}"` : problem.message, displayPath(where.source.absoluteRef), start.line, start.col);
}

function throwFirstError(problems: readonly NormalizedProblem[]): void {
  const first = problems.find((problem) => problem.severity === "error" && !problem.ignored);
  if (first) throw toSpecError(first);
}

/**
 * The checks openapi-typescript's own entry point runs before it generates (Redocly's `minimal`
 * ruleset, duplicate operationIds as errors), so skipping that entry point loses none of them.
 */
function typesConfig(): Promise<Config> {
  return createConfig({ rules: { "operation-operationId-unique": { severity: "error" } } }, { extends: ["minimal"] });
}

async function parse(specPath: string, resolver: BaseResolver): Promise<Document> {
  // Unreadable files and YAML syntax errors come back rejected or, from Redocly's cache, resolved.
  const result: unknown = await resolver.resolveDocument(null, specPath, true).catch((error: unknown) => error);
  if (!(result instanceof Error)) return result as Document;
  if ("line" in result && "source" in result) {
    const { line, col, source } = result as Error & { line: number; col: number; source: { absoluteRef: string } };
    throw new SpecError(result.message.split("\n")[0] ?? "YAML syntax error", displayPath(source.absoluteRef), line, col);
  }
  throw result;
}

/**
 * Parses the spec (which may be split over several files), checks it and resolves every external
 * `$ref` into one document — the only parse, check and bundle of a generator run: openapi-typescript
 * then transforms the result without bundling it again ({@link emitTypes}). Every problem becomes a
 * {@link SpecError} pointing at file:line:column of the file that holds it.
 */
export async function bundleSpec(specPath: string): Promise<BundledSpec> {
  const config = await typesConfig();
  const resolver = new BaseResolver(config.resolve);
  const source = await parse(specPath, resolver);
  if (typeof source.parsed !== "object" || source.parsed === null || Array.isArray(source.parsed)) {
    throw new SpecError("the spec is not a YAML mapping", displayPath(specPath), 1, 1);
  }
  // The version test openapi-typescript makes before anything else.
  const { openapi, swagger } = source.parsed as SpecDocument;
  const version = Number.parseFloat(String(openapi));
  if (swagger !== undefined || !openapi || !(version >= 3 && version < 4)) {
    throw new SpecError(`openapi: ${JSON.stringify(openapi ?? swagger)} is not OpenAPI 3.x`, displayPath(specPath), 1, 1);
  }
  // Lint before bundling: the bundler rewrites the parsed tree in place, and problems found in
  // the source files carry their own file:line.
  throwFirstError(await lintDocument({ document: source, config: config.styleguide, externalRefResolver: resolver }));
  const result = await bundle({ doc: source, config, externalRefResolver: resolver, dereference: false });
  throwFirstError(result.problems);
  return { document: result.bundle.parsed as SpecDocument, files: [specPath, ...result.fileDependencies], config };
}
