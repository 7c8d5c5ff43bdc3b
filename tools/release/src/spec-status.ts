import { readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { SAMPLE_LANGUAGES, SCAFFOLD_MARK } from "@mkp/codegen/samples";
import { followRef, HTTP_METHODS, isObject, type JsonObject as Json } from "@mkp/codegen/spec-walk";
import { HANDWRITTEN_OPERATIONS, OPERATION_EFFECTS, type OperationEffects } from "@mkp/mock-server";
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
  /** The same operations, each with what answering it changes in the sandbox, as `pnpm spec:status` prints them. */
  exampleEffects: string[];
  /** `operationId: parameter` pairs the sandbox validates but does not act on. */
  ignoredParameters: string[];
  /** Operations no `mkp` command calls (packages/cli/src/spec-commands.ts names those that have one). */
  withoutCommand: string[];
  /** The changeset lines spec:diff asks for (empty when it passes). */
  changesetNeeded: string[];
  /** The short list `pnpm spec:status` (and `pnpm generate`) prints. */
  report: string;
}

/** The operations of the current spec: the query parameters each documents, and whether its path names something by id. */
function operations(spec: Json): Map<string, { query: string[]; byId: boolean }> {
  const found = new Map<string, { query: string[]; byId: boolean }>();
  for (const item of Object.values(isObject(spec["paths"]) ? spec["paths"] : {})) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation) || typeof operation["operationId"] !== "string") continue;
      const parameters = [
        ...(Array.isArray(item["parameters"]) ? item["parameters"] : []),
        ...(Array.isArray(operation["parameters"]) ? operation["parameters"] : []),
      ].map((parameter) => followRef(spec, parameter));
      found.set(operation["operationId"], {
        query: parameters.filter((parameter) => parameter["in"] === "query").map((parameter) => String(parameter["name"])),
        byId: parameters.some((parameter) => parameter["in"] === "path"),
      });
    }
  }
  return found;
}

/** What the packages' sources say about the operations: by default the sandbox's and the CLI's own tables. */
export interface StatusSources {
  /** How the sandbox answers each operation and what that changes (`@mkp/mock-server`'s `OPERATION_EFFECTS`). */
  effects: Readonly<Record<string, OperationEffects>>;
  /** The query parameters each hand-written sandbox handler acts on. */
  handwritten: Readonly<Record<string, readonly string[]>>;
  /** The `mkp` command that calls each operation. */
  commands: Readonly<Record<string, string>>;
}

const SOURCES: StatusSources = { effects: OPERATION_EFFECTS, handwritten: HANDWRITTEN_OPERATIONS, commands: COMMAND_FOR_OPERATION };

/**
 * After a spec edit: what a person still has to do, in one short list. Reads the spec, the
 * sandbox's and the CLI's sources (never a build), so it is right straight after `pnpm generate`,
 * on a clone that was only installed too.
 */
export async function specStatus(layout: ReleaseLayout, sources: StatusSources = SOURCES): Promise<SpecStatus> {
  const spec = await bundledSpec(layout);
  const samplesDir = join(layout.packagesDir, "docs", "samples");
  const samplesToReview: string[] = [];
  const samplesMissing: string[] = [];
  const answeredFromExamples: string[] = [];
  const exampleEffects: string[] = [];
  const ignoredParameters: string[] = [];
  const withoutCommand: string[] = [];
  for (const [operationId, { query, byId }] of operations(spec)) {
    if (sources.commands[operationId] === undefined) withoutCommand.push(operationId);
    for (const { file } of SAMPLE_LANGUAGES) {
      const path = join(samplesDir, operationId, file);
      const text = await readFile(path, "utf8").catch(() => undefined);
      if (text === undefined) samplesMissing.push(relative(layout.root, path));
      else if (text.includes(SCAFFOLD_MARK)) samplesToReview.push(relative(layout.root, path));
    }
    const implemented = sources.handwritten[operationId];
    const answer = sources.effects[operationId];
    if (answer?.answeredFrom !== "handler") {
      answeredFromExamples.push(operationId);
      const changes =
        answer && answer.effects.length > 0
          ? `changes: ${answer.effects.join("; ")}`
          : "changes nothing in the sandbox (the API's side effects are not imitated)";
      exampleEffects.push(`${operationId}: ${changes}${byId && answer?.unknownIds === "404" ? "; an id it does not know gets the spec's 404" : ""}`);
    }
    for (const name of query) if (!implemented?.includes(name)) ignoredParameters.push(`${operationId}: ${name}`);
  }
  const diff = await checkSpecChange(layout);
  const changesetNeeded = diff.missing.map((entry) => `"${entry.name}": ${entry.needed}`);

  const section = (title: string, entries: string[]) => (entries.length > 0 ? [title, ...entries.map((entry) => `  ${entry}`)] : []);
  const lines = [
    ...section("Samples to write (pnpm docs:samples scaffolds them):", samplesMissing),
    ...section("Samples to review (scaffolded; delete their first line when done):", samplesToReview),
    ...section("Operations the sandbox answers with the spec's example (write a handler in packages/mock-server/src if they keep state):", exampleEffects),
    ...section("Query parameters the sandbox checks but ignores (it says so in x-mkp-sandbox-ignored):", ignoredParameters),
    ...section("Operations without an mkp command (add one in packages/cli/src/commands, then name it in packages/cli/src/spec-commands.ts):", withoutCommand),
    ...section("A changeset that pnpm spec:diff asks for (.changeset/<name>.md, then say what changed):", changesetNeeded),
  ];
  const report =
    lines.length === 0
      ? "spec:status: nothing left for a person: samples reviewed, every operation handled by the sandbox and the CLI, changesets in place."
      : `spec:status: left for a person:\n${lines.join("\n")}`;
  return { samplesToReview, samplesMissing, answeredFromExamples, exampleEffects, ignoredParameters, withoutCommand, changesetNeeded, report };
}
