/**
 * The names a curl, Python or PHP sample sends — query parameters, form and JSON fields — checked
 * against its operation's inputs in the spec, so a sample still using a renamed parameter stops the
 * build naming it. (TypeScript samples are type-checked against the generated types instead.)
 * @packageDocumentation
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { readOperationInput, type SpecDocument } from "@mkp/codegen";
import { HTTP_METHODS, isObject } from "@mkp/codegen/spec-walk";
import type { OpenApiDocument } from "./spec-operations.js";

const NAME = /^[A-Za-z_][\w.-]*$/;

/** The text from `open` (a `{` or `[`) to its match; placeholders (`{{X}}`) are balanced, so they count too. */
function balanced(text: string, open: number): string {
  const [up, down] = text[open] === "[" ? ["[", "]"] : ["{", "}"];
  let depth = 0;
  for (let at = open; at < text.length; at++) {
    if (text[at] === up) depth++;
    else if (text[at] === down && --depth === 0) return text.slice(open, at + 1);
  }
  return text.slice(open);
}

/** The keys (`"name":`, `'name' =>`) of every literal that follows one of `anchors`. */
function literalKeys(text: string, anchors: RegExp, key: RegExp): string[] {
  const names: string[] = [];
  for (const anchor of text.matchAll(anchors)) {
    const literal = balanced(text, (anchor.index ?? 0) + anchor[0].length - 1);
    for (const found of literal.matchAll(key)) names.push(found[2] ?? "");
  }
  return names;
}

/** The query parameter names of every URL written after a placeholder (`"{{SERVER_URL}}/items?page=1&pageSize=20"`). */
function urlQueryNames(text: string): string[] {
  return [...text.matchAll(/\{\{[A-Z_]+\}\}[^"'\s?]*\?([^"'\s]+)/g)].flatMap((match) => (match[1] ?? "").split("&").map((pair) => pair.split("=")[0] ?? ""));
}

const PYTHON_KEY = /(["'])([^"'\s]+)\1\s*:/g;
const PHP_KEY = /(["'])([^"'\s]+)\1\s*=>/g;

/** The names a sample sends, by its file (commented-out alternatives included: the page shows them too). */
export function sentNames(file: string, text: string): string[] {
  const names = file.endsWith(".py")
    ? [...urlQueryNames(text), ...literalKeys(text, /\b(?:params|data|json|files)=\{|urlencode\(\{/g, PYTHON_KEY)]
    : file.endsWith(".php")
      ? [...urlQueryNames(text), ...literalKeys(text, /(?:http_build_query\(|json_encode\(|CURLOPT_POSTFIELDS => )\[/g, PHP_KEY)]
      : [
          ...urlQueryNames(text),
          ...[...text.matchAll(/(?:--data-urlencode|--data|-d|-F|--form)\s+["']([^"'=\s{]+)=/g)].map((match) => match[1] ?? ""),
          ...literalKeys(text, /(?:--data|-d)\s+'\{/g, PYTHON_KEY),
        ];
  return [...new Set(names.filter((name) => NAME.test(name)))];
}

/** Each operation's input names (parameters and body fields), by operationId. */
function inputNames(spec: OpenApiDocument): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation) || typeof operation.operationId !== "string") continue;
      const input = readOperationInput(spec as SpecDocument, item as Record<string, unknown>, operation, `${method.toUpperCase()} ${path}`, "openapi.json");
      found.set(operation.operationId, Object.keys(input.in));
    }
  }
  return found;
}

/**
 * Every name a curl, Python or PHP sample under `samplesDir` sends that its operation does not
 * have in `spec`, as one line each (`samples/listItems/curl.sh sends pageSize, …`).
 */
export async function sampleParameterProblems(spec: OpenApiDocument, samplesDir: string): Promise<string[]> {
  const problems: string[] = [];
  for (const [operationId, inputs] of inputNames(spec)) {
    for (const file of ["curl.sh", "python.py", "php.php"]) {
      const text = await readFile(join(samplesDir, operationId, file), "utf8").catch(() => "");
      for (const name of sentNames(file, text).filter((sent) => !inputs.includes(sent)))
        problems.push(
          `samples/${operationId}/${file} sends ${name}, which ${operationId} does not have in the spec (its inputs: ${inputs.join(", ") || "none"})`,
        );
    }
  }
  return problems;
}
