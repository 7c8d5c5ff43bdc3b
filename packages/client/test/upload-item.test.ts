import { createReadStream, openAsBlob, readFileSync } from "node:fs";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, InvalidUploadError, uploadItem, unwrap, type ItemUploadInput } from "../src/index.js";
import { json, startRecordingServer } from "@mkp/testing";

const API_KEY = "12345weLove3DPrinting";
const CUBE_PATH = fileURLToPath(new URL("./fixtures/cube.obj", import.meta.url));
const CUBE = readFileSync(CUBE_PATH);

/** What the server parsed from one upload. */
interface Received {
  contentType: string;
  key: string | undefined;
  fields: Record<string, { fileName: string; bytes: Buffer } | string>;
}

let api: Awaited<ReturnType<typeof startRecordingServer>>;
const received: Received[] = [];

beforeAll(async () => {
  // A real server that parses the multipart body (with undici's parser) and answers like the API.
  api = await startRecordingServer(async (request, response) => {
    const contentType = String(request.headers["content-type"]);
    const form = await new Response(new Uint8Array(request.bytes), { headers: { "content-type": contentType } }).formData();
    const fields: Received["fields"] = {};
    for (const [name, value] of form) {
      fields[name] = typeof value === "string" ? value : { fileName: value.name, bytes: Buffer.from(await value.arrayBuffer()) };
    }
    received.push({ contentType, key: request.headers.key as string | undefined, fields });
    const file = fields.file;
    const name = typeof file === "object" ? file.fileName : "remote.obj";
    json(response, 201, {
      id: 149,
      user_id: 8,
      file_name: name.replace(/\.[^.]+$/, ""),
      file_ext: name.split(".").pop(),
      status: 1,
      created_at: 1422295700,
      updated_at: 1422295700,
    });
  });
});
afterAll(() => api.close());

function client() {
  return createClient({ apiKey: API_KEY, baseUrl: `${api.url}/v1` });
}

function lastUpload(): Received {
  const last = received.at(-1);
  if (!last) throw new Error("the server received no upload");
  return last;
}

