/**
 * `pnpm docs:samples [operationId…]`: writes the four samples of every operation that has none yet
 * (or of the named ones), from the spec's method, path, parameter and body examples and security,
 * ready to edit. Each file's first line says it was scaffolded; `pnpm spec:status` lists the files
 * that still say so. Existing files are never overwritten.
 * @packageDocumentation
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { SAMPLE_LANGUAGES, SCAFFOLD_MARK } from "@mkp/codegen/samples";
import { followRef, HTTP_METHODS, isObject } from "@mkp/codegen/spec-walk";
import { pathParameters, type PathParameter, SampleError, specOperations, type OpenApiDocument, type OperationObject } from "./spec-operations.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What a sample needs to know about one operation. */
interface Call {
  operationId: string;
  summary: string;
  method: string;
  path: string;
  /** The server URL when the operation has its own (`servers` on the path), else the placeholder. */
  server: string;
  /** Written as placeholders (`{{ITEM_ID}}`) and, in TypeScript, as the function's arguments: the tests pass ids that exist. */
  pathParams: PathParameter[];
  query: Record<string, Json>;
  authenticated: boolean;
  body: { mediaType: string; value: Record<string, Json> } | undefined;
}

function callOf(spec: OpenApiDocument, operationId: string): Call {
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation: OperationObject | undefined = item[method];
      if (operation?.operationId !== operationId) continue;
      const query: Record<string, Json> = {};
      const parameters = [...((item as { parameters?: unknown[] }).parameters ?? []), ...((operation["parameters"] as unknown[] | undefined) ?? [])];
      for (const raw of parameters) {
        const parameter = followRef(spec, raw);
        const schema = followRef(spec, parameter["schema"]);
        const example = (parameter["example"] ?? schema["example"] ?? schema["default"]) as Json | undefined;
        if (example === undefined) continue;
        if (parameter["in"] === "query") query[String(parameter["name"])] = example;
      }
      const content = followRef(spec, operation["requestBody"])["content"];
      const mediaType = isObject(content) ? Object.keys(content)[0] : undefined;
      const media = mediaType === undefined || !isObject(content) ? {} : followRef(spec, content[mediaType]);
      const security = (operation["security"] ?? spec["security"] ?? []) as unknown[];
      const servers = (item as { servers?: { url: string }[] }).servers;
      return {
        operationId,
        summary: typeof operation["summary"] === "string" ? operation["summary"] : operationId,
        method: method.toUpperCase(),
        path,
        server: servers?.[0]?.url ?? "{{SERVER_URL}}",
        pathParams: pathParameters(spec, operationId),
        query,
        authenticated: security.some((requirement) => isObject(requirement) && Object.keys(requirement).length > 0),
        body: mediaType !== undefined && isObject(media["example"]) ? { mediaType, value: media["example"] as Record<string, Json> } : undefined,
      };
    }
  }
  throw new SampleError(`no operation of the spec has the operationId ${operationId}`);
}

function concretePath(call: Call): string {
  return call.path.replace(/\{([^}]+)\}/g, (match, name: string) => {
    const parameter = call.pathParams.find((entry) => entry.name === name);
    return parameter ? `{{${parameter.placeholder}}}` : match;
  });
}

/** A path parameter as a TypeScript identifier and its type (`id: number`). */
const identifier = (name: string) => name.replace(/[^A-Za-z0-9_$]+(.)?/g, (_match, next: string | undefined) => (next ?? "").toUpperCase());
const argumentOf = (parameter: PathParameter) =>
  `${identifier(parameter.name)}: ${parameter.type === "integer" || parameter.type === "number" ? "number" : "string"}`;

function queryString(call: Call): string {
  const entries = Object.entries(call.query);
  return entries.length === 0 ? "" : `?${new URLSearchParams(entries.map(([name, value]) => [name, String(value)])).toString()}`;
}

function typescript(call: Call): string {
  const params: string[] = [];
  if (call.pathParams.length > 0)
    params.push(`path: { ${call.pathParams.map((parameter) => `${JSON.stringify(parameter.name)}: ${identifier(parameter.name)}`).join(", ")} }`);
  if (Object.keys(call.query).length > 0) params.push(`query: ${JSON.stringify(call.query)}`);
  const init: string[] = [];
  if (params.length > 0) init.push(`params: { ${params.join(", ")} }`);
  if (call.body) init.push(`body: ${JSON.stringify(call.body.value)}`);
  const args = [JSON.stringify(call.path), ...(init.length > 0 ? [`{ ${init.join(", ")} }`] : [])].join(", ");
  return [
    `// ${SCAFFOLD_MARK}`,
    `import { createClient, unwrap } from "@mkp/client";`,
    "",
    `/** ${call.summary}. */`,
    `export async function ${call.operationId}(${call.pathParams.map(argumentOf).join(", ")}) {`,
    ...(call.authenticated ? ["  // The API key comes from $MAKEPRINTABLE_API_KEY."] : []),
    "  const client = createClient();",
    `  const result = await unwrap(client.${call.method}(${args}));`,
    "  console.log(result);",
    "  return result;",
    "}",
    "",
  ].join("\n");
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function curl(call: Call): string {
  const lines = [`curl --fail-with-body -X ${call.method} "${call.server}${concretePath(call)}${queryString(call)}"`];
  if (call.authenticated) lines.push(`  -H "{{API_KEY_HEADER}}: $MAKEPRINTABLE_API_KEY"`);
  if (call.body?.mediaType === "application/json") lines.push(`  -H "content-type: application/json"`, `  -d ${shellQuote(JSON.stringify(call.body.value))}`);
  else if (call.body?.mediaType === "multipart/form-data")
    for (const [name, value] of Object.entries(call.body.value)) lines.push(`  -F ${shellQuote(`${name}=${String(value)}`)}`);
  else if (call.body) for (const [name, value] of Object.entries(call.body.value)) lines.push(`  --data-urlencode ${shellQuote(`${name}=${String(value)}`)}`);
  return `# ${SCAFFOLD_MARK}\n${lines.join(" \\\n")}\n`;
}

function python(value: Json): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number" || typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(python).join(", ")}]`;
  return `{${Object.entries(value)
    .map(([key, entry]) => `${JSON.stringify(key)}: ${python(entry)}`)
    .join(", ")}}`;
}

