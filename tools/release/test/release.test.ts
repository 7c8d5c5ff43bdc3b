import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { releaseLayout, type ReleaseLayout } from "../src/paths.ts";
import { release } from "../src/release.ts";

let layout: ReleaseLayout;

beforeEach(async () => {
  layout = releaseLayout(await mkdtemp(join(tmpdir(), "mkp-release-test-")));
  await mkdir(layout.changesetDir);
  await writeFile(join(layout.changesetDir, "README.md"), "# Changesets\n");
  await writeFile(join(layout.changesetDir, "new-scope.md"), '---\n"@mkp/client": minor\n---\n\nA new scope.\n');
});

afterEach(async () => {
  await rm(layout.root, { recursive: true, force: true });
});

it("refuses to publish while changesets are pending, before building anything", async () => {
  const errors: string[] = [];
  const { error } = console;
  console.error = (text: string) => errors.push(text);
  try {
    expect(await release(layout, { dryRun: false })).toBe(1);
  } finally {
    console.error = error;
  }
  expect(errors).toEqual([
    "release: 1 pending changeset(s) (.changeset/new-scope.md): run `pnpm version-packages` and commit the versions and changelogs first.",
  ]);
});
