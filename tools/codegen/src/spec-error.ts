import { resolveRef, UnresolvableRefError } from "./spec-walk.ts";

/** A problem in the spec, located at `file:line:column` so an editor can jump to it. */
export class SpecError extends Error {
  override name = "SpecError";
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(`${file}${line === undefined ? "" : `:${line}`}${column === undefined ? "" : `:${column}`}: ${message}`);
  }
}

/**
 * {@link resolveRef}'s target for the generator: a ref it cannot follow is a {@link SpecError}
 * naming the ref and the file.
 */
export function resolveInSpec(document: unknown, node: unknown, file: string): unknown {
  try {
    return resolveRef(document, node).node;
  } catch (error) {
    if (error instanceof UnresolvableRefError) throw new SpecError(error.message, file);
    throw error;
  }
}
