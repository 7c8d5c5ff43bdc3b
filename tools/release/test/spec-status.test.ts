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
import { HANDWRITTEN_OPERATIONS, OPERATION_EFFECTS } from "@mkp/mock-server";
import { addAccountOperation } from "@mkp/testing";
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
  spec.paths["/widgets/{id}"] = {
    get: {
      tags: ["Items"],
      operationId: "getWidget",
      summary: "Get a widget",
      parameters: [{ name: "id", in: "path", required: true, schema: { type: "integer" }, example: 3 }],
      responses: { "200": { description: "The widget." }, "404": { description: "No such widget." } },
    },
  };
  await writeFile(layout.spec, addAccountOperation(stringify(spec)));
  // The sandbox built from this spec would answer both from the example (what OPERATION_EFFECTS says of any operation without a handler).
  const fromExample = { answeredFrom: "example", effects: [], unknownIds: "404" } as const;
  const effects = { ...OPERATION_EFFECTS, getAccount: fromExample, getWidget: fromExample };
  status = await specStatus(layout, { effects, handwritten: HANDWRITTEN_OPERATIONS, commands: COMMAND_FOR_OPERATION });
}, 120_000);

afterAll(async () => {
  await rm(layout.root, { recursive: true, force: true });
});

describe("spec:status after two new operations", () => {
  it("lists them as without an mkp command, and no operation the CLI's table names", () => {
    expect(status.withoutCommand).toEqual(["getWidget", "getAccount"]);
    expect(status.report).toMatch(/Operations without an mkp command[^\n]*packages\/cli\/src\/spec-commands\.ts[^\n]*\n {2}getWidget\n {2}getAccount(\n|$)/);
    for (const operationId of Object.keys(COMMAND_FOR_OPERATION)) expect(status.withoutCommand).not.toContain(operationId);
  });

  it("lists their missing samples, that the sandbox answers them from the example, and the changeset spec:diff asks for", () => {
    expect(status.samplesMissing).toEqual(
      ["getWidget", "getAccount"].flatMap((operationId) =>
        ["sample.ts", "curl.sh", "python.py", "php.php"].map((file) => `packages/docs/samples/${operationId}/${file}`),
      ),
    );
    expect(status.answeredFromExamples).toEqual(["getWidget", "getAccount"]);
  });

  it("states what answering each from its example changes in the sandbox, and the 404 for an id it does not know", () => {
    expect(status.exampleEffects).toEqual([
      "getWidget: changes nothing in the sandbox (the API's side effects are not imitated); an id it does not know gets the spec's 404",
      "getAccount: changes nothing in the sandbox (the API's side effects are not imitated)",
    ]);
    expect(status.report).toMatch(
      /Operations the sandbox answers with the spec's example[^\n]*\n {2}getWidget: changes nothing[^\n]*404\n {2}getAccount: changes nothing/,
    );
    expect(status.changesetNeeded).toEqual(expect.arrayContaining(['"@mkp/client": minor', '"@mkp/cli": minor', '"@mkp/docs": patch']));
  });
});
