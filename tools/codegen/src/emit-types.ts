import openapiTS, { astToString } from "openapi-typescript";
import type { SpecDocument } from "./bundle-spec.ts";

/** `paths`, `components` and `operations` types for openapi-fetch, from the bundled spec. */
export async function emitTypes(document: SpecDocument): Promise<string> {
  // openapi-typescript takes the already-bundled object, so the YAML is parsed only once.
  const ast = await openapiTS(structuredClone(document) as unknown as Parameters<typeof openapiTS>[0], {
    silent: true,
    alphabetize: false,
  });
  return astToString(ast);
}