function pythonSample(call: Call): string {
  const args = [`    "${call.server}${concretePath(call)}",`];
  if (Object.keys(call.query).length > 0) args.push(`    params=${python(call.query)},`);
  if (call.authenticated) args.push(`    headers={"{{API_KEY_HEADER}}": os.environ["MAKEPRINTABLE_API_KEY"]},`);
  if (call.body)
    args.push(
      `    ${call.body.mediaType === "application/json" ? "json" : call.body.mediaType === "multipart/form-data" ? "files" : "data"}=${python(call.body.mediaType === "multipart/form-data" ? Object.fromEntries(Object.entries(call.body.value).map(([key, entry]) => [key, [null, String(entry)]])) : call.body.value)},`,
    );
  args.push("    timeout=10,");
  return [
    `# ${SCAFFOLD_MARK}`,
    "import os",
    "",
    "import requests",
    "",
    `response = requests.${call.method.toLowerCase()}(`,
    ...args,
    ")",
    "response.raise_for_status()",
    "print(response.json() if response.content else response.status_code)",
    "",
  ].join("\n");
}

function php(value: Json): string {
  if (value === null) return "null";
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  if (typeof value === "string") return `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
  if (Array.isArray(value)) return `[${value.map(php).join(", ")}]`;
  return `[${Object.entries(value)
    .map(([key, entry]) => `${php(key)} => ${php(entry)}`)
    .join(", ")}]`;
}

function phpSample(call: Call): string {
  const url = `'${call.server}${concretePath(call)}'${Object.keys(call.query).length > 0 ? ` . '?' . http_build_query(${php(call.query)})` : ""}`;
  const headers = [
    ...(call.authenticated ? ["'{{API_KEY_HEADER}}: ' . getenv('MAKEPRINTABLE_API_KEY')"] : []),
    ...(call.body?.mediaType === "application/json" ? ["'content-type: application/json'"] : []),
  ];
  const options = [
    `    CURLOPT_CUSTOMREQUEST => '${call.method}',`,
    `    CURLOPT_HTTPHEADER => [${headers.join(", ")}],`,
    "    CURLOPT_RETURNTRANSFER => true,",
  ];
  if (call.body) {
    const fields =
      call.body.mediaType === "application/json"
        ? `json_encode(${php(call.body.value)})`
        : call.body.mediaType === "multipart/form-data"
          ? php(call.body.value)
          : `http_build_query(${php(call.body.value)})`;
    options.push(`    CURLOPT_POSTFIELDS => ${fields},`);
  }
  return [
    "<?php",
    `// ${SCAFFOLD_MARK}`,
    `$ch = curl_init(${url});`,
    "curl_setopt_array($ch, [",
    ...options,
    "]);",
    "$body = curl_exec($ch);",
    "$status = curl_getinfo($ch, CURLINFO_RESPONSE_CODE);",
    "if ($status >= 400) {",
    '    fwrite(STDERR, "HTTP $status: $body\\n");',
    "    exit(1);",
    "}",
    "print_r(json_decode($body, true));",
    "",
  ].join("\n");
}

const WRITERS: Record<string, (call: Call) => string> = { "sample.ts": typescript, "curl.sh": curl, "python.py": pythonSample, "php.php": phpSample };

/**
 * Writes the missing sample files of `operationIds` (default: every operation of the spec without
 * a sample folder). Returns the files written, relative to `samplesDir`.
 */
export async function scaffoldSamples(spec: OpenApiDocument, samplesDir: string, operationIds?: readonly string[]): Promise<string[]> {
  const ids = operationIds && operationIds.length > 0 ? operationIds : [...specOperations(spec).keys()].filter((id) => !existsSync(join(samplesDir, id)));
  const written: string[] = [];
  for (const id of ids) {
    const call = callOf(spec, id);
    await mkdir(join(samplesDir, id), { recursive: true });
    for (const language of SAMPLE_LANGUAGES) {
      const file = join(samplesDir, id, language.file);
      if (existsSync(file)) continue;
      const writer = WRITERS[language.file];
      if (!writer) throw new SampleError(`no scaffold for ${language.file}`);
      await writeFile(file, writer(call));
      written.push(relative(samplesDir, file));
    }
  }
  return written;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const spec = createRequire(import.meta.url)("@mkp/client/openapi.json") as OpenApiDocument;
  const samplesDir = join(import.meta.dirname, "..", "samples");
  const written = await scaffoldSamples(spec, samplesDir, process.argv.slice(2));
  console.log(
    written.length === 0
      ? "docs:samples: every operation has its samples"
      : `docs:samples: wrote, to review:\n${written.map((file) => `  packages/docs/samples/${file}`).join("\n")}`,
  );
}
