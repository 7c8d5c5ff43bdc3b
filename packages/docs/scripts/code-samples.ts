/**
 * The code samples of the docs: real files under `samples/<operationId>/`, one per language,
 * injected into the bundled spec as `x-codeSamples` at build time (never pasted into the spec).
 * @packageDocumentation
 */
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { SAMPLE_LANGUAGES, type SampleLanguage } from "@mkp/codegen/samples";
import { API_KEY_HEADER, AUTHORIZATION_URL, SCOPES, SERVER_URL, TOKEN_URL } from "@mkp/client";
import { DEFAULT_RESPONSE_TYPE, GRANT_TYPE } from "@mkp/client/internal";
import { pathParameters, SampleError, specOperations, type CodeSample, type OpenApiDocument, type OperationObject } from "./spec-operations.js";

export { SAMPLE_LANGUAGES, type SampleLanguage };
export { pathParameters, SampleError, specOperations, type CodeSample, type OpenApiDocument, type OperationObject };

/**
 * The facts a curl, Python or PHP sample may name, written `{{NAME}}` in the sample file. They come
 * from the spec through `@mkp/client`'s generated constants, so a URL, header name, grant type or
 * scope is still written once, in the spec; the sample tests put the sandbox's URLs in instead.
 */
export const SAMPLE_PLACEHOLDERS = {
  SERVER_URL,
  AUTHORIZATION_URL,
  TOKEN_URL,
  API_KEY_HEADER,
  GRANT_TYPE,
  RESPONSE_TYPE: DEFAULT_RESPONSE_TYPE,
  SCOPES: SCOPES.join(" "),
} as const;

/**
 * Every placeholder a sample may use: {@link SAMPLE_PLACEHOLDERS} plus one per path parameter of
 * the spec (`ITEM_ID`, `FIX_ID` …, see {@link pathParameters}) holding its example, so the page
 * shows the spec's examples and the tests fill in ids that exist.
 */
export function samplePlaceholders(spec: OpenApiDocument): Record<string, string> {
  const placeholders: Record<string, string> = { ...SAMPLE_PLACEHOLDERS };
  for (const operationId of specOperations(spec).keys()) {
    for (const parameter of pathParameters(spec, operationId)) {
      if (parameter.example === undefined) throw new SampleError(`${operationId}: path parameter ${parameter.name} has no example for the samples`);
      placeholders[parameter.placeholder] = String(parameter.example);
    }
  }
  return placeholders;
}

const PLACEHOLDER = /\{\{([A-Z_]+)\}\}/g;

/**
 * Replaces every `{{NAME}}` in a sample template. An unknown name is an error, so a typo never
 * reaches the page.
 */
export function fillPlaceholders(text: string, values: Readonly<Record<string, string>>, where = "sample"): string {
  return text.replace(PLACEHOLDER, (match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new SampleError(`${where}: unknown placeholder ${match} (known: ${Object.keys(values).join(", ")})`);
    return value;
  });
}

/**
 * Reads every operation's samples from `samplesDir` and returns the `x-codeSamples` of each.
 *
 * @throws {SampleError} when an operation lacks a language, a folder names no operation of the
 *   spec, a file is empty, or a template uses an unknown placeholder.
 */
export async function loadCodeSamples(
  samplesDir: string,
  operationIds: Iterable<string>,
  placeholders: Readonly<Record<string, string>> = SAMPLE_PLACEHOLDERS,
): Promise<Map<string, CodeSample[]>> {
  const wanted = new Set(operationIds);
  const folders = (await readdir(samplesDir, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  const strays = folders.filter((folder) => !wanted.has(folder));
  if (strays.length > 0) throw new SampleError(`samples/${strays.join(", samples/")}: no operation of the spec has this operationId`);
  const samples = new Map<string, CodeSample[]>();
  const missing: string[] = [];
  for (const operationId of wanted) {
    const entries: CodeSample[] = [];
    for (const language of SAMPLE_LANGUAGES) {
      const file = join(samplesDir, operationId, language.file);
      const text = await readFile(file, "utf8").catch(() => undefined);
      if (text === undefined || text.trim() === "") {
        missing.push(`samples/${operationId}/${language.file}`);
        continue;
      }
      const source = language.template ? fillPlaceholders(text, placeholders, `samples/${operationId}/${language.file}`) : text;
      entries.push({ lang: language.lang, label: language.label, source: `${source.trimEnd()}\n` });
    }
    samples.set(operationId, entries);
  }
  if (missing.length > 0)
    throw new SampleError(
      `every operation needs a sample in every language; missing or empty:\n  ${missing.join("\n  ")}\n(\`pnpm docs:samples\` writes the missing ones from the spec, ready to edit)`,
    );
  return samples;
}

/** Returns a copy of `spec` whose operations carry their `x-codeSamples`. */
export function injectCodeSamples(spec: OpenApiDocument, samples: ReadonlyMap<string, readonly CodeSample[]>): OpenApiDocument {
  const copy = structuredClone(spec);
  for (const [operationId, operation] of specOperations(copy)) {
    const entries = samples.get(operationId);
    if (!entries) throw new SampleError(`operation ${operationId} has no samples`);
    operation["x-codeSamples"] = entries.map((entry) => ({ ...entry }));
  }
  return copy;
}
