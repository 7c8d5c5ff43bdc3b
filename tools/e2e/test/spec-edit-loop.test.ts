// The maintainer's edit loop (spec/README.md), played in a temporary copy of the repository. Three
// edits that must end green go into spec/openapi.yaml together — a new operation with an example, a
// new optional response field, a new operation on an item with a 404 — then the loop's one command
// (`pnpm generate`) and one build, as a maintainer batching edits would: after it the client's types
// have each, the sandbox answers them (the example, the field, the spec's 404 for an unknown id), the
// docs build with the scaffolded samples, which type-check and run in all four languages, the MCP
// server offers the operations as tools, and `pnpm spec:diff` asks for a minor changeset. The edits
// that must fail are replayed on the same copy afterwards, one at a time, each put back. One copy,
// one build of the edited repository: building it is most of this file's time. The copy links the
// repository's installed dependencies (symlinks, as pnpm lays them out) instead of installing.
import { allTools } from "@mkp/mcp";
import { addAccountOperation, copyRepository, type RepositoryCopy } from "@mkp/testing";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const MINUTES = 60_000;

let copy: RepositoryCopy;
let generateOutput = "";

async function sh(command: string, args: string[], options: { env?: Record<string, string> } = {}): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: copy.dir, env: { ...process.env, ...options.env }, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === "number" ? failed.code : 1, output: `${failed.stdout ?? ""}${failed.stderr ?? ""}` };
  }
}

/** Runs a command that must succeed, failing with its output. */
async function must(command: string, args: string[]): Promise<string> {
  const result = await sh(command, args);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.code}:\n${result.output.slice(-4000)}`);
  return result.output;
}

/** An item as the copy's sandbox returns it: its id, and whatever fields the edited spec gives it. */
type UploadedItem = Record<string, unknown> & { id: number };

/**
 * Runs `use` against a strict sandbox of the copy's build, holding the demo credential's headers and
 * one uploaded item, and checks the sandbox saw no answer outside the spec.
 */
async function withCopySandbox(use: (sandbox: { apiUrl: string; headers: Record<string, string>; item: UploadedItem }) => Promise<void>) {
  const { startMockServer } = (await import(pathToFileURL(join(copy.dir, "packages/mock-server/dist/index.js")).href)) as typeof import("@mkp/mock-server");
  const server = await startMockServer({ strict: true });
  try {
    const headers = { key: server.demo.apiKey };
    const form = new FormData();
    form.append("file", new Blob(["v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"]), "box.obj");
    const item = (await (await fetch(`${server.apiUrl}/items`, { method: "POST", headers, body: form })).json()) as UploadedItem;
    await use({ apiUrl: server.apiUrl, headers, item });
    expect(server.specViolations).toEqual([]);
  } finally {
    await server.close();
  }
}

/** A new operation on an item, answered from its example: the spec's 404 for an id the sandbox does not know. */
const THUMBNAIL_OPERATION = `  /items/{id}/thumbnail:
    get:
      tags: [Items]
      operationId: getItemThumbnail
      summary: Get an item's thumbnail
      description: A preview image of the model.
      parameters:
        - $ref: "#/components/parameters/ItemId"
      responses:
        "200":
          description: The thumbnail.
          content:
            application/json:
              schema:
                type: object
                required: [url]
                properties:
                  url:
                    type: string
                    format: uri
              example:
                url: https://example.com/thumbnails/8.png
        "401":
          $ref: "#/components/responses/Unauthorized"
        "404":
          $ref: "#/components/responses/NotFound"
