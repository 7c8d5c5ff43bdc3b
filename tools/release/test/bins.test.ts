// Every command a package installs is executable after `pnpm build` (a cache replay
// included: turbo restores the modes that the build's chmod-bins step set), so a file install's
// `npx mkp-mock` does not fail with "Permission denied".
import { execFile } from "node:child_process";
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const withBins = ["packages/cli", "packages/mcp", "packages/mock-server", "examples/web-app"];

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

  it("no two packages install the same command (one would overwrite the other's)", async () => {
    const owners = new Map<string, string[]>();
    const dirs = (
      await Promise.all(["packages", "examples"].map(async (parent) => (await readdir(join(root, parent))).map((name) => `${parent}/${name}`)))
    ).flat();
    for (const dir of dirs) {
      const manifest = await readFile(join(root, dir, "package.json"), "utf8").catch(() => undefined);
      if (manifest === undefined) continue;
      const { name, bin = {} } = JSON.parse(manifest) as { name: string; bin?: string | Record<string, string> };
      for (const command of typeof bin === "string" ? [name.split("/").at(-1)!] : Object.keys(bin)) owners.set(command, [...(owners.get(command) ?? []), name]);
    }
    expect(owners.get("mkp")).toEqual(["@mkp/cli"]);
    expect([...owners].filter(([, names]) => names.length > 1)).toEqual([]);
  });

  it("runs a bin file directly, as an installed command is run", async () => {
    const { stdout } = await promisify(execFile)(join(root, "packages/mock-server/dist/cli.js"), ["--help"]);
    expect(stdout).toMatch(/^usage: mkp-mock \[--port N\]/);
  });
});
