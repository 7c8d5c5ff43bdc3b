// The maintainer's edit loop (spec/README.md), played in a temporary copy of the repository. A new
// operation with an example goes into spec/openapi.yaml, then the loop's one command (`pnpm
// generate`); after the build the client's types have it, the sandbox answers it with the example
// (and 401 without a credential), the docs build with the scaffolded samples, which type-check and
// run in all four languages, the MCP server offers it as a tool, and `pnpm spec:diff` asks for a
// minor changeset. Every spec edit of this file is replayed on this one copy. The copy links the
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

/**
 * Runs `lines` against the copy's built sandbox, after one upload (`server`, `headers` and `created`
 * are in scope), in a process of its own: this one holds the copy's earlier build in its module
 * cache. Resolves with the JSON the lines print.
 */
async function withCopySandbox(lines: string[]): Promise<unknown> {
  const script = [
    `const { startMockServer } = await import(${JSON.stringify(pathToFileURL(join(copy.dir, "packages/mock-server/dist/index.js")).href)});`,
    "const server = await startMockServer({ strict: true });",
    "const form = new FormData();",
    'form.append("file", new Blob(["v 0 0 0\\nv 1 0 0\\nv 0 1 0\\nf 1 2 3\\n"]), "box.obj");',
    "const headers = { key: server.demo.apiKey };",
    'const created = await (await fetch(server.apiUrl + "/items", { method: "POST", headers, body: form })).json();',
    ...lines,
    "await server.close();",
  ].join("\n");
  return JSON.parse(await must(process.execPath, ["--input-type=module", "-e", script]));
}

beforeAll(async () => {
  // A repository whose main branch is the unedited copy: spec:diff compares the edit against it.
  copy = await copyRepository(REPO_ROOT, { prefix: "mkp-spec-loop-", commit: true });
  const specFile = join(copy.dir, "spec/openapi.yaml");
  await writeFile(specFile, addAccountOperation(await readFile(specFile, "utf8")));

  generateOutput = await must("pnpm", ["generate"]);
  await must("pnpm", ["lint:spec"]);
  await must("pnpm", ["exec", "turbo", "run", "build", "--filter=@mkp/docs...", "--filter=@mkp/mcp...", "--output-logs=errors-only"]);
}, 15 * MINUTES);

afterAll(async () => {
  await copy?.remove();
});

