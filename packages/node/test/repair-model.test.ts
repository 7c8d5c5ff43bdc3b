import { APIError, createClient, fixesOf, itemsOf, unwrap, type MakeprintableClient } from "@mkp/client";
import { startMockServer, type MockServer } from "@mkp/mock-server";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startRecordingServer } from "@mkp/testing";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
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

  it("reports the sandbox's 413 for a file over its upload limit, in 20 runs of 20", async () => {
    // 20 MB from disk against the sandbox's 10 MiB: it answers 413 and closes mid-upload.
    await writeFile(join(dir, "big.stl"), Buffer.alloc(20 * 1024 * 1024));
    const statuses: unknown[] = [];
    for (let run = 0; run < 20; run++) {
      const thrown = await repairModel(client, { source: "big.stl", output: "big.fixed.stl", cwd: dir }).catch((caught: unknown) => caught);
      statuses.push(thrown instanceof APIError ? thrown.status : String(thrown));
    }
    expect(statuses).toEqual(Array(20).fill(413));
  }, 120_000);
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

  it.each([["a link to plain http off this machine", "http://files.example/x.stl", "the download link of fix 7 is plain http to files.example"]])(
    "refuses %s before sending anything",
    async (_what, url, message) => {
      const thrown = await downloadFile(url, join(dir, "x.stl"), { fixId: 7 }).catch((caught: unknown) => caught);
      expect(thrown).toBeInstanceOf(DownloadError);
      expect(thrown).toMatchObject({ fixId: 7, retryable: false, message: `${message}: the file could be changed on the way, so it is not fetched` });
    },
  );

  it("follows a redirect on this machine, and refuses one to plain http elsewhere without following it", async () => {
    const files = await startRecordingServer((request, response) => {
      if (request.url === "/moved") return void response.writeHead(302, { location: "/x.stl" }).end();
      if (request.url === "/x.stl") return void response.writeHead(200).end(MODEL);
      response.writeHead(302, { location: "http://files.example/x.stl" }).end();
    });
    try {
      expect(await downloadFile(`${files.url}/moved`, join(dir, "x.stl"), { fixId: 7 })).toBe(MODEL.length);
      const thrown = await downloadFile(`${files.url}/elsewhere`, join(dir, "y.stl"), { fixId: 7 }).catch((caught: unknown) => caught);
      expect(thrown).toMatchObject({
        message: "the download link of fix 7 redirected to plain http to files.example: the file could be changed on the way, so it is not fetched",
      });
      expect(await readdir(dir)).toEqual(["part.stl", "x.stl"]);
    } finally {
      await files.close();
    }
  });

  it("refuses a file larger than maxBytes: by its Content-Length before reading, or as its bytes arrive", async () => {
    const files = await startRecordingServer((request, response) => {
      if (request.url === "/declared") return void response.writeHead(200, { "content-length": "1000" }).end(Buffer.alloc(1000));
      response.writeHead(200); // chunked: no length said up front
      response.end(Buffer.alloc(1000));
    });
    try {
      for (const path of ["/declared", "/chunked"]) {
        const thrown = await downloadFile(`${files.url}${path}`, join(dir, "x.stl"), { fixId: 7, maxBytes: 999 }).catch((caught: unknown) => caught);
        expect(thrown).toBeInstanceOf(DownloadError);
        expect(thrown).toMatchObject({
          retryable: false,
          message: "the repaired file of fix 7 is larger than 999 bytes (maxBytes): raise maxBytes to download it",
        });
      }
      expect(await readdir(dir)).toEqual(["part.stl"]);
      expect(await downloadFile(`${files.url}/declared`, join(dir, "x.stl"), { fixId: 7, maxBytes: 1000 })).toBe(1000);
    } finally {
      await files.close();
    }
  });

  it("gives the download a deadline: a body that trickles fails once timeoutMs has passed", async () => {
    const trickles: ReturnType<typeof setInterval>[] = [];
    const files = await startRecordingServer((_request, response) => {
      response.writeHead(200);
      trickles.push(setInterval(() => response.write("x"), 5));
    });
    try {
      vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
      let settled = false;
      const pending = downloadFile(`${files.url}/x.stl`, join(dir, "x.stl"), { fixId: 7, timeoutMs: 60_000 })
        .catch((caught: unknown) => caught)
        .finally(() => (settled = true));
      await files.received(1);
      await vi.advanceTimersByTimeAsync(59_999);
      expect(settled).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      expect(await pending).toMatchObject({
        retryable: true,
        message: "the download of fix 7 did not finish within 60000 ms (timeoutMs): try again, or raise timeoutMs",
      });
      expect(await readdir(dir)).toEqual(["part.stl"]);
    } finally {
      vi.useRealTimers();
      for (const trickle of trickles) clearInterval(trickle);
      await files.close();
    }
  });

  it("names the default output", () => {
    expect([repairedFileName("part.stl"), repairedFileName("model"), repairedFileName("a.b.obj")]).toEqual(["part.fixed.stl", "model.fixed", "a.b.fixed.obj"]);
  });
});
