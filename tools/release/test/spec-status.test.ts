// spec:status after a spec edit, on a copy of the parts it reads (the spec, redocly.yaml, the
// manifests, the samples): what is left for a person comes from the spec and the sandbox's and the
// CLI's sources, so a new operation is listed everywhere it is missing.
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { COMMAND_FOR_OPERATION } from "../../../packages/cli/src/spec-commands.ts";
import { releaseLayout, REPO_ROOT, type ReleaseLayout } from "../src/paths.ts";
import { writeReleasedSpec } from "../src/released-spec.ts";
import { type SpecStatus, specStatus } from "../src/spec-status.ts";

let layout: ReleaseLayout;
let status: SpecStatus;

beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), "mkp-spec-status-test-"));
  layout = releaseLayout(root);
  await mkdir(join(root, "spec"), { recursive: true });
  await cp(join(REPO_ROOT, "spec/openapi.yaml"), layout.spec);
  await cp(join(REPO_ROOT, "redocly.yaml"), layout.redoclyConfig);
  await mkdir(layout.changesetDir);
  for (const name of await readdir(join(REPO_ROOT, "packages"))) {
    const manifest = await readFile(join(REPO_ROOT, "packages", name, "package.json"), "utf8").catch(() => undefined);
    if (manifest === undefined) continue;
    await mkdir(join(layout.packagesDir, name), { recursive: true });
    await writeFile(join(layout.packagesDir, name, "package.json"), manifest);
  }
  await cp(join(REPO_ROOT, "packages/docs/samples"), join(layout.packagesDir, "docs/samples"), { recursive: true });
  await writeReleasedSpec(layout);
  const spec = parse(await readFile(layout.spec, "utf8")) as { paths: Record<string, unknown> };
  spec.paths["/account"] = {
    get: {
      tags: ["Items"],
      operationId: "getAccount",
      summary: "Get your account",
      description: "Your account.",
      responses: {
        "200": {
          description: "The account.",
          content: { "application/json": { schema: { type: "object", properties: { id: { type: "integer" } } }, example: { id: 8 } } },
        },
      },
    },
  };
  await writeFile(layout.spec, stringify(spec));
  status = await specStatus(layout);
}, 120_000);

afterAll(async () => {
  await rm(layout.root, { recursive: true, force: true });
});

describe("spec:status after a new operation", () => {
  it("lists it as without an mkp command, and no operation the CLI's table names", () => {
    expect(status.withoutCommand).toEqual(["getAccount"]);
    expect(status.report).toMatch(/Operations without an mkp command[^\n]*packages\/cli\/src\/spec-commands\.ts[^\n]*\n {2}getAccount(\n|$)/);
    for (const operationId of Object.keys(COMMAND_FOR_OPERATION)) expect(status.withoutCommand).not.toContain(operationId);
  });

  it("lists its missing samples, that the sandbox answers it from the example, and the changeset spec:diff asks for", () => {
    expect(status.samplesMissing).toEqual(["sample.ts", "curl.sh", "python.py", "php.php"].map((file) => `packages/docs/samples/getAccount/${file}`));
    expect(status.answeredFromExamples).toContain("getAccount");
    expect(status.changesetNeeded).toEqual(expect.arrayContaining(['"@mkp/client": minor', '"@mkp/cli": minor', '"@mkp/docs": patch']));
  });
});
