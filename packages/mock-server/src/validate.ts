import { createRequire } from "node:module";
import { isObject, OPERATIONS, type OperationId } from "@mkp/client/internal";
import type { PathParams, QueryParams, RequestBody } from "./context.js";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

type JsonObject = Record<string, unknown>;

/** The bundled OpenAPI description shipped by `@mkp/client` (`openapi.json`). */
export type OpenApiDocument = JsonObject & { paths: JsonObject; components?: JsonObject };

const require = createRequire(import.meta.url);

/** The OpenAPI 3.1 description the sandbox validates against: `@mkp/client/openapi.json`. */
export const OPENAPI_DOCUMENT = require("@mkp/client/openapi.json") as OpenApiDocument;

// The id under which the whole description is registered, so `$ref`s and JSON pointers resolve.
const DOCUMENT_ID = "mkp-openapi.json";

/** What a validation found; `problems` name where and what, never the offending values. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** The part of a response the validator needs. */
export interface ResponseToValidate {
  status: number;
  /** Header names in lower case. */
  headers: Readonly<Record<string, string>>;
  /** The media type without parameters, or undefined when there is no body. */
  mediaType: string | undefined;
  /** The body's data model (a parsed JSON value; for XML the value it was serialised from). */
  body?: unknown;
}

function escapeSegment(segment: string): string {
  return encodeURIComponent(segment.replaceAll("~", "~0").replaceAll("/", "~1"));
}

function ref(segments: readonly string[]): string {
  return `${DOCUMENT_ID}#/${segments.map(escapeSegment).join("/")}`;
}

function describe(errors: readonly ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((error) => {
    const where = error.instancePath === "" ? "(root)" : error.instancePath;
    const extra = error.keyword === "additionalProperties" ? ` (${String(error.params["additionalProperty"])})` : "";
    return `${where} ${error.message ?? error.keyword}${extra}`;
  });
}

/** A parameter as the validator uses it: where its schema is, and its documented example. */
interface Parameter {
  name: string;
  required: boolean;
  /** A JSON pointer into the registered description. */
  schema: string;
  example: unknown;
}

/** A node of the description and the JSON-pointer segments that lead to it. */
interface Located {
  node: JsonObject;
  segments: string[];
}

/**
 * Validates requests and responses against the bundled OpenAPI 3.1 description with Ajv's JSON
 * Schema 2020-12 dialect (the dialect OpenAPI 3.1 uses) and ajv-formats. Schemas are never copied:
 * every check references the description by JSON pointer, so the spec stays the only source.
 * @see https://spec.openapis.org/oas/v3.1.0#schema-object
 */
export class SpecValidator {
  readonly document: OpenApiDocument;
  // Responses are checked exactly; requests arrive as strings (query, form) and are coerced.
  readonly #exact: Ajv2020;
  readonly #coercing: Ajv2020;
  readonly #cache = new Map<string, ValidateFunction>();
  // What the description says about an operation never changes: each lookup is worked out once.
  readonly #lookups = new Map<string, unknown>();

  constructor(document: OpenApiDocument = OPENAPI_DOCUMENT) {
    this.document = document;
    this.#exact = this.#createAjv(false);
    this.#coercing = this.#createAjv(true);
  }

