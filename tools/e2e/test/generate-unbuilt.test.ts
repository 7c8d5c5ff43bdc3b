// `pnpm generate` on a clone that was only installed: no package has been built, so every step of
// the loop's one command must run from sources. A spec edit that adds an operation, then
// `pnpm generate` (the generator, the sample scaffolder, spec:status), in a repository copy without
// any `dist` folder.
import { execFile } from "node:child_process";
import { addAccountOperation, copyRepository, type RepositoryCopy } from "@mkp/testing";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";

const run = promisify(execFile);
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

let copy: RepositoryCopy;

beforeAll(async () => {
  // The whole repository, as a clone is: what `pnpm generate` reads grows with the tooling.
  copy = await copyRepository(REPO_ROOT, { prefix: "mkp-unbuilt-", builds: false });
}, 60_000);

afterAll(async () => {
  await copy?.remove();
});

it("`pnpm generate` after a new operation: types, scaffolded samples and spec:status with no package built", async () => {
  expect(existsSync(join(copy.dir, "packages/client/dist"))).toBe(false);
  const spec = join(copy.dir, "spec/openapi.yaml");
  await writeFile(spec, addAccountOperation(await readFile(spec, "utf8")));
  const generated = await run("pnpm", ["generate"], { cwd: copy.dir });
  expect(generated.stdout).toContain("packages/docs/samples/getAccount/sample.ts");
  expect(generated.stdout).toMatch(/Operations the sandbox answers with the spec's example[^\n]*\n {2}getAccount: changes nothing in the sandbox/);
  expect(existsSync(join(copy.dir, "packages/docs/samples/getAccount/python.py"))).toBe(true);
}, 120_000);