describe("uploadItem sends a real multipart body", () => {
  const sources: Array<[string, () => ItemUploadInput]> = [
    ["a Blob and a file name", () => ({ file: new Blob([CUBE]), fileName: "cube.obj" })],
    ["a File (its own name)", () => ({ file: new File([CUBE], "cube.obj") })],
    ["a Node Buffer", () => ({ file: CUBE, fileName: "cube.obj" })],
    ["a Uint8Array", () => ({ file: new Uint8Array(CUBE), fileName: "cube.obj" })],
    ["an ArrayBuffer", () => ({ file: new Uint8Array(CUBE).buffer, fileName: "cube.obj" })],
    ["a web ReadableStream", () => ({ file: new Blob([CUBE]).stream(), fileName: "cube.obj" })],
    ["a Node fs read stream", () => ({ file: createReadStream(CUBE_PATH, { highWaterMark: 64 }), fileName: "cube.obj" })],
    [
      "a Node Readable of text chunks",
      () => ({
        file: Readable.from(
          CUBE.toString("utf8")
            .split("\n")
            .map((line) => `${line}\n`)
            .slice(0, -1),
        ),
        fileName: "cube.obj",
      }),
    ],
  ];

  it.each(sources)("from %s", async (_name, input) => {
    const item = await unwrap(uploadItem(client(), input()));
    expect(item).toMatchObject({ id: 149, file_name: "cube", file_ext: "obj" });
    const upload = lastUpload();
    expect(upload.contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(upload.key).toBe(API_KEY);
    expect(Object.keys(upload.fields)).toEqual(["file"]);
    const file = upload.fields.file as { fileName: string; bytes: Buffer };
    expect(file.fileName).toBe("cube.obj");
    expect(file.bytes.equals(CUBE)).toBe(true);
  });

  it("a path given as the file: the input the refusal suggests works as written", async () => {
    const refusal = await uploadItem(client(), { file: CUBE_PATH } as never).catch((error: Error) => error.message);
    expect(refusal).toContain(`e.g. { file: await openAsBlob(${JSON.stringify(CUBE_PATH)}), fileName: "cube.obj" } with openAsBlob from node:fs`);
    const item = await unwrap(uploadItem(client(), { file: await openAsBlob(CUBE_PATH), fileName: "cube.obj" }));
    expect(item).toMatchObject({ file_name: "cube", file_ext: "obj" });
    expect((lastUpload().fields.file as { bytes: Buffer }).bytes.equals(CUBE)).toBe(true);
  });

  it("lets fileName rename a File", async () => {
    await uploadItem(client(), { file: new File([CUBE], "tmp-1234"), fileName: "cube.obj" });
    expect((lastUpload().fields.file as { fileName: string }).fileName).toBe("cube.obj");
  });

  it("sends fileUrl as the multipart field fileurl", async () => {
    const { data, error } = await uploadItem(client(), { fileUrl: "https://example.com/models/box_longline.obj" });
    expect(error).toBeUndefined();
    expect(data?.file_ext).toBe("obj");
    expect(lastUpload().contentType).toMatch(/^multipart\/form-data; boundary=/);
    expect(lastUpload().fields).toEqual({ fileurl: "https://example.com/models/box_longline.obj" });
  });

  it("works through the plain typed call as well", async () => {
    const { data } = await client().POST("/items", { body: { file: new File([CUBE], "cube.obj") } });
    expect(data?.id).toBe(149);
    expect((lastUpload().fields.file as { bytes: Buffer }).bytes.equals(CUBE)).toBe(true);
    await client().POST("/items", { body: { fileurl: "https://example.com/a.stl" } });
    expect(lastUpload().fields).toEqual({ fileurl: "https://example.com/a.stl" });
  });
});

describe("unusable input is refused before anything is sent", () => {
  it.each([
    ["neither file nor fileUrl", {}, "give exactly one of file and fileUrl"],
    ["both", { file: new Blob(["x"]), fileName: "a.obj", fileUrl: "https://example.com/a.obj" }, "give exactly one of file and fileUrl"],
    ["bytes without a name", { file: new Uint8Array([1]) }, 'fileName must be a non-empty string such as "part.stl"'],
    ["a path for a name", { file: new Uint8Array([1]), fileName: "models/a.obj" }, "fileName must be a file name without a directory or control characters"],
    [
      "a control character in the name",
      { file: new Uint8Array([1]), fileName: "a\r\n.obj" },
      "fileName must be a file name without a directory or control characters",
    ],
    // The kind of file is checked before its name: the fix for a path is not a fileName, so that
    // error must come first.
    [
      "a path for a file",
      { file: "cube.stl" },
      'file must be the file\'s bytes, not a path: read it first, e.g. { file: await openAsBlob("cube.stl"), fileName: "cube.stl" } with openAsBlob from node:fs, or give fileUrl for a URL',
    ],
    [
      "a path with directories for a file: the name is its last part",
      { file: "models/cube.stl" },
      'file must be the file\'s bytes, not a path: read it first, e.g. { file: await openAsBlob("models/cube.stl"), fileName: "cube.stl" } with openAsBlob from node:fs, or give fileUrl for a URL',
    ],
    [
      "a number for a file, without a name",
      { file: 42 },
      "file must be a Blob, File, ArrayBuffer, typed array (Buffer), ReadableStream or async iterable of bytes",
    ],
    [
      "a number for a file",
      { file: 42, fileName: "a.obj" },
      "file must be a Blob, File, ArrayBuffer, typed array (Buffer), ReadableStream or async iterable of bytes",
    ],
    ["a stream of objects", { file: Readable.from([{ not: "bytes" }]), fileName: "a.obj" }, "the file stream yielded something other than bytes or text"],
    ["a relative URL", { fileUrl: "models/a.obj" }, "fileUrl must be an absolute URL"],
    ["a file: URL", { fileUrl: "file:///etc/passwd" }, "fileUrl must be an http(s) URL"],
  ])("%s", async (_name, input, message) => {
    const before = api.requests.length;
    const failure = await uploadItem(client(), input as ItemUploadInput).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(InvalidUploadError);
    expect(failure).toMatchObject({ code: "MKP_INVALID_UPLOAD", message });
    expect(api.requests.length).toBe(before);
  });
});
