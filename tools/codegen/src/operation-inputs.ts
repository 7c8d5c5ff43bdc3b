import type { SpecDocument } from "./bundle-spec.ts";
import { resolveInSpec, SpecError } from "./spec-error.ts";
import { isObject, type JsonObject as Json } from "./spec-walk.ts";

/** Where an input of an operation travels. */
export type InputLocation = "path" | "query" | "header" | "cookie" | "body";

/**
 * An operation's inputs as one JSON Schema object (parameters and body fields side by side, every
 * `$ref` resolved), and where each input goes. Commands, forms and tool definitions read it.
 */
export interface OperationInput {
  in: Record<string, InputLocation>;
  schema: Json;
}

// OpenAPI keywords that are not JSON Schema (2020-12): left out so any JSON Schema validator takes the result.
const NOT_JSON_SCHEMA = new Set(["example", "xml", "externalDocs", "discriminator"]);
const LOCATIONS = new Set(["path", "query", "header", "cookie"]);

/** `node` with every local `$ref` replaced by its target and the non-JSON-Schema keywords dropped. */
function inline(document: SpecDocument, node: unknown, file: string, seen: readonly string[] = []): unknown {
  if (Array.isArray(node)) return node.map((entry) => inline(document, entry, file, seen));
  if (!isObject(node)) return node;
  if (typeof node.$ref === "string") {
    // A schema may refer to itself through properties (a tree): such an input cannot be inlined.
    if (seen.includes(node.$ref)) throw new SpecError(`${node.$ref} refers to itself: an operation's input cannot be inlined`, file);
    return inline(document, resolveInSpec(document, node, file), file, [...seen, node.$ref]);
  }
  const result: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (NOT_JSON_SCHEMA.has(key)) continue;
    // `properties` maps names to schemas: a property may be called "example" or "xml".
    result[key] =
      key === "properties" && isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, inline(document, schema, file, seen)]))
        : inline(document, value, file, seen);
  }
  return result;
}

/**
 * Reads one operation's inputs: its path item's and its own parameters (the operation's win, as
 * OpenAPI says), then the fields of its request body's first media type.
 * @throws {SpecError} when a parameter and a body field share a name, or the body is not an object.
 */
export function readOperationInput(document: SpecDocument, pathItem: Json, operation: Json, where: string, file: string): OperationInput {
  const parameters = new Map<string, Json>();
  for (const raw of [
    ...(Array.isArray(pathItem.parameters) ? pathItem.parameters : []),
    ...(Array.isArray(operation.parameters) ? operation.parameters : []),
  ]) {
    // The parameter object itself is not a schema: resolve it whole, keeping its `example`.
    const parameter = resolveInSpec(document, raw, file);
    if (!isObject(parameter) || typeof parameter.name !== "string" || !LOCATIONS.has(String(parameter.in))) {
      throw new SpecError(`${where}: a parameter needs a name and an \`in\` of path, query, header or cookie`, file);
    }
    parameters.set(`${parameter.in} ${parameter.name}`, parameter);
  }
  const locations: Record<string, InputLocation> = {};
  const properties: Json = {};
  const required: string[] = [];
  for (const parameter of parameters.values()) {
    const name = parameter.name as string;
    if (name in locations) throw new SpecError(`${where}: two parameters are called ${name}`, file);
    locations[name] = parameter.in as InputLocation;
    const inlined = inline(document, parameter.schema, file);
    const schema: Json = { ...(isObject(inlined) ? inlined : {}) };
    if (typeof parameter.description === "string") schema.description = parameter.description;
    if (parameter.example !== undefined && schema.examples === undefined) schema.examples = [parameter.example];
    properties[name] = schema;
    if (parameter.required === true) required.push(name);
  }
  const input: Json = { type: "object", properties, required, additionalProperties: false };
  const body = inline(document, operation.requestBody, file);
  const content = isObject(body) && isObject(body.content) ? Object.values(body.content)[0] : undefined;
  if (isObject(content) && isObject(content.schema)) {
    const { properties: fields, required: bodyRequired, type, description: _about, title: _title, ...rest } = content.schema;
    if (type !== undefined && type !== "object") throw new SpecError(`${where}: the request body must be an object to become inputs`, file);
    for (const [name, schema] of Object.entries(isObject(fields) ? fields : {})) {
      if (name in locations) throw new SpecError(`${where}: the parameter ${name} and the body field ${name} share a name`, file);
      locations[name] = "body";
      properties[name] = schema;
    }
    // An optional body's required fields are required only when there is a body: keep them out.
    if ((body as Json).required === true && Array.isArray(bodyRequired)) required.push(...bodyRequired.map(String));
    // The body's own constraints (oneOf, additionalProperties …) hold for the whole input.
    Object.assign(input, rest);
  }
  return { in: locations, schema: input };
}

/**
 * An operation's success answer: the first `2XX`-class response (`200`, `201`, `2XX` …), its
 * first media type and that media type's schema with every `$ref` resolved; `schema` is null when
 * the answer has no content. Tools that show a result (an MCP server's `outputSchema`) read it.
 */
export interface OperationOutput {
  status: string;
  mediaType: string | null;
  schema: Json | null;
}

/**
 * Reads one operation's success answer ({@link OperationOutput}), or null when it documents none.
 */
export function readOperationOutput(document: SpecDocument, operation: Json, file: string): OperationOutput | null {
  const responses = isObject(operation.responses) ? operation.responses : {};
  const status = Object.keys(responses).find((code) => /^2(\d\d|XX)$/.test(code));
  if (status === undefined) return null;
  const response = inline(document, responses[status], file);
  const content = isObject(response) && isObject(response.content) ? Object.entries(response.content)[0] : undefined;
  const schema = content && isObject(content[1]) && isObject(content[1].schema) ? content[1].schema : null;
  return { status, mediaType: content?.[0] ?? null, schema };
}

/**
 * The inputs whose value is a URL the API calls later (an operation's `callbacks` keyed by
 * `{$request.body#/field}` or `{$request.query.name}`): a caller hands the API an address to send data to.
 * @see https://spec.openapis.org/oas/v3.1.0#key-expression
 */
export function callbackInputs(operation: Json): string[] {
  const names = new Set<string>();
  for (const callback of Object.values(isObject(operation.callbacks) ? operation.callbacks : {})) {
    for (const expression of Object.keys(isObject(callback) ? callback : {})) {
      const found = /^\{\$request\.(?:body#\/([^/}]+)|(?:query|path|header)\.([^}]+))\}$/.exec(expression);
      const name = found?.[1] ?? found?.[2];
      if (name) names.add(name.replaceAll("~1", "/").replaceAll("~0", "~"));
    }
  }
  return [...names];
}
