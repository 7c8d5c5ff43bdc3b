import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { connect } from "./helpers.js";

const run = promisify(execFile);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const TSC = join(REPO, "node_modules/typescript/bin/tsc");

// A new operation, as a maintainer would add it to the spec.
const NEW_OPERATION = `  /account:
    get:
      tags: [Items]
      operationId: getAccount
      summary: Get your account
      description: The account the credential acts for.
      parameters:
        - name: verbose
          in: query
          required: false
          description: Include usage figures.
          schema:
            type: boolean
      responses:
        "200":
          description: The account.
          content:
            application/json:
              schema:
                type: object
components:
`;

let copy: string;

beforeAll(async () => {
  // A temporary copy of what the loop touches (the spec, the generator, the client, the server and
  // the packages it loads),
  // sharing the installed node_modules: pnpm's links between the packages are relative, so they
  // resolve inside the copy.
  copy = await mkdtemp(join(tmpdir(), "mkp-mcp-generate-"));
  for (const file of ["spec", "redocly.yaml", "tsconfig.base.json", "tools/codegen", "packages/client", "packages/oauth", "packages/node", "packages/mcp"]) {
    await cp(join(REPO, file), join(copy, file), { recursive: true, verbatimSymlinks: true, filter: (source) => !/\/(test|\.vite-temp|\.turbo)$/.test(source) });
  }
  await symlink(join(REPO, "node_modules"), join(copy, "node_modules"));
}, 60_000);

afterAll(async () => {
  await rm(copy, { recursive: true, force: true });
});

it("a spec edit that adds an operation adds its tool after `pnpm generate` (and the build)", async () => {
  const spec = join(copy, "spec/openapi.yaml");
  await writeFile(spec, (await readFile(spec, "utf8")).replace(/^components:\n/m, NEW_OPERATION));
  // `pnpm generate` is the codegen bin; the copy's own, so it writes into the copy.
  const generated = await run(process.execPath, [join(copy, "tools/codegen/bin/mkp-codegen.mjs")], { cwd: copy });
  expect(generated.stdout).toMatch(/wrote +packages\/client\/src\/generated\/spec\.ts/);
  await run(process.execPath, [TSC, "-p", join(copy, "packages/client/tsconfig.build.json")]);
  await run(process.execPath, [TSC, "-p", join(copy, "packages/mcp/tsconfig.build.json")]);

  const server = await connect({ MAKEPRINTABLE_API_KEY: "unused", MAKEPRINTABLE_BASE_URL: "http://127.0.0.1:9/v1" }, join(copy, "packages/mcp/dist/cli.js"));
  try {
    const { tools } = await server.client.listTools();
    expect(tools.map((tool) => tool.name)).toEqual(["list_items", "create_item", "get_item", "delete_item", "list_fixes", "create_fix", "get_fix", "get_account", "repair_model"]);
    expect(tools.find((tool) => tool.name === "get_account")).toMatchObject({
      title: "Get your account",
      description: "Get your account\n\nThe account the credential acts for.\n\n(GET /account)",
      inputSchema: { type: "object", properties: { verbose: { type: "boolean", description: "Include usage figures." } }, required: [], additionalProperties: false },
      annotations: { readOnlyHint: true },
    });
  } finally {
    await server.close();
  }
}, 120_000);
