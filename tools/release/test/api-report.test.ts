// The API reports: which entry points have one, and that a changed surface fails the check naming
// the package and the command, then passes once the report is rewritten. API Extractor runs for real.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiEntries, apiReports, formatApiReports } from "../src/api-report.ts";
import { releaseLayout } from "../src/paths.ts";

describe("which entry points have a report", () => {
  it("is every published package's public entry with types, never @mkp/client/internal", async () => {
    const { root, packagesDir } = releaseLayout();
    const entries = await apiEntries(packagesDir);
    expect(entries.map((entry) => [entry.pkg.name, entry.subpath, relative(root, entry.report)])).toEqual([
      ["@mkp/cli", ".", "packages/cli/api/cli.api.md"],
      ["@mkp/client", ".", "packages/client/api/client.api.md"],
      ["@mkp/mcp", ".", "packages/mcp/api/mcp.api.md"],
      ["@mkp/mock-server", ".", "packages/mock-server/api/mock-server.api.md"],
      ["@mkp/node", ".", "packages/node/api/node.api.md"],
      ["@mkp/oauth", ".", "packages/oauth/api/oauth.api.md"],
      ["@mkp/oauth", "./node", "packages/oauth/api/oauth-node.api.md"],
    ]);
  });
});

describe("a package whose public API changed", () => {
  let root: string;
  const packagesDir = () => join(root, "packages");
  const declarations = (text: string) => writeFile(join(packagesDir(), "demo", "dist", "index.d.ts"), text);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "mkp-api-report-"));
    await mkdir(join(packagesDir(), "demo", "dist"), { recursive: true });
    const manifest = { name: "@mkp/demo", version: "0.1.0", type: "module", exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } } };
    await writeFile(join(packagesDir(), "demo", "package.json"), JSON.stringify(manifest));
    await declarations("/** Says hello. */\nexport declare function hello(name: string): string;\n");
    await apiReports(packagesDir(), true);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("fails the check naming the package and the command, leaving the report; passes after an update", async () => {
    const report = join(packagesDir(), "demo", "api", "demo.api.md");
    const before = await readFile(report, "utf8");
    expect(before).toContain("export function hello(name: string): string;");
    await declarations("/** Says hello. */\nexport declare function hello(name: string, loud?: boolean): string;\n");

    const checked = await apiReports(packagesDir(), false);
    expect(checked.map((result) => result.outcome)).toEqual(["changed"]);
    const message = formatApiReports(checked, root, false);
    expect(message).toContain("CHANGED   @mkp/demo (.): its public API differs from packages/demo/api/demo.api.md");
    expect(message).toContain("run `pnpm api:update`");
    expect(await readFile(report, "utf8")).toBe(before);

    expect((await apiReports(packagesDir(), true)).map((result) => result.outcome)).toEqual(["changed"]);
    expect(await readFile(report, "utf8")).toContain("export function hello(name: string, loud?: boolean): string;");
    expect((await apiReports(packagesDir(), false)).map((result) => result.outcome)).toEqual(["same"]);
  });
});