`;

/** A new optional response field of Item, with an example the sandbox can return. */
const THUMBNAIL_FIELD = [
  "        thumbnail_url:",
  "          type: string",
  "          format: uri",
  "          description: A preview image of the model.",
  "          example: https://example.com/thumbnails/8.png",
  "",
].join("\n");

/** The three green edits, made as a maintainer makes them, in the text of `spec/openapi.yaml`. */
function editSpec(spec: string): string {
  const withField = addAccountOperation(spec).replace(/(\n {4}Item:\n[\s\S]*?\n {6}properties:\n)/, `$1${THUMBNAIL_FIELD}`);
  const edited = withField.replace(/^components:\n/m, `${THUMBNAIL_OPERATION}components:\n`);
  if (!edited.includes(THUMBNAIL_FIELD) || !edited.includes(THUMBNAIL_OPERATION)) throw new Error("spec/openapi.yaml changed shape: update editSpec");
  return edited;
}

beforeAll(async () => {
  // A repository whose main branch is the unedited copy: spec:diff compares the edit against it.
  copy = await copyRepository(REPO_ROOT, { prefix: "mkp-spec-loop-", commit: true });
  const specFile = join(copy.dir, "spec/openapi.yaml");
  await writeFile(specFile, editSpec(await readFile(specFile, "utf8")));

  generateOutput = await must("pnpm", ["generate"]);
  await must("pnpm", ["lint:spec"]);
  await must("pnpm", ["exec", "turbo", "run", "build", "--filter=@mkp/docs...", "--filter=@mkp/mcp...", "--output-logs=errors-only"]);
}, 15 * MINUTES);

afterAll(async () => {
  await copy?.remove();
});

describe("a new operation with an example", { timeout: 5 * MINUTES }, () => {
  it("generate scaffolds its four samples and lists what is left for a person", async () => {
    expect(generateOutput).toContain("packages/docs/samples/getAccount/sample.ts");
    expect(generateOutput).toMatch(/Operations the sandbox answers with the spec's example[^\n]*\n {2}getAccount: changes nothing in the sandbox[^\n]*\n/);
    const toReview = /Samples to review[^\n]*\n((?: {2}\S+\n)+)/.exec(generateOutput)?.[1] ?? "";
    expect(toReview.match(/packages\/docs\/samples\/getAccount\/\S+/g)).toHaveLength(4);
    expect(generateOutput).toContain('"@mkp/client": minor');
    // No mkp command calls it yet: spec:status says so, and the READMEs' tables list it.
    expect(generateOutput).toMatch(/Operations without an mkp command[^\n]*\n {2}getAccount\n {2}getItemThumbnail\n(?! )/);
    expect(await readFile(join(copy.dir, "packages/cli/README.md"), "utf8")).toContain("| `GET /account` | Get your account | none yet |");
    expect(await readFile(join(copy.dir, "packages/mcp/README.md"), "utf8")).toContain("| `get_account` | `GET /account` | Get your account | `verbose` |");
    expect(await readFile(join(copy.dir, "packages/mock-server/README.md"), "utf8")).toMatch(/\| `GET \/account` \| Get your account \| the spec's example/);
    expect((await sh("pnpm", ["generate", "--check"])).code).toBe(0);
  });

  it("the client's types have it: the scaffolded TypeScript sample and a type test compile", async () => {
    await writeFile(
      join(copy.dir, "packages/docs/test/account-types.test-d.ts"),
      [
        'import { createClient, type components, type paths } from "@mkp/client";',
        'type Account = paths["/account"]["get"]["responses"]["200"]["content"]["application/json"];',
        "const account: Account = { id: 8, email: 'maker@example.com' };",
        "// @ts-expect-error email is required",
        "const partial: Account = { id: 8 };",
        'export const call = () => createClient().GET("/account");',
        "export { account, partial };",
        "export type Unused = components;",
        "",
      ].join("\n"),
    );
    await must("pnpm", ["--filter", "@mkp/docs", "exec", "tsc", "--noEmit"]);
  });

  it("the sandbox answers it with the example, marked as such, and 401 without a credential", async () => {
    await withCopySandbox(async ({ apiUrl, headers }) => {
      const answer = await fetch(`${apiUrl}/account`, { headers });
      expect({ status: answer.status, source: answer.headers.get("x-mkp-sandbox"), body: await answer.json() }).toEqual({
        status: 200,
        source: "example",
        body: { id: 8, email: "maker@example.com" },
      });
      expect((await fetch(`${apiUrl}/account`)).status).toBe(401);
    });
  });

  it("the docs page carries the new operation, and its scaffolded samples run in all four languages", async () => {
    const built = JSON.parse(await readFile(join(copy.dir, "packages/docs/dist/openapi.json"), "utf8")) as {
      paths: Record<string, { get?: { "x-codeSamples"?: { lang: string }[] } }>;
    };
    expect(built.paths["/account"]?.get?.["x-codeSamples"]?.map((sample) => sample.lang)).toEqual(["TypeScript", "curl", "Python", "PHP"]);
    const result = await sh("pnpm", ["vitest", "run", "--project", "docs", "--reporter", "verbose", "packages/docs/test/samples.test.ts", "-t", "getAccount"], {
      env: { CI: "true" },
    });
    expect(result.output).toMatch(/getAccount: TypeScript, curl, Python and PHP end without an error/);
    expect(result.code, result.output.slice(-3000)).toBe(0);
  });
});

describe("the new operations in the MCP server", { timeout: 5 * MINUTES }, () => {
  it("offers them as tools in their tag's toolset, with schemas and annotations from the spec", async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [join(copy.dir, "packages/mcp/dist/cli.js"), "--toolsets", "items"],
      env: { PATH: process.env.PATH ?? "", MAKEPRINTABLE_API_KEY: "unused", MAKEPRINTABLE_BASE_URL: "http://127.0.0.1:9/v1" },
      stderr: "pipe",
    });
    const client = new Client({ name: "spec-edit-loop", version: "1.0.0" });
    await client.connect(transport);
    try {
      const { tools } = await client.listTools();
      // The new operations join their tag's toolset, after the unedited repository's tools of that set.
      const before = allTools().filter((tool) => tool.toolset === "items");
      expect(tools.map((tool) => tool.name)).toEqual([...before.map((tool) => tool.name), "get_account", "get_item_thumbnail"]);
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
      await client.close();
    }
  });
});

describe("spec:diff on the three edits", { timeout: 5 * MINUTES }, () => {
  it("asks for a minor changeset naming each change and every package the spec reaches, the CLI and @mkp/node included", async () => {
    const result = await sh("pnpm", ["spec:diff"]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/NEW minor {2}PathItem added at #\/paths\/~1account/);
    expect(result.output).toMatch(/NEW minor {2}PathItem added at #\/paths\/~1items~1\{id\}~1thumbnail/);
    expect(result.output).toMatch(/NEW minor {2}.*thumbnail_url/);
    const [, releases = ""] = /\n---\n([\s\S]*?)\n---/.exec(result.output) ?? [];
    for (const line of [
      '"@mkp/client": minor',
      '"@mkp/docs": patch',
      '"@mkp/mock-server": minor',
      '"@mkp/mcp": minor',
      '"@mkp/cli": minor',
      '"@mkp/node": minor',
    ])
      expect(releases.split("\n")).toContain(line);
    await writeFile(join(copy.dir, ".changeset/account.md"), `---\n${releases}\n---\n\nGET /account, an item's thumbnail_url and GET /items/{id}/thumbnail.\n`);
    expect((await sh("pnpm", ["spec:diff"])).code).toBe(0);
  });
});

