import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { SAMPLE_LANGUAGES, SCAFFOLD_MARK } from "@mkp/codegen/samples";
import { followRef, HTTP_METHODS, isObject, type JsonObject as Json } from "@mkp/codegen/spec-walk";
import { HANDWRITTEN_OPERATIONS } from "@mkp/mock-server";
import { COMMAND_FOR_OPERATION } from "../../../packages/cli/src/spec-commands.ts";
import { bundledSpec } from "./released-spec.ts";
import type { ReleaseLayout } from "./paths.ts";
import { checkSpecChange } from "./spec-diff.ts";

export interface SpecStatus {
  /** Sample files still carrying the scaffold line, or missing (relative to the repository). */
  samplesToReview: string[];
  samplesMissing: string[];
  /** Operations the sandbox answers from the spec's examples (a hand-written handler is worth it if they keep state). */
  answeredFromExamples: string[];
  /** `operationId: parameter` pairs the sandbox validates but does not act on. */
  ignoredParameters: string[];
  /** Operations no `mkp` command calls (packages/cli/src/spec-commands.ts names those that have one). */
  withoutCommand: string[];
  /** The changeset lines spec:diff asks for (empty when it passes). */
  changesetNeeded: string[];
  /** The short list `pnpm spec:status` (and `pnpm generate`) prints. */
  report: string;
}

/** The operations of the current spec and the query parameters each documents. */
function operations(spec: Json): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const item of Object.values(isObject(spec["paths"]) ? spec["paths"] : {})) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation) || typeof operation["operationId"] !== "string") continue;
      const parameters = [
        ...(Array.isArray(item["parameters"]) ? item["parameters"] : []),
        ...(Array.isArray(operation["parameters"]) ? operation["parameters"] : []),
      ].map((parameter) => followRef(spec, parameter));
      found.set(
        operation["operationId"],
        parameters.filter((parameter) => parameter["in"] === "query").map((parameter) => String(parameter["name"])),
      );
    }
  }
  return found;
}

/**
 * After a spec edit: what a person still has to do, in one short list. Reads the spec, the
 * sandbox's and the CLI's sources (never a build), so it is right straight after `pnpm generate`,
 * on a clone that was only installed too.
 */
export async function specStatus(layout: ReleaseLayout): Promise<SpecStatus> {
  const spec = await bundledSpec(layout);
  const samplesDir = join(layout.packagesDir, "docs", "samples");
  const samplesToReview: string[] = [];
  const samplesMissing: string[] = [];
  const answeredFromExamples: string[] = [];
  const ignoredParameters: string[] = [];
  const withoutCommand: string[] = [];
  const commands: Readonly<Record<string, string>> = COMMAND_FOR_OPERATION;
  for (const [operationId, query] of operations(spec)) {
    if (commands[operationId] === undefined) withoutCommand.push(operationId);
    for (const { file } of SAMPLE_LANGUAGES) {
      const path = join(samplesDir, operationId, file);
      const text = await readFile(path, "utf8").catch(() => undefined);
      if (text === undefined) samplesMissing.push(relative(layout.root, path));
      else if (text.includes(SCAFFOLD_MARK)) samplesToReview.push(relative(layout.root, path));
    }
    const implemented = HANDWRITTEN_OPERATIONS[operationId];
    if (implemented === undefined) answeredFromExamples.push(operationId);
    for (const name of query) if (!implemented?.includes(name)) ignoredParameters.push(`${operationId}: ${name}`);
  }
  const diff = await checkSpecChange(layout);
  const changesetNeeded = diff.missing.map((entry) => `"${entry.name}": ${entry.needed}`);

  const section = (title: string, entries: string[]) => (entries.length > 0 ? [title, ...entries.map((entry) => `  ${entry}`)] : []);
  const lines = [
    ...section("Samples to write (pnpm docs:samples scaffolds them):", samplesMissing),
    ...section("Samples to review (scaffolded; delete their first line when done):", samplesToReview),
    ...section(
      "Operations the sandbox answers with the spec's example (write a handler in packages/mock-server/src if they keep state):",
      answeredFromExamples,
    ),
    ...section("Query parameters the sandbox checks but ignores (it says so in x-mkp-sandbox-ignored):", ignoredParameters),
    ...section("Operations without an mkp command (add one in packages/cli/src/commands, then name it in packages/cli/src/spec-commands.ts):", withoutCommand),
    ...section("A changeset that pnpm spec:diff asks for (.changeset/<name>.md, then say what changed):", changesetNeeded),
  ];
  const report =
    lines.length === 0
      ? "spec:status: nothing left for a person: samples reviewed, every operation handled by the sandbox and the CLI, changesets in place."
      : `spec:status: left for a person:\n${lines.join("\n")}`;
  return { samplesToReview, samplesMissing, answeredFromExamples, ignoredParameters, withoutCommand, changesetNeeded, report };
}
