const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * `node`, or the object its local `$ref` (`#/…`, a JSON pointer) points at, followed through up to
 * 10 refs; `{}` when that is not an object (a missing target, a cycle, a ref to another file). For
 * tools that read a spec `pnpm generate` has checked (docs scaffolding, spec:status); the
 * generator's own reads throw a `SpecError` naming the ref instead.
 */
export function followRef(document: unknown, node: unknown): Record<string, unknown> {
  let current = node;
  for (let hops = 0; isObject(current) && typeof current["$ref"] === "string" && hops < 10; hops += 1) {
    const ref: string = current["$ref"];
    if (!ref.startsWith("#/")) return {};
    let target: unknown = document;
    for (const segment of ref.slice(2).split("/")) target = isObject(target) ? target[segment.replaceAll("~1", "/").replaceAll("~0", "~")] : undefined;
    current = target;
  }
  return isObject(current) && typeof current["$ref"] !== "string" ? current : {};
}
