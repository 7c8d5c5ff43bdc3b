import { relative } from "node:path";
import { bundle, createConfig, getLineColLocation, type NormalizedProblem } from "@redocly/openapi-core";
import { SpecError } from "./spec-error.ts";

/** A JSON object as it comes out of the YAML (the generator only reads it). */
export type SpecDocument = Record<string, unknown>;

function displayPath(file: string): string {
  return relative(process.cwd(), file) || file;
}

function toSpecError(problem: NormalizedProblem): SpecError {
  const where = problem.location[0];
  if (!where) return new SpecError(problem.message, "spec");
  const { start } = getLineColLocation(where);
  return new SpecError(problem.message, displayPath(where.source.absoluteRef), start.line, start.col);
}

/**
 * Resolves every `$ref` of the spec (which may be split over several files) into one document.
 * Unresolvable refs and YAML syntax errors become a {@link SpecError} pointing at file:line.
 */
export async function bundleSpec(specPath: string): Promise<{ document: SpecDocument; files: string[] }> {
  const config = await createConfig({});
  let result: Awaited<ReturnType<typeof bundle>>;
  try {
    result = await bundle({ ref: specPath, config, dereference: false });
  } catch (error) {
    if (error instanceof Error && "line" in error && "source" in error) {
      const { line, col, source } = error as Error & { line: number; col: number; source: { absoluteRef: string } };
      throw new SpecError(error.message.split("\n")[0] ?? "YAML syntax error", displayPath(source.absoluteRef), line, col);
    }
    throw error;
  }
  const errors = result.problems.filter((problem) => problem.severity === "error" && !problem.ignored);
  const first = errors[0];
  if (first) throw toSpecError(first);
  const document = result.bundle.parsed as unknown;
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw new SpecError("the spec is not a YAML mapping", displayPath(specPath), 1, 1);
  }
  return { document: document as SpecDocument, files: [specPath, ...result.fileDependencies] };
}
