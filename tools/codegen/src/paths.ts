import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (two levels above this package's `src/`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** Where the generator reads from and writes to, relative to a root. */
export interface Layout {
  /** The hand-written OpenAPI document. */
  spec: string;
  /** openapi-typescript's output. */
  schemaTs: string;
  /** Our constants emitted from the spec. */
  specTs: string;
  /** The bundled, single-file spec shipped as `@mkp/client/openapi.json`. */
  openapiJson: string;
}

export function layoutFor(root: string = REPO_ROOT): Layout {
  return {
    spec: resolve(root, "spec/openapi.yaml"),
    schemaTs: resolve(root, "packages/client/src/generated/schema.ts"),
    specTs: resolve(root, "packages/client/src/generated/spec.ts"),
    openapiJson: resolve(root, "packages/client/openapi.json"),
  };
}
