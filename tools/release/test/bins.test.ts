// Issue 16: every command a package installs is executable after `pnpm build` (a cache replay
// included: turbo restores the modes that the build's chmod-bins step set), so a file install's
// `npx mkp-mock` does not fail with "Permission denied".
import { execFile } from "node:child_process";
import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const withBins = ["packages/cli", "packages/mcp", "packages/mock-server", "packages/oauth", "examples/web-app"];

describe("package commands", () => {
  it.each(withBins)("%s: every bin file is executable and starts with a node shebang", async (dir) => {
    const { bin } = JSON.parse(await readFile(join(root, dir, "package.json"), "utf8")) as { bin: Record<string, string> };
    expect(Object.keys(bin).length).toBeGreaterThan(0);
    for (const file of Object.values(bin)) {
      const path = join(root, dir, file);
      expect((await stat(path)).mode & 0o111).toBe(0o111);
      expect((await readFile(path, "utf8")).startsWith("#!/usr/bin/env node\n")).toBe(true);
    }
  });

  it("runs a bin file directly, as an installed command is run", async () => {
    const { stdout } = await promisify(execFile)(join(root, "packages/mock-server/dist/cli.js"), ["--help"]);
    expect(stdout).toMatch(/^usage: mkp-mock \[--port N\]/);
  });
});
