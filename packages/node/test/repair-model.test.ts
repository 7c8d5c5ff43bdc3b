import { createClient, fixesOf, itemsOf, unwrap, type MakeprintableClient } from "@mkp/client";
import { startMockServer, type MockServer } from "@mkp/mock-server";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DownloadError, downloadFile, OutputExistsError, repairedFileName, repairModel, RepairInputError, RepairStoppedError } from "../src/index.js";

const MODEL = Buffer.from("solid a\nendsolid a\n");
let sandbox: MockServer;
let client: MakeprintableClient;
let dir: string;

beforeAll(async () => {
  // Fixes are done at once on the sandbox's clock.
  sandbox = await startMockServer({ strict: true, fixTiming: { queuedMs: 0, processingMs: 0 } });
  client = createClient({ apiKey: sandbox.demo.apiKey, baseUrl: sandbox.apiUrl });
});
afterAll(async () => {
  await sandbox?.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "mkp-node-"));
  await writeFile(join(dir, "part.stl"), MODEL);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
  expect(sandbox.specViolations).toEqual([]);
});

const itemCount = async () => itemsOf(await unwrap(client.GET("/items", { params: { query: { pageSize: 1000 } } }))).length;

describe("repairModel", () => {
  it("uploads, repairs and writes the sandbox's repaired file, reporting each stage and poll", async () => {
    const stages: string[] = [];
    const polled: unknown[] = [];
    const result = await repairModel(
      client,
      { source: "part.stl", output: "out.stl", cwd: dir, fix: { print_quality: "high", wall_thickness: undefined } },
      { onStage: (stage) => stages.push(stage), onProgress: (fix) => polled.push(fix.status) },
    );
    expect(stages).toEqual(["uploading", "repairing", "downloading"]);
    expect(polled).toEqual(["done"]);
    expect(result).toMatchObject({ output: join(dir, "out.stl"), bytes: MODEL.length, item: { file_name: "part", file_ext: "stl" }, fix: { status: "done" } });
    expect(await readFile(join(dir, "out.stl"))).toEqual(Buffer.from(await (await fetch(result.fix.download_url!)).arrayBuffer()));
    expect(await readdir(dir)).toEqual(["out.stl", "part.stl"]);
  });

  const refused: [
    string,
    { source?: string; output?: string; prepare?: () => Promise<unknown>; error: typeof RepairInputError; field: string; message: (dir: string) => string },
  ][] = [
    [
      "a missing source",
      { source: "nope.stl", error: RepairInputError, field: "source", message: (d) => `no such file: ${d}/nope.stl: check the path, or give an http(s) URL` },
    ],
    [
      "a directory as the source",
      {
        source: ".",
        error: RepairInputError,
        field: "source",
        message: (d) => `${d} is not a regular file: give a 3D file such as part.stl (or a zip holding one)`,
      },
    ],
    [
      "an empty source",
      { source: "", error: RepairInputError, field: "source", message: () => "the source is empty: give a 3D file such as part.stl, or an http(s) URL" },
    ],
    [
      "an ftp:// URL",
      {
        source: "ftp://example.com/part.stl",
        error: RepairInputError,
        field: "source",
        message: () => "ftp:// URLs cannot be used: give an http(s) URL Makeprintable can download, or download the file and give its path",
      },
    ],
    [
      "a .txt file",
      {
        source: "notes.TXT",
        prepare: () => writeFile(join(dir, "notes.TXT"), "solid a\nendsolid a\n"),
        error: RepairInputError,
        field: "source",
        message: (d) => `${d}/notes.TXT is a .txt file, not a 3D model: give the model itself, such as part.stl or part.obj (or a zip holding one)`,
      },
    ],
    [
      "an empty file",
      {
        source: "empty.stl",
        prepare: () => writeFile(join(dir, "empty.stl"), ""),
        error: RepairInputError,
        field: "source",
        message: (d) => `${d}/empty.stl is empty (0 bytes): give a 3D file with the model in it`,
      },
    ],
    [
      "a directory as the output",
      { output: ".", error: RepairInputError, field: "output", message: (d) => `${d} is a directory: give a file path such as ${d}/part.fixed.stl` },
    ],
    [
      "an output in a missing directory",
      {
        output: "no/such/out.stl",
        error: RepairInputError,
        field: "output",
        message: (d) => `${d}/no/such is not a directory: create it first, or write elsewhere`,
      },
    ],
    ["an existing output", { output: "part.stl", error: OutputExistsError, field: "output", message: (d) => `${d}/part.stl exists` }],
  ];
  it.each(refused)(
    "refuses %s before sending anything, naming the field",
    async (_name, { source = "part.stl", output = "out.stl", prepare, error, field, message }) => {
      await prepare?.();
      const before = await itemCount();
      const thrown = await repairModel(client, { source, output, cwd: dir }).catch((caught: unknown) => caught);
      expect(thrown).toBeInstanceOf(error);
      expect(thrown).toMatchObject({ field, message: message(dir) });
      expect(await itemCount()).toBe(before);
    },
  );

  it("replaces an existing output only with overwrite", async () => {
    await writeFile(join(dir, "out.stl"), "old");
    await repairModel(client, { source: "part.stl", output: "out.stl", cwd: dir, overwrite: true });
    expect(await readFile(join(dir, "out.stl"))).toEqual(MODEL);
  });

  it("never replaces an output that appeared while it waited", async () => {
    const thrown = await repairModel(
      client,
      { source: "part.stl", output: "out.stl", cwd: dir },
      {
        onStage: (stage) => void (stage === "downloading" && writeFile(join(dir, "out.stl"), "theirs")),
      },
    ).catch((caught: unknown) => caught);
    expect(thrown).toBeInstanceOf(OutputExistsError);
    expect(await readFile(join(dir, "out.stl"), "utf8")).toBe("theirs");
    expect((await readdir(dir)).sort()).toEqual(["out.stl", "part.stl"]);
  });

  it("an abort after the fix started says which fix goes on", async () => {
    const controller = new AbortController();
    const thrown = await repairModel(
      client,
      { source: "part.stl", output: "out.stl", cwd: dir },
      {
        signal: controller.signal,
        onStage: (stage) => stage === "repairing" && controller.abort(),
      },
    ).catch((caught: unknown) => caught);
    const fix = fixesOf(await unwrap(client.GET("/fixes"))).at(-1)!;
    expect(thrown).toBeInstanceOf(RepairStoppedError);
    expect(thrown).toMatchObject({ fixId: fix.id, message: `stopped waiting for fix ${fix.id}; the repair goes on at Makeprintable` });
    expect(await readdir(dir)).toEqual(["part.stl"]);
  });

  it("an abort during the upload says nothing was started", async () => {
    const controller = new AbortController();
    const thrown = await repairModel(
      client,
      { source: "part.stl", output: "out.stl", cwd: dir },
      { signal: controller.signal, onStage: () => controller.abort() },
    ).catch((caught: unknown) => caught);
    expect(thrown).toBeInstanceOf(RepairStoppedError);
    expect(thrown).toMatchObject({ fixId: undefined, message: "stopped before the repair started" });
  });
});

describe("downloadFile", () => {
  it.each(["file:///etc/passwd", "not a url", "ftp://127.0.0.1/x"])("refuses the link %s", async (url) => {
    const thrown = await downloadFile(url, join(dir, "x"), { fixId: 7 }).catch((caught: unknown) => caught);
    expect(thrown).toBeInstanceOf(DownloadError);
    expect(thrown).toMatchObject({ fixId: 7, message: "fix 7 gave a download link that is not an http(s) URL" });
  });

  it("reports a failed download with its status, and leaves no partial file", async () => {
    const thrown = await downloadFile(`${sandbox.url}/downloads/unknown/x.stl`, join(dir, "x.stl"), { fixId: 7 }).catch((caught: unknown) => caught);
    // A link that answers 404 is gone: the same download will not work again.
    expect(thrown).toMatchObject({ message: "the download of fix 7 answered 404", status: 404, retryable: false });
    expect(await readdir(dir)).toEqual(["part.stl"]);
  });

  it("names the default output", () => {
    expect([repairedFileName("part.stl"), repairedFileName("model"), repairedFileName("a.b.obj")]).toEqual(["part.fixed.stl", "model.fixed", "a.b.fixed.obj"]);
  });
});