  #createAjv(coerceTypes: boolean): Ajv2020 {
    // strict: false because an OpenAPI document carries non-JSON-Schema keys (`example`, `x-*`).
    // validateSchema: false because the description is an OpenAPI document, not a JSON Schema:
    // checking it against the JSON Schema meta-schema proves nothing (the spec has its own linter)
    // and cost 0.2–0.5 s per validator, most of what starting a sandbox cost.
    const ajv = new Ajv2020({ strict: false, allErrors: true, coerceTypes, validateSchema: false });
    addFormats.default(ajv);
    // OpenAPI's `binary` format marks file contents, which arrive as bytes, not as JSON.
    ajv.addFormat("binary", true);
    ajv.addSchema(this.document, DOCUMENT_ID);
    return ajv;
  }

  #compile(kind: "exact" | "coercing", key: string, schema: () => JsonObject): ValidateFunction {
    const cacheKey = `${kind}:${key}`;
    let validate = this.#cache.get(cacheKey);
    if (!validate) {
      validate = (kind === "exact" ? this.#exact : this.#coercing).compile(schema());
      this.#cache.set(cacheKey, validate);
    }
    return validate;
  }

  #once<T>(key: string, work: () => T): T {
    if (this.#lookups.has(key)) return this.#lookups.get(key) as T;
    const value = work();
    this.#lookups.set(key, value);
    return value;
  }

  #resolve(located: Located): Located {
    let current = located;
    for (let hops = 0; typeof current.node["$ref"] === "string" && hops < 10; hops += 1) {
      const target = current.node["$ref"];
      if (!target.startsWith("#/")) throw new Error(`only local $refs are supported: ${target}`);
      const segments = target
        .slice(2)
        .split("/")
        .map((segment) => decodeURIComponent(segment).replaceAll("~1", "/").replaceAll("~0", "~"));
      let node: unknown = this.document;
      for (const segment of segments) node = isObject(node) ? node[segment] : undefined;
      if (!isObject(node)) throw new Error(`unresolvable $ref ${target}`);
      current = { node, segments };
    }
    return current;
  }

  #operation(operationId: OperationId): Located & { pathItem: Located } {
    const { method, path } = OPERATIONS[operationId];
    const pathItem = this.document.paths[path];
    const node = isObject(pathItem) ? pathItem[method.toLowerCase()] : undefined;
    if (!isObject(pathItem) || !isObject(node)) throw new Error(`operation ${operationId} is not in the description`);
    return {
      node,
      segments: ["paths", path, method.toLowerCase()],
      pathItem: { node: pathItem, segments: ["paths", path] },
    };
  }

  #parameters(operationId: OperationId, location: "query" | "path"): Parameter[] {
    return this.#once(`parameters:${operationId}:${location}`, () => this.#findParameters(operationId, location));
  }

  #findParameters(operationId: OperationId, location: "query" | "path"): Parameter[] {
    const operation = this.#operation(operationId);
    const found = new Map<string, Parameter>();
    for (const owner of [operation.pathItem, operation]) {
      const list = owner.node["parameters"];
      if (!Array.isArray(list)) continue;
      list.forEach((_, index) => {
        const parameter = this.#resolve({ node: list[index] as JsonObject, segments: [...owner.segments, "parameters", String(index)] });
        if (parameter.node["in"] !== location) return;
        const name = String(parameter.node["name"]);
        // Operation-level parameters override path-level ones of the same name (OpenAPI 3.1 §4.8.9).
        const schema = isObject(parameter.node["schema"]) ? this.#resolve({ node: parameter.node["schema"], segments: [] }).node : {};
        const example = parameter.node["example"] ?? schema["example"];
        found.set(name, { name, required: parameter.node["required"] === true, schema: ref([...parameter.segments, "schema"]), example });
      });
    }
    return [...found.values()];
  }

  /** The documented example of each parameter an operation has in `location` that has one (`{ id: 149 }`). */
  parameterExamples(operationId: OperationId, location: "query" | "path"): ReadonlyMap<string, unknown> {
    const parameters = this.#parameters(operationId, location).filter((parameter) => parameter.example !== undefined);
    return new Map(parameters.map((parameter) => [parameter.name, parameter.example]));
  }

  /** The names of the parameters an operation documents in `location`. */
  parameterNames(operationId: OperationId, location: "query" | "path"): string[] {
    return this.#parameters(operationId, location).map((parameter) => parameter.name);
  }

  /**
   * Checks (and coerces, e.g. `"149"` → `149`) the query or path parameters of a request.
   * Parameters the operation does not document are left out of the result.
   */
  validateParameters<Op extends OperationId, In extends "query" | "path">(
    operationId: Op,
    location: In,
    values: Readonly<Record<string, string>>,
  ): ValidationResult<In extends "path" ? PathParams<Op> : QueryParams<Op>> {
    const parameters = this.#parameters(operationId, location);
    const validate = this.#compile("coercing", `${operationId}:${location}`, () => ({
      type: "object",
      properties: Object.fromEntries(parameters.map((parameter) => [parameter.name, { $ref: parameter.schema }])),
      required: parameters.filter((parameter) => parameter.required).map((parameter) => parameter.name),
    }));
    const value: JsonObject = {};
    for (const parameter of parameters) {
      const given = values[parameter.name];
      if (given !== undefined) value[parameter.name] = given;
    }
    // Checked against the schema the type was generated from: the one place a value becomes typed.
    return validate(value)
      ? { ok: true, value: value as In extends "path" ? PathParams<Op> : QueryParams<Op> }
      : { ok: false, problems: describe(validate.errors) };
  }

  /** The media types an operation's request body documents. */
  requestMediaTypes(operationId: OperationId): string[] {
    const body = this.#operation(operationId).node["requestBody"];
    const content = isObject(body) ? body["content"] : undefined;
    return isObject(content) ? Object.keys(content) : [];
  }

  /** Checks (and coerces string form values) a request body against the operation's schema. */
  validateRequestBody<Op extends OperationId>(operationId: Op, mediaType: string, body: JsonObject): ValidationResult<RequestBody<Op>> {
    if (!this.requestMediaTypes(operationId).includes(mediaType)) {
      return { ok: false, problems: [`the body must be ${this.requestMediaTypes(operationId).join(" or ")}`] };
    }
    const operation = this.#operation(operationId);
    const schema = ref([...operation.segments, "requestBody", "content", mediaType, "schema"]);
    const validate = this.#compile("coercing", schema, () => ({ $ref: schema }));
    const value = { ...body };
    // Checked against the schema the type was generated from: the one place a body becomes typed.
    return validate(value) ? { ok: true, value: value as RequestBody<Op> } : { ok: false, problems: describe(validate.errors) };
  }

  #response(operationId: OperationId, status: number): Located | undefined {
    return this.#once(`response:${operationId}:${status}`, () => this.#findResponse(operationId, status));
  }

  #findResponse(operationId: OperationId, status: number): Located | undefined {
    const operation = this.#operation(operationId);
    const responses = operation.node["responses"];
    if (!isObject(responses)) return undefined;
    // OpenAPI 3.1 §4.8.16: an exact code wins over a range (2XX), which wins over `default`.
    for (const key of [String(status), `${Math.floor(status / 100)}XX`, "default"]) {
      const response = responses[key];
      if (isObject(response)) return this.#resolve({ node: response, segments: [...operation.segments, "responses", key] });
    }
    return undefined;
  }

  /**
   * An operation's first documented success response (an exact 2xx code, else `2XX`) and the status
   * it is sent with: a range says only "success", so 201 for a POST, 204 when it documents no body,
   * else 200.
   */
  #firstSuccess(operationId: OperationId): { response: Located; status: number } | undefined {
    const operation = this.#operation(operationId);
    const responses = operation.node["responses"];
    if (!isObject(responses)) return undefined;
    const key = Object.keys(responses)
      .filter((code) => /^2(\d\d|XX)$/.test(code))
      .sort()[0];
    if (key === undefined) return undefined;
    const response = this.#resolve({ node: responses[key] as JsonObject, segments: [...operation.segments, "responses", key] });
    const status = key !== "2XX" ? Number(key) : OPERATIONS[operationId].method === "POST" ? 201 : isObject(response.node["content"]) ? 200 : 204;
    return { response, status };
  }

  /**
   * The values the description documents for the properties of an operation's JSON response
   * object (or of its array's items): each property's `example`, else its `default`, `const` or
   * first of `examples`. A hand-written handler adds those it does not set itself, so a field
   * added to the spec is answered without a change to the sandbox.
   */
  documentedFields(operationId: OperationId, status: number): ReadonlyMap<string, unknown> {
    return this.#once(`fields:${operationId}:${status}`, () => this.#findDocumentedFields(operationId, status));
  }

  #findDocumentedFields(operationId: OperationId, status: number): Map<string, unknown> {
    const fields = new Map<string, unknown>();
    const content = this.#response(operationId, status)?.node["content"];
    const media = isObject(content) ? content["application/json"] : undefined;
    if (!isObject(media) || !isObject(media["schema"])) return fields;
    let schema = this.#resolve({ node: media["schema"], segments: [] }).node;
    if (schema["type"] === "array" && isObject(schema["items"])) schema = this.#resolve({ node: schema["items"], segments: [] }).node;
    const properties = schema["properties"];
    if (!isObject(properties)) return fields;
    // The response's own example (of an array: its first entry) answers for a property without one.
    const example: unknown = Array.isArray(media["example"]) ? media["example"][0] : media["example"];
    for (const [name, property] of Object.entries(properties)) {
      if (!isObject(property)) continue;
      const node = this.#resolve({ node: property, segments: [] }).node;
      const key = ["example", "default", "const"].find((candidate) => candidate in node);
      if (key !== undefined) fields.set(name, node[key]);
      else if (Array.isArray(node["examples"]) && node["examples"].length > 0) fields.set(name, node["examples"][0]);
      else if (isObject(example) && name in example) fields.set(name, example[name]);
    }
    return fields;
  }

  /**
   * The media types the description documents for a response status, and for each the name of
   * the component schema it uses (the root element name of the XML representation).
   */
  responseMediaTypes(operationId: OperationId, status: number): ReadonlyMap<string, string | undefined> {
    return this.#once(`media:${operationId}:${status}`, () => this.#findResponseMediaTypes(operationId, status));
  }

  #findResponseMediaTypes(operationId: OperationId, status: number): Map<string, string | undefined> {
    const result = new Map<string, string | undefined>();
    const response = this.#response(operationId, status);
    const content = response?.node["content"];
    if (!isObject(content)) return result;
    for (const [mediaType, media] of Object.entries(content)) {
      const schema = isObject(media) ? media["schema"] : undefined;
      const target = isObject(schema) && typeof schema["$ref"] === "string" ? schema["$ref"].split("/").pop() : undefined;
      result.set(mediaType, target);
    }
    return result;
  }

  /**
   * Element names of a response's XML representation: the component schema of its
   * `application/xml` content, and for arrays the component schema of the items.
   */
  xmlNames(operationId: OperationId, status: number): { root: string; item: string } | undefined {
    const root = this.responseMediaTypes(operationId, status).get("application/xml");
    if (root === undefined) return undefined;
    const components = this.document.components?.["schemas"];
    const schema = isObject(components) ? components[root] : undefined;
    const items = isObject(schema) ? schema["items"] : undefined;
    const item = isObject(items) && typeof items["$ref"] === "string" ? items["$ref"].split("/").pop() : undefined;
    return { root, item: item ?? "item" };
  }

  /**
   * The answer the description itself gives for an operation: its first documented success
   * response (an exact 2xx code, else `2XX` as 201 for a POST, 204 without a body, else 200), the body from the
   * media type's `example` (or first of `examples`), or one generated from its schema, and each
   * documented header's example. `source` says which. With `status`, the response documented for
   * that status (exactly, else by its range, else `default`) instead.
   */
  exampleResponse(
    operationId: OperationId,
    status?: number,
  ): { status: number; headers: Record<string, string>; json: unknown; source: "example" | "schema" } | undefined {
    const found = status === undefined ? this.#firstSuccess(operationId) : { response: this.#response(operationId, status), status };
    if (found?.response === undefined) return undefined;
    const { response } = found;
    status = found.status;
    const headers: Record<string, string> = {};
    let source: "example" | "schema" = "example";
    const documentedHeaders = response.node["headers"];
    if (isObject(documentedHeaders)) {
      for (const name of Object.keys(documentedHeaders)) {
        const header = this.#resolve({ node: documentedHeaders[name] as JsonObject, segments: [] }).node;
        const sample = header["example"] ?? this.#sample(header["schema"], 0);
        if (header["example"] === undefined) source = "schema";
        headers[name.toLowerCase()] = String(sample);
      }
    }
    const content = response.node["content"];
    const media = isObject(content) ? content["application/json"] : undefined;
    if (!isObject(media)) return { status, headers, json: undefined, source };
    const examples = media["examples"];
    const first = isObject(examples) ? Object.values(examples).find(isObject) : undefined;
    const example = "example" in media ? media["example"] : first === undefined ? undefined : this.#resolve({ node: first, segments: [] }).node["value"];
    if (example !== undefined) return { status, headers, json: example, source };
    return { status, headers, json: this.#sample(media["schema"], 0), source: "schema" };
  }

  /** A value that fits a schema, from its `example`, `default`, `const` or `enum`, else built from its type. */
  #sample(node: unknown, depth: number): unknown {
    if (!isObject(node) || depth > 8) return null;
    const schema = this.#resolve({ node, segments: [] }).node;
    for (const key of ["const", "example", "default"]) if (key in schema) return schema[key];
    if (Array.isArray(schema["examples"]) && schema["examples"].length > 0) return schema["examples"][0];
    if (Array.isArray(schema["enum"]) && schema["enum"].length > 0) return schema["enum"][0];
    for (const key of ["allOf", "oneOf", "anyOf"]) {
      const list = schema[key];
      if (Array.isArray(list) && list.length > 0) {
        if (key !== "allOf") return this.#sample(list[0], depth + 1);
        return Object.assign({}, ...list.map((entry) => this.#sample(entry, depth + 1)).filter(isObject));
      }
    }
    const type = Array.isArray(schema["type"]) ? schema["type"].find((entry) => entry !== "null") : schema["type"];
    switch (type) {
      case "object": {
        const properties = isObject(schema["properties"]) ? schema["properties"] : {};
        const required = Array.isArray(schema["required"]) ? schema["required"] : Object.keys(properties);
        return Object.fromEntries(
          Object.entries(properties)
            .filter(([name]) => required.includes(name))
            .map(([name, value]) => [name, this.#sample(value, depth + 1)]),
        );
      }
      case "array":
        return typeof schema["minItems"] === "number" && schema["minItems"] > 0 ? [this.#sample(schema["items"], depth + 1)] : [];
      case "integer":
      case "number":
        return typeof schema["minimum"] === "number" ? schema["minimum"] : 0;
      case "boolean":
        return false;
      case "string":
        return schema["format"] === "uri" ? "https://example.com/" : schema["format"] === "date-time" ? "2024-01-01T00:00:00Z" : "string";
      default:
        return null;
    }
  }

  /** Every way a response breaks the description: undocumented status, media type, body or header. */
  validateResponse(operationId: OperationId, response: ResponseToValidate): string[] {
    const documented = this.#response(operationId, response.status);
    if (!documented) return [`status ${response.status} is not documented`];
    const problems: string[] = [];
    const headers = documented.node["headers"];
    if (isObject(headers)) {
      for (const name of Object.keys(headers)) {
        const value = response.headers[name.toLowerCase()];
        if (value === undefined) {
          problems.push(`header ${name} is missing`);
          continue;
        }
        const header = this.#resolve({ node: headers[name] as JsonObject, segments: [...documented.segments, "headers", name] });
        const schema = ref([...header.segments, "schema"]);
        const validate = this.#compile("exact", schema, () => ({ $ref: schema }));
        if (!validate(value)) problems.push(...describe(validate.errors).map((problem) => `header ${name}: ${problem}`));
      }
    }
    const content = documented.node["content"];
    if (response.mediaType === undefined) {
      if (isObject(content) && Object.keys(content).length > 0) problems.push("the body is missing");
      return problems;
    }
    if (!isObject(content) || !isObject(content[response.mediaType])) {
      problems.push(`media type ${response.mediaType} is not documented for status ${response.status}`);
      return problems;
    }
    const schema = ref([...documented.segments, "content", response.mediaType, "schema"]);
    const validate = this.#compile("exact", schema, () => ({ $ref: schema }));
    if (!validate(response.body)) problems.push(...describe(validate.errors).map((problem) => `body ${problem}`));
    return problems;
  }

  /** The names of the callbacks an operation documents (`fixDone` for `createFix`). */
  callbackNames(operationId: OperationId): string[] {
    const callbacks = this.#operation(operationId).node["callbacks"];
    return isObject(callbacks) ? Object.keys(callbacks) : [];
  }

  /** Checks the body of a callback request (e.g. `fixDone` of `createFix`) against the description. */
  validateCallbackBody(operationId: OperationId, callback: string, mediaType: string, body: unknown): string[] {
    const operation = this.#operation(operationId);
    const callbacks = operation.node["callbacks"];
    const expressions = isObject(callbacks) ? callbacks[callback] : undefined;
    if (!isObject(expressions)) return [`callback ${callback} is not documented`];
    const [expression] = Object.keys(expressions);
    if (expression === undefined) return [`callback ${callback} has no request`];
    const segments = [...operation.segments, "callbacks", callback, expression, "post", "requestBody", "content", mediaType];
    let node: unknown = this.document;
    for (const segment of segments) node = isObject(node) ? node[segment] : undefined;
    if (!isObject(node)) return [`callback ${callback} does not document ${mediaType}`];
    const schema = ref([...segments, "schema"]);
    const validate = this.#compile("exact", schema, () => ({ $ref: schema }));
    return validate(body) ? [] : describe(validate.errors).map((problem) => `body ${problem}`);
  }
}