describe("a new optional response field", { timeout: 5 * MINUTES }, () => {
  it("the types have it and the sandbox returns it, from the schema's example", async () => {
    expect(await readFile(join(copy.dir, "packages/client/src/generated/schema.ts"), "utf8")).toMatch(/thumbnail_url\?: string;/);
    await withCopySandbox(async ({ apiUrl, headers, item }) => {
      expect(item["thumbnail_url"]).toBe("https://example.com/thumbnails/8.png");
      const fetched = (await (await fetch(`${apiUrl}/items/${item.id}`, { headers })).json()) as Record<string, unknown>;
      expect(fetched).toMatchObject({ id: item.id, thumbnail_url: "https://example.com/thumbnails/8.png" });
    });
  });
});

describe("a new operation on an item, with a 404", { timeout: 5 * MINUTES }, () => {
  it("the sandbox answers the example for an item it has and the spec's 404 for one it does not", async () => {
    expect(generateOutput).toMatch(
      /Operations the sandbox answers with the spec's example[^\n]*\n(?: {2}[^\n]*\n)* {2}getItemThumbnail: [^\n]*an id it does not know gets the spec's 404/,
    );
    await withCopySandbox(async ({ apiUrl, headers, item }) => {
      const answer = async (id: number) => {
        const response = await fetch(`${apiUrl}/items/${id}/thumbnail`, { headers });
        return { status: response.status, body: (await response.json()) as unknown };
      };
      expect(await answer(item.id)).toEqual({ status: 200, body: { url: "https://example.com/thumbnails/8.png" } });
      expect((await answer(item.id + 1000)).status).toBe(404);
    });
  });
});

