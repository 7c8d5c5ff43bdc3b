/**
 * The spec's operations as the docs scripts read them. This module imports nothing that is built
 * (no `@mkp/client`), so the sample scaffolder, which `pnpm generate` runs right after the
 * generator, works on a clone that was only installed.
 * @packageDocumentation
 */
import { followRef, HTTP_METHODS, type HttpMethod } from "@mkp/codegen/spec-walk";

/** An `x-codeSamples` entry (Redoc's vendor extension). */
export interface CodeSample {
  readonly lang: string;
  readonly label: string;
  readonly source: string;
}

/** A sample folder or file that does not match the spec: a missing language, an unknown operation. */
export class SampleError extends Error {
  override readonly name = "SampleError";
}

/** The operation ids of a spec, with where each sits (`GET /items`), in document order. */
export function specOperations(spec: OpenApiDocument): Map<string, OperationObject> {
  const operations = new Map<string, OperationObject>();
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      if (typeof operation.operationId !== "string") throw new SampleError(`${method.toUpperCase()} ${path} has no operationId`);
      operations.set(operation.operationId, operation);
    }
  }
  return operations;
}

/** One path parameter of an operation, as its samples write it. */
export interface PathParameter {
  readonly name: string;
  /** The placeholder the samples write for it (`ITEM_ID` for `{{ITEM_ID}}`); the tests fill in an id that exists. */
  readonly placeholder: string;
  /** The spec's example, which the page shows. */
  readonly example: unknown;
  /** The schema's `type` (`integer`, `string` …). */
  readonly type: unknown;
}

const SHARED_PARAMETER = "#/components/parameters/";
const screaming = (name: string) =>
  name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/[^A-Za-z0-9]+/g, "_")
    .toUpperCase();

/**
 * The path parameters of an operation, in the path's order. Each one's placeholder is named after
 * the shared parameter it refers to (`components.parameters.ItemId` → `ITEM_ID`), else after the
 * operation and the parameter (`getAccount`'s `id` → `GET_ACCOUNT_ID`).
 */
export function pathParameters(spec: OpenApiDocument, operationId: string): PathParameter[] {
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (operation?.operationId !== operationId) continue;
      const declared = [
        ...(((item as { parameters?: unknown[] }).parameters as unknown[]) ?? []),
        ...((operation["parameters"] as unknown[] | undefined) ?? []),
      ];
      const found: PathParameter[] = [];
      for (const node of declared) {
        const parameter = followRef(spec, node);
        if (parameter["in"] !== "path") continue;
        const ref = (node as { $ref?: unknown }).$ref;
        const name = String(parameter["name"]);
        const schema = followRef(spec, parameter["schema"]);
        found.push({
          name,
          placeholder:
            typeof ref === "string" && ref.startsWith(SHARED_PARAMETER) ? screaming(ref.slice(SHARED_PARAMETER.length)) : screaming(`${operationId}_${name}`),
          example: parameter["example"] ?? schema["example"],
          type: schema["type"],
        });
      }
      return found.sort((a, b) => path.indexOf(`{${a.name}}`) - path.indexOf(`{${b.name}}`));
    }
  }
  throw new SampleError(`no operation of the spec has the operationId ${operationId}`);
}

/** The parts of an OpenAPI operation the build reads or writes. */
export interface OperationObject {
  operationId?: string;
  "x-codeSamples"?: CodeSample[];
  [key: string]: unknown;
}

/** The parts of an OpenAPI document the build reads or writes. */
export interface OpenApiDocument {
  info: { title: string; version: string; description?: string; contact?: { url?: string }; [key: string]: unknown };
  paths?: Record<string, Partial<Record<HttpMethod, OperationObject>>>;
  [key: string]: unknown;
}
