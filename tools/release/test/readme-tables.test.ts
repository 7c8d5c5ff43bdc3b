// The READMEs' operation, tool and command tables are written from the spec's constants and the
// packages' sources (pnpm generate); the committed ones must match, and a README that lost its
// markers is named.
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { mkdir } from "node:fs/promises";
import { OPERATIONS } from "@mkp/client/internal";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../src/paths.ts";
import { staleReadmes, writeReadmeTables } from "../src/readme-tables.ts";

const READMES = ["packages/mcp/README.md", "packages/cli/README.md", "packages/mock-server/README.md"];

async function copyReadmes(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "mkp-readme-tables-"));
  for (const readme of READMES) {
    await mkdir(dirname(join(root, readme)), { recursive: true });
    await cp(join(REPO_ROOT, readme), join(root, readme));
  }
  return root;
}

describe("readme-tables", () => {
  it("the committed READMEs' tables match the spec, one row per operation", async () => {
    expect((await staleReadmes(REPO_ROOT)).map(({ file }) => file)).toEqual([]);
    const cli = await readFile(join(REPO_ROOT, "packages/cli/README.md"), "utf8");
    for (const operation of Object.values(OPERATIONS)) expect(cli).toContain(`| \`${operation.method} ${operation.path}\` |`);
  });

  it("rewrites a stale table, and --check only names it", async () => {
    const root = await copyReadmes();
    try {
      const file = join(root, "packages/cli/README.md");
      const fresh = await readFile(file, "utf8");
      await writeFile(file, fresh.replace(/\| `GET \/items` \|[^\n]*\n/, ""));
      expect(await writeReadmeTables(root, true)).toEqual(["packages/cli/README.md"]);
      expect(await readFile(file, "utf8")).not.toBe(fresh);
      expect(await writeReadmeTables(root, false)).toEqual(["packages/cli/README.md"]);
      expect(await readFile(file, "utf8")).toBe(fresh);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it("names the README and the markers when they are gone", async () => {
    const root = await copyReadmes();
    try {
      const file = join(root, "packages/mcp/README.md");
      await writeFile(file, (await readFile(file, "utf8")).replace("<!-- /generated -->", ""));
      await expect(staleReadmes(root)).rejects.toThrow(/packages\/mcp\/README\.md: the markers of the generated tools table are missing/);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