// The edits that must end in one clear failure, replayed on the same copy after the green ones: the
// generator and the one check each failure belongs to run, then the spec and the generated files are
// put back (not the client's build: nothing runs after these).
describe("edits that must fail, each naming its cause", { timeout: 5 * MINUTES }, () => {
  const specFile = () => join(copy.dir, "spec/openapi.yaml");
  async function withSpecEdit(edit: (spec: string) => string, check: () => Promise<void>): Promise<void> {
    const before = await readFile(specFile(), "utf8");
    const edited = edit(before);
    expect(edited).not.toBe(before);
    await writeFile(specFile(), edited);
    try {
      await check();
    } finally {
      await writeFile(specFile(), before);
      await must(process.execPath, ["tools/codegen/bin/mkp-codegen.mjs"]);
    }
  }

  it("a $ref typo: pnpm generate stops at the generator with the file, line and reference, and pnpm test at its first gate", async () => {
    await withSpecEdit(
      (spec) => spec.replace('$ref: "#/components/schemas/Item"', '$ref: "#/components/schemas/Itme"'),
      async () => {
        const line = (await readFile(specFile(), "utf8")).split("\n").findIndex((text) => text.includes("#/components/schemas/Itme")) + 1;
        const result = await sh("pnpm", ["generate"]);
        expect(result.code).not.toBe(0);
        expect(result.output).toMatch(new RegExp(`spec/openapi\\.yaml:${line}:\\d+: .*Can't resolve \\$ref`));
        expect(result.output).toContain("#/components/schemas/Itme");
        // The scaffolder, the tables and spec:status never ran on a spec that does not resolve.
        expect(result.output).not.toMatch(/docs:samples|readme-tables|spec:status/);
        // `pnpm test` stops at its first gate, names it once, and still ends with its summary line.
        const test = await sh("pnpm", ["test", "--no-mutation"]);
        expect(test.code).not.toBe(0);
        expect(test.output).toContain("✗ Stopped at the first failing stage: generated files are fresh (pnpm generate --check).");
        expect(test.output).not.toContain("▶ vitest");
        expect(test.output).toMatch(/\n0 passed, 1 failed\n/);
      },
    );
  });

  it("a renamed query parameter: the CLI's type check and the docs' sample check each fail naming the old name", async () => {
    await withSpecEdit(
      (spec) => spec.replace("        - name: pageSize\n", "        - name: page_size\n"),
      async () => {
        await must("pnpm", ["generate"]);
        await must("pnpm", ["exec", "turbo", "run", "build", "--filter=@mkp/client", "--output-logs=errors-only"]);
        const cli = await sh("pnpm", ["--filter", "@mkp/cli", "exec", "tsc", "--noEmit", "-p", "tsconfig.build.json"]);
        expect(cli.code).not.toBe(0);
        expect(cli.output).toMatch(/src\/commands\/items\.ts\(\d+,\d+\): error TS\d+: [^\n]*"pageSize"/);
        const docs = await sh("pnpm", ["--filter", "@mkp/docs", "run", "build"]);
        expect(docs.code).not.toBe(0);
        for (const file of ["curl.sh", "python.py", "php.php"])
          expect(docs.output).toContain(`samples/listItems/${file} sends pageSize, which listItems does not have in the spec (its inputs: page, page_size)`);
      },
    );
  });
});
