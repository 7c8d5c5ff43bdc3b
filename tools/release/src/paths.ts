import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (two levels above this package's `src/`). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/** The files the release checks read, relative to a repository root (tests point it at a copy). */
export interface ReleaseLayout {
  root: string;
  /** The hand-written OpenAPI document, as it is now. */
  spec: string;
  /** The bundled spec as of the last release; `pnpm version-packages` refreshes it. */
  releasedSpec: string;
  /** Pending changesets (`*.md` besides `README.md`). */
  changesetDir: string;
  /** Redocly's configuration: it turns on the `diff-recommended` rules that rate each change. */
  redoclyConfig: string;
  /** Where the publishable packages live (`packages/*`). */
  packagesDir: string;
}

export function releaseLayout(root: string = REPO_ROOT): ReleaseLayout {
  return {
    root,
    spec: resolve(root, "spec/openapi.yaml"),
    releasedSpec: resolve(root, "spec/released/openapi.json"),
    changesetDir: resolve(root, ".changeset"),
    redoclyConfig: resolve(root, "redocly.yaml"),
    packagesDir: resolve(root, "packages"),
  };
}
