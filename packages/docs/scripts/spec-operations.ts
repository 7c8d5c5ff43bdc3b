/**
 * The spec's operations as the docs scripts read them. This module imports nothing that is built
 * (no `@mkp/client`), so the sample scaffolder, which `pnpm generate` runs right after the
 * generator, works on a clone that was only installed.
 * @packageDocumentation
 */
import { HTTP_METHODS, type HttpMethod } from "@mkp/codegen/spec-walk";

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
