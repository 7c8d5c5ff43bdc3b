import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { bundleSpec } from "@mkp/codegen";
import type { ReleaseLayout } from "./paths.ts";

/** The current spec, bundled into one document (what `@mkp/client/openapi.json` ships). */
export async function bundledSpec(layout: ReleaseLayout): Promise<Record<string, unknown>> {
  return (await bundleSpec(layout.spec)).document;
}

/** Reads the snapshot of the spec as last released; `undefined` when there is none. */
export async function readReleasedSpec(layout: ReleaseLayout): Promise<unknown> {
  const text = await readFile(layout.releasedSpec, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  return text === undefined ? undefined : (JSON.parse(text) as unknown);
}

/**
 * Makes the current spec the released baseline. `pnpm version-packages` calls this right after
 * `changeset version`, so the next `spec:diff` compares against what this release ships.
 * Returns whether the snapshot changed.
 */
export async function writeReleasedSpec(layout: ReleaseLayout): Promise<boolean> {
  const current = await bundledSpec(layout);
  if (isDeepStrictEqual(current, await readReleasedSpec(layout))) return false;
  await mkdir(dirname(layout.releasedSpec), { recursive: true });
  await writeFile(layout.releasedSpec, `${JSON.stringify(current, null, 2)}\n`);
  return true;
}
