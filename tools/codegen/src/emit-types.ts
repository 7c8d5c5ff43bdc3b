import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import type { SpecDocument } from "./bundle-spec.ts";

// `format: binary` is a file: callers pass a Blob/File (which FormData can send), not a string.
const BLOB = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier("Blob"));

/** `paths`, `components` and `operations` types for openapi-fetch, from the bundled spec. */
export async function emitTypes(document: SpecDocument): Promise<string> {
  // openapi-typescript takes the already-bundled object, so the YAML is parsed only once.
  const ast = await openapiTS(structuredClone(document) as unknown as Parameters<typeof openapiTS>[0], {
    silent: true,
    alphabetize: false,
    transform(schemaObject) {
      return "format" in schemaObject && schemaObject.format === "binary" ? BLOB : undefined;
    },
  });
  return astToString(ast);
}
