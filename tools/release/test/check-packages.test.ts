import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkPackages, formatPackageChecks, type PackageCheck, UNTYPED_JAVASCRIPT } from "../src/check-packages.ts";

let packagesDir: string;
let packedDir: string;
let checks: PackageCheck[];

async function writePackage(dir: string, manifest: Record<string, unknown>, files: Record<string, string>): Promise<void> {
  await mkdir(join(packagesDir, dir, "dist"), { recursive: true });
  await writeFile(join(packagesDir, dir, "package.json"), JSON.stringify({ version: "1.0.0", license: "MIT", type: "module", ...manifest }, null, 2));
  for (const [path, text] of Object.entries(files)) await writeFile(join(packagesDir, dir, path), text);
}

// Small packages outside the workspace: one right, two with the mistakes the tools exist for.
beforeAll(async () => {
  packagesDir = await mkdtemp(join(tmpdir(), "mkp-check-packages-"));
  const dist = { "dist/index.js": "export const answer = 42;\n", "dist/index.d.ts": "export declare const answer: 42;\n" };
  await writePackage("good", { name: "@fixture/good", exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } }, files: ["dist"] }, dist);
  // `types` after `default` is never reached by TypeScript: publint reports it, attw cannot find types.
  await writePackage(
    "types-last",
    { name: "@fixture/types-last", exports: { ".": { default: "./dist/index.js", types: "./dist/index.d.ts" } }, files: ["dist"] },
    dist,
  );
  await writePackage(
    "missing-file",
    { name: "@fixture/missing-file", exports: { ".": { types: "./dist/index.d.ts", default: "./dist/main.js" } }, files: ["dist"] },
    dist,
  );
  // JavaScript without declarations: TypeScript users would get `any`.
  await writePackage(
    "untyped",
    { name: "@fixture/untyped", exports: { ".": "./dist/index.js" }, files: ["dist"] },
    { "dist/index.js": "export const answer = 42;\n" },
  );
  // ESM JavaScript typed by a CommonJS declaration file: attw's "Masquerading as CJS".
  await writePackage(
    "false-cjs",
    { name: "@fixture/false-cjs", exports: { ".": { types: "./dist/index.d.cts", default: "./dist/index.js" } }, files: ["dist"] },
    { "dist/index.js": "export const answer = 42;\n", "dist/index.d.cts": "export declare const answer: 42;\n" },
  );
  await writePackage("internal", { name: "@fixture/internal", private: true, exports: "./nowhere.js" }, {});
  packedDir = await mkdtemp(join(tmpdir(), "mkp-check-packages-packed-"));
  checks = await checkPackages(packagesDir, packedDir);
});

afterAll(async () => {
  await rm(packagesDir, { recursive: true, force: true });
  await rm(packedDir, { recursive: true, force: true });
});

const verdict = (name: string, tool: string) => checks.find((check) => check.name === name && check.tool === tool);

describe("check-packages (publint --strict, attw --profile esm-only)", () => {
  it("checks every publishable package and skips private ones", () => {
    expect(checks.map((check) => `${check.name} ${check.tool}`)).toEqual([
      "@fixture/false-cjs publint",
      "@fixture/false-cjs attw",
      "@fixture/good publint",
      "@fixture/good attw",
      "@fixture/missing-file publint",
      "@fixture/missing-file attw",
      "@fixture/types-last publint",
      "@fixture/types-last attw",
      "@fixture/untyped publint",
      "@fixture/untyped attw",
    ]);
  });

  it("passes a correctly exported ESM package", () => {
    expect(verdict("@fixture/good", "publint")).toMatchObject({ ok: true });
    expect(verdict("@fixture/good", "attw")).toMatchObject({ ok: true });
  });

  it("fails an export that points at a file the tarball lacks", () => {
    expect(verdict("@fixture/missing-file", "publint")).toMatchObject({
      ok: false,
      output: expect.stringContaining('pkg.exports["."].default is ./dist/main.js but the file does not exist'),
    });
  });

  it("fails a `types` condition placed after `default` (publint)", () => {
    expect(verdict("@fixture/types-last", "publint")).toMatchObject({
      ok: false,
      output: expect.stringContaining('pkg.exports["."].types should be the first in the object'),
    });
  });

  it("fails ESM JavaScript typed as CommonJS (attw)", () => {
    expect(verdict("@fixture/false-cjs", "publint")?.ok).toBe(true);
    expect(verdict("@fixture/false-cjs", "attw")).toMatchObject({ ok: false, output: expect.stringContaining("Masquerading as CJS") });
  });

  it("fails JavaScript entry points without any type declarations", () => {
    expect(verdict("@fixture/untyped", "publint")?.ok).toBe(true);
    expect(verdict("@fixture/untyped", "attw")).toMatchObject({ ok: false, output: expect.stringContaining(`@fixture/untyped ${UNTYPED_JAVASCRIPT}`) });
  });

  it("prints one line per package and tool, and the output of each failure", () => {
    const text = formatPackageChecks(checks, packagesDir);
    expect(text).toContain("✓ @fixture/good publint --strict");
    expect(text).toContain("✗ @fixture/missing-file publint --strict\n    Running publint");
    expect(text.split("\n").at(-1)).toMatch(/^6\/10 package checks passed in /);
  });
});