describe("a new operation with an example, then `pnpm generate`", { timeout: 5 * MINUTES }, () => {
  it("generate scaffolds its four samples and lists what is left for a person", async () => {
    expect(generateOutput).toContain("packages/docs/samples/getAccount/sample.ts");
    expect(generateOutput).toMatch(/Operations the sandbox answers with the spec's example[^\n]*\n {2}getAccount: changes nothing in the sandbox[^\n]*\n/);
    expect(generateOutput).toMatch(/Samples to review[^\n]*\n( {2}packages\/docs\/samples\/getAccount\/\S+\n){4}/);
    expect(generateOutput).toContain('"@mkp/client": minor');
    // No mkp command calls it yet: spec:status says so, and the READMEs' tables list it.
    expect(generateOutput).toMatch(/Operations without an mkp command[^\n]*\n {2}getAccount\n/);
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
    const { startMockServer } = (await import(pathToFileURL(join(copy.dir, "packages/mock-server/dist/index.js")).href)) as typeof import("@mkp/mock-server");
    const server = await startMockServer({ strict: true });
    try {
      const answer = await fetch(`${server.apiUrl}/account`, { headers: { key: server.demo.apiKey } });
      expect({ status: answer.status, source: answer.headers.get("x-mkp-sandbox"), body: await answer.json() }).toEqual({
        status: 200,
        source: "example",
        body: { id: 8, email: "maker@example.com" },
      });
      const anonymous = await fetch(`${server.apiUrl}/account`);
      expect(anonymous.status).toBe(401);
      expect(server.specViolations).toEqual([]);
    } finally {
      await server.close();
    }
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

  it("the MCP server offers it as a tool in its tag's toolset, with schemas and annotations from the spec", async () => {
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
      // The new operation joins its tag's toolset, after the unedited repository's tools of that set.
      const before = allTools().filter((tool) => tool.toolset === "items");
      expect(tools.map((tool) => tool.name)).toEqual([...before.map((tool) => tool.name), "get_account"]);
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

  it("spec:diff asks for a minor changeset naming every package the spec reaches, the CLI and @mkp/node included", async () => {
    const result = await sh("pnpm", ["spec:diff"]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/NEW minor {2}PathItem added at #\/paths\/~1account/);
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
    await writeFile(join(copy.dir, ".changeset/account.md"), `---\n${releases}\n---\n\nGET /account: your account.\n`);
    expect((await sh("pnpm", ["spec:diff"])).code).toBe(0);
  });
});

// A new optional response field, replayed on the same copy after the new operation: green once the
// generator ran, with the field in the types and in the sandbox's answers, and a minor changeset asked for.
describe("a new optional response field, then `pnpm generate`", { timeout: 5 * MINUTES }, () => {
  it("the types have it, the sandbox returns it (from the schema's example), spec:diff asks for a minor release", async () => {
    const specFile = join(copy.dir, "spec/openapi.yaml");
    const spec = await readFile(specFile, "utf8");
    const field = [
      "        thumbnail_url:",
      "          type: string",
      "          format: uri",
      "          description: A preview image of the model.",
      "          example: https://example.com/thumbnails/8.png",
      "",
    ].join("\n");
    await writeFile(specFile, spec.replace(/(\n {4}Item:\n[\s\S]*?\n {6}properties:\n)/, `$1${field}`));
    const generated = await must("pnpm", ["generate"]);
    expect(generated).not.toMatch(/Operations without an mkp command[^\n]*\n {2}(?!getAccount)/);
    expect(await readFile(join(copy.dir, "packages/client/src/generated/schema.ts"), "utf8")).toMatch(/thumbnail_url\?: string;/);
    await must("pnpm", ["exec", "turbo", "run", "build", "--filter=@mkp/mock-server", "--output-logs=errors-only"]);
    const answers = (await withCopySandbox([
      'const fetched = await (await fetch(server.apiUrl + "/items/" + created.id, { headers })).json();',
      "console.log(JSON.stringify({ created, fetched, violations: server.specViolations.length }));",
    ])) as {
      created: { id: number; thumbnail_url?: string };
      fetched: Record<string, unknown>;
      violations: number;
    };
    expect(answers.created.thumbnail_url).toBe("https://example.com/thumbnails/8.png");
    expect(answers.fetched).toMatchObject({ id: answers.created.id, thumbnail_url: "https://example.com/thumbnails/8.png" });
    expect(answers.violations).toBe(0);
    const diff = await sh("pnpm", ["spec:diff"]);
    expect(diff.output).toMatch(/NEW minor {2}.*thumbnail_url/);
    expect((await sh("pnpm", ["generate", "--check"])).code).toBe(0);
  });
});

// A new operation on an item, answered from its example: the sandbox answers the spec's 404 for an id
// it does not know (never the example for any id), and says so in spec:status.
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

describe("a new operation with a 404, then `pnpm generate`", { timeout: 5 * MINUTES }, () => {
  it("the sandbox answers the example for an item it has and the spec's 404 for one it does not", async () => {
    const specFile = join(copy.dir, "spec/openapi.yaml");
    await writeFile(specFile, (await readFile(specFile, "utf8")).replace(/^components:\n/m, `${THUMBNAIL_OPERATION}components:\n`));
    const generated = await must("pnpm", ["generate"]);
    expect(generated).toMatch(
      /Operations the sandbox answers with the spec's example[^\n]*\n(?: {2}[^\n]*\n)* {2}getItemThumbnail: [^\n]*an id it does not know gets the spec's 404/,
    );
    await must("pnpm", ["exec", "turbo", "run", "build", "--filter=@mkp/mock-server", "--output-logs=errors-only"]);
    const answers = await withCopySandbox([
      'const answer = async (id) => { const r = await fetch(server.apiUrl + "/items/" + id + "/thumbnail", { headers }); return { status: r.status, body: await r.json() }; };',
      "console.log(JSON.stringify({ known: await answer(created.id), unknown: await answer(created.id + 1000), violations: server.specViolations.length }));",
    ]);
    expect(answers).toMatchObject({
      known: { status: 200, body: { url: "https://example.com/thumbnails/8.png" } },
      unknown: { status: 404 },
      violations: 0,
    });
  });
});

// The edits that must end in one clear failure, replayed on the same copy after the new operation:
// the generator and the one check each failure belongs to run, then the spec is put back.
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

  it("a $ref typo: pnpm generate stops at the generator with the file, line and reference, and runs nothing after it", async () => {
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
    await must("pnpm", ["exec", "turbo", "run", "build", "--filter=@mkp/client", "--output-logs=errors-only"]);
  });
});
