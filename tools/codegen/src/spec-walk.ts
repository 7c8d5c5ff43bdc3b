/**
 * The one way the spec tools (generator, docs, release checks, bench) walk an OpenAPI document:
 * what counts as an object, which keys of a path item are operations, and how a local `$ref`
 * (a JSON pointer, RFC 6901) is followed.
 */

/** A JSON object: not null, not an array. */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The keys of an OpenAPI 3.1 path item that hold operations, in the order the spec lists them. */
export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

/** One of {@link HTTP_METHODS}. */
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** A `$ref` that cannot be followed: not local, missing, or part of a cycle. */
export class UnresolvableRefError extends Error {
  override readonly name = "UnresolvableRefError";
}

/**
 * The reference tokens of a local `$ref` (`#/components/a~1b`): the fragment is a URI fragment,
 * so each segment is percent-decoded first (RFC 6901 §6), then `~1` → `/` and `~0` → `~` (§4).
 * @throws {UnresolvableRefError} for a ref into another document or a malformed escape.
 */
export function refSegments(ref: string): string[] {
  if (ref === "#") return [];
  if (!ref.startsWith("#/")) throw new UnresolvableRefError(`only local $refs can be followed, not ${ref}`);
  return ref
    .slice(2)
    .split("/")
    .map((segment) => {
      try {
        return decodeURIComponent(segment).replaceAll("~1", "/").replaceAll("~0", "~");
      } catch {
        throw new UnresolvableRefError(`malformed $ref ${ref}`);
      }
    });
}

/** What a JSON pointer (as segments) points at in `document`, or undefined. */
export function atPointer(document: unknown, segments: readonly string[]): unknown {
  let node = document;
  for (const segment of segments) {
    if (Array.isArray(node) && /^(0|[1-9]\d*)$/.test(segment)) node = node[Number(segment)];
    else if (isObject(node) && Object.hasOwn(node, segment)) node = node[segment];
    else return undefined;
  }
  return node;
}

/** A node after its `$ref`s were followed, and the pointer it was found at (undefined: `node` had no `$ref`). */
export interface Resolved {
  node: unknown;
  segments: string[] | undefined;
}

/**
 * `node`, or what its local `$ref` points at, following refs to refs.
 * @throws {UnresolvableRefError} when a ref is not local, points at nothing, or forms a cycle.
 */
export function resolveRef(document: unknown, node: unknown): Resolved {
  let current: Resolved = { node, segments: undefined };
  const seen = new Set<string>();
  while (isObject(current.node) && typeof current.node["$ref"] === "string") {
    const ref = current.node["$ref"];
    if (seen.has(ref)) throw new UnresolvableRefError(`${ref} refers to itself`);
    seen.add(ref);
    const segments = refSegments(ref);
    const target = atPointer(document, segments);
    if (target === undefined) throw new UnresolvableRefError(`unresolvable $ref ${ref}`);
    current = { node: target, segments };
  }
  return current;
}

/**
 * `node` with its refs followed when that ends at an object; `{}` otherwise (a missing target, a
 * cycle, a ref to another file, not an object). For tools that read a spec `pnpm generate` has
 * already checked (docs scaffolding, spec:status); the generator uses {@link resolveRef}, which
 * says what is wrong.
 */
export function followRef(document: unknown, node: unknown): JsonObject {
  try {
    const { node: target } = resolveRef(document, node);
    return isObject(target) ? target : {};
  } catch (error) {
    if (error instanceof UnresolvableRefError) return {};
    throw error;
  }
}
