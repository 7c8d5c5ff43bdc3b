import { execFile } from "node:child_process";
import { addAccountOperation, copyRepository, type RepositoryCopy } from "@mkp/testing";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { allTools } from "../src/server.js";
import { connect } from "./helpers.js";

const run = promisify(execFile);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const TSC = join(REPO, "node_modules/typescript/bin/tsc");

let copy: RepositoryCopy;

beforeAll(async () => {
  // A temporary copy of what the loop touches: the spec, the generator, the client, the server and
  // the packages it loads.
  copy = await copyRepository(REPO, {
    prefix: "mkp-mcp-generate-",
    paths: ["spec", "redocly.yaml", "tsconfig.base.json", "tools/codegen", "packages/client", "packages/oauth", "packages/node", "packages/mcp"],
  });
}, 60_000);

afterAll(async () => {
  await copy?.remove();
});

it("a spec edit that adds an operation adds its tool after `pnpm generate` (and the build)", async () => {
  const spec = join(copy.dir, "spec/openapi.yaml");
  await writeFile(spec, addAccountOperation(await readFile(spec, "utf8")));
  // `pnpm generate` is the codegen bin; the copy's own, so it writes into the copy.
  const generated = await run(process.execPath, [join(copy.dir, "tools/codegen/bin/mkp-codegen.mjs")], { cwd: copy.dir });
  expect(generated.stdout).toMatch(/wrote +packages\/client\/src\/generated\/spec\.ts/);
  await run(process.execPath, [TSC, "-p", join(copy.dir, "packages/client/tsconfig.build.json")]);
  await run(process.execPath, [TSC, "-p", join(copy.dir, "packages/mcp/tsconfig.build.json")]);

  const before = allTools().map((tool) => tool.name);
  const server = await connect(
    { MAKEPRINTABLE_API_KEY: "unused", MAKEPRINTABLE_BASE_URL: "http://127.0.0.1:9/v1" },
    { bin: join(copy.dir, "packages/mcp/dist/cli.js"), args: ["--toolsets", "items"] },
  );
  try {
    const { tools } = await server.client.listTools();
    // The new operation joins its tag's toolset, before repair_model.
    expect(tools.map((tool) => tool.name)).toEqual([
      ...allTools()
        .filter((tool) => tool.toolset === "items")
        .map((tool) => tool.name),
      "get_account",
    ]);
    expect(before.at(-1)).toBe("repair_model");
    expect(tools.find((tool) => tool.name === "get_account")).toMatchObject({
      title: "Get your account",
      description: "Get your account\n\nThe account the credential acts for.\n\n(GET /account)",
      inputSchema: {
        type: "object",
        properties: { verbose: { type: "boolean", description: "Include usage figures." } },
        required: [],
        additionalProperties: false,
      },
      outputSchema: {
        type: "object",
        required: ["id", "email"],
        properties: { id: { type: "integer", description: "The user id." }, email: { type: "string", description: "The account's e-mail address." } },
      },
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
    });
  } finally {
    await server.close();
  }
}, 120_000);
