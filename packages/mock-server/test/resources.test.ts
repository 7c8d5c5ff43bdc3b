import { startRecordingServer } from "@mkp/testing";
import { describe, expect, test } from "vitest";
import type { MockServer } from "../src/index.js";
import { exchangeFields, expectStatus, getCode, manualClock, postToken, startTestServer } from "./helpers.js";

const OBJ = `# a 1 mm cube
v 0 0 0
v 1 0 0
v 1 1 0
v 0 1 0
v 0 0 1
v 1 0 1
v 1 1 1
v 0 1 1
f 1 2 3 4
f 5 8 7 6
f 1 5 6 2
f 2 6 7 3
f 3 7 8 4
f 5 1 4 8
`;

const START = Date.UTC(2026, 0, 1);

function upload(server: MockServer, form: FormData, headers: Record<string, string> = { key: server.demo.apiKey }) {
  return fetch(`${server.apiUrl}/items`, { method: "POST", headers, body: form });
}

function objForm(name = "box_longline.obj", content: string | Uint8Array<ArrayBuffer> = OBJ): FormData {
  const form = new FormData();
  form.append("file", new Blob([content]), name);
  return form;
}

function api(server: MockServer, path: string, init: RequestInit & { headers?: Record<string, string> } = {}) {
  return fetch(`${server.apiUrl}${path}`, { ...init, headers: { key: server.demo.apiKey, ...init.headers } });
}

function startFix(server: MockServer, fields: Record<string, string>, headers: Record<string, string> = { key: server.demo.apiKey }) {
  return fetch(`${server.apiUrl}/fixes`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: new URLSearchParams(fields),
  });
}

/** A local HTTP server (@mkp/testing's recording server) that answers with `respond`; `received` as this file reads it. */
async function localReceiver(
  respond: (path: string) => { status: number; body?: string | Uint8Array; headers?: Record<string, string> } = () => ({ status: 200 }),
) {
  const server = await startRecordingServer((request, response) => {
    const answer = respond(request.url);
    response.writeHead(answer.status, answer.headers).end(answer.body);
  });
  return {
    origin: server.url,
    get received() {
      return server.requests.map((request) => ({
        method: request.method,
        path: request.url,
        contentType: request.headers["content-type"],
        body: request.body,
      }));
    },
    /** Resolves once a request has arrived. */
    next: () => server.received(1).then(() => undefined),
    close: server.close,
  };
}

async function tokenFor(server: MockServer, scope?: string): Promise<string> {
  const { code } = await getCode(server, scope === undefined ? {} : { scope });
  return String((await postToken(server, exchangeFields(server, code))).json?.["access_token"]);
}

describe("items", () => {
  test("an uploaded OBJ becomes an item like the published example, readable, listed and deletable", async () => {
    const clock = manualClock(START);
    const server = await startTestServer({ now: clock.now });
    const created = await upload(server, objForm());
    expect(created.status).toBe(201);
    const item = { user_id: 8, file_name: "box_longline", file_ext: "obj", status: 1, created_at: START / 1000, updated_at: START / 1000, id: 1 };
    expect(await created.json()).toEqual(item);

    expect(await (await api(server, "/items/1")).json()).toEqual(item);
    expect(await (await api(server, "/items")).json()).toEqual([item]);

    const deleted = await api(server, "/items/1", { method: "DELETE" });
    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe("");
    expect((await api(server, "/items/1")).status).toBe(404);
    expect((await api(server, "/items/1", { method: "DELETE" })).status).toBe(404);
    expect(await (await api(server, "/items")).json()).toEqual([]);
  });

  test("the name and extension come from the file name; a zip that is a zip is accepted", async () => {
    const server = await startTestServer();
    expect(await (await upload(server, objForm("C:\\models\\Part.v2.STL"))).json()).toMatchObject({ file_name: "Part.v2", file_ext: "stl" });
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0]);
    expect(await (await upload(server, objForm("models.zip", zip))).json()).toMatchObject({ file_name: "models", file_ext: "zip" });
  });

  test("GET /items pages with page and pageSize and returns a bare array", async () => {
    const server = await startTestServer();
    for (const name of ["a.obj", "b.obj", "c.obj"]) expect((await upload(server, objForm(name))).status).toBe(201);
    const page = async (query: string) => ((await (await api(server, `/items?${query}`)).json()) as Array<{ file_name: string }>).map((item) => item.file_name);
    expect(await page("")).toEqual(["a", "b", "c"]);
    expect(await page("page=1&pageSize=2")).toEqual(["a", "b"]);
    expect(await page("page=2&pageSize=2")).toEqual(["c"]);
    expect(await page("page=3&pageSize=2")).toEqual([]);
    for (const bad of ["page=0", "pageSize=0", "page=abc", "pageSize=1.5", "page=1&page=2"]) {
      const response = await api(server, `/items?${bad}`);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: string }).error).toBe("invalid_request");
    }
  });

  test.each([
    ["no extension", () => objForm("box"), "The file's name needs a name and an extension, such as box.obj."],
    ["an empty file", () => objForm("box.obj", ""), "The file is empty."],
    ["a .zip that is not a zip", () => objForm("box.zip"), "The .zip file is not a zip archive."],
    [
      "both file and fileurl",
      () => {
        const form = objForm();
        form.append("fileurl", "https://example.com/box.obj");
        return form;
      },
      "Give exactly one of file and fileurl: (root) must match exactly one schema in oneOf.",
    ],
    [
      "neither",
      () => {
        const form = new FormData();
        form.append("name", "box");
        return form;
      },
      "Give exactly one of file and fileurl",
    ],
    [
      "file as a text field",
      () => {
        const form = new FormData();
        form.append("file", "v 0 0 0");
        return form;
      },
      "file must be a file part (with a filename), not a text field.",
    ],
    [
      "a repeated file",
      () => {
        const form = objForm();
        form.append("file", new Blob([OBJ]), "again.obj");
        return form;
      },
      "The field file is repeated.",
    ],
  ])("an upload with %s is a 400", async (_name, form, message) => {
    const server = await startTestServer();
    const response = await upload(server, form());
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error_description: string }).error_description).toContain(message);
    expect(await (await api(server, "/items")).json()).toEqual([]);
  });

  test("a body that is not multipart, or a broken multipart body, is a 400", async () => {
    const server = await startTestServer();
    const json = await api(server, "/items", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ fileurl: "https://example.com/a.obj" }),
    });
    expect(json.status).toBe(400);
    const broken = await api(server, "/items", {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=zzz" },
      body: '--zzz\r\nContent-Disposition: form-data; name="file"\r\n\r\nno end',
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({ error: "invalid_request", error_description: "The multipart body is malformed." });
  });

  test("an upload over the size limit is a 413", async () => {
    const server = await startTestServer({ maxUploadBytes: 1024 });
    const response = await upload(server, objForm("big.obj", "v 0 0 0\n".repeat(200)));
    expect(response.status).toBe(413);
    expect((await upload(server, objForm("small.obj", "v 0 0 0\n"))).status).toBe(201);
  });

  test("a fileurl on a listed loopback origin is really downloaded", async () => {
    const origin = await localReceiver((path) => (path === "/models/box.obj" ? { status: 200, body: OBJ } : { status: 404 }));
    try {
      const server = await startTestServer({ fileUrlOrigins: [origin.origin] });
      const form = new FormData();
      form.append("fileurl", `${origin.origin}/models/box.obj`);
      const response = await upload(server, form);
      expect(response.status).toBe(201);
      expect(await response.json()).toMatchObject({ file_name: "box", file_ext: "obj", id: 1 });
      expect(origin.received.map((request) => `${request.method} ${request.path}`)).toEqual(["GET /models/box.obj"]);
      expect(server.fileUrls).toEqual([{ itemId: 1, url: `${origin.origin}/models/box.obj`, downloaded: true }]);

      const missing = new FormData();
      missing.append("fileurl", `${origin.origin}/models/gone.obj`);
      const failed = await upload(server, missing);
      expect(failed.status).toBe(400);
      expect(await failed.json()).toEqual({ error: "invalid_request", error_description: "Downloading fileurl failed with HTTP 404." });
    } finally {
      await origin.close();
    }
  });

  test("a listed fileurl that redirects is not followed", async () => {
    const origin = await localReceiver(() => ({ status: 302, headers: { location: "https://example.com/box.obj" } }));
    try {
      const server = await startTestServer({ fileUrlOrigins: [origin.origin] });
      const form = new FormData();
      form.append("fileurl", `${origin.origin}/box.obj`);
      const response = await upload(server, form);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ error: "invalid_request", error_description: "Downloading fileurl failed." });
    } finally {
      await origin.close();
    }
  });

  test("any other fileurl is recorded, never fetched", async () => {
    const server = await startTestServer();
    const form = new FormData();
    form.append("fileurl", "https://example.com/models/box_longline.obj");
    const response = await upload(server, form);
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ file_name: "box_longline", file_ext: "obj" });
    expect(server.fileUrls).toEqual([{ itemId: 1, url: "https://example.com/models/box_longline.obj", downloaded: false }]);
    for (const bad of ["ftp://example.com/a.obj", "https://example.com/models/"]) {
      const other = new FormData();
      other.append("fileurl", bad);
      expect((await upload(server, other)).status).toBe(400);
    }
  });

  test("each account sees only its own items", async () => {
    const server = await startTestServer({ apiKeys: ["key-of-eight", "key-of-nine"] });
    const created = await upload(server, objForm(), { key: "key-of-eight" });
    expect(await created.json()).toMatchObject({ user_id: 8, id: 1 });
    const nine = { key: "key-of-nine" };
    expect(await (await api(server, "/items", { headers: nine })).json()).toEqual([]);
    expect((await api(server, "/items/1", { headers: nine })).status).toBe(404);
    expect((await api(server, "/items/1", { method: "DELETE", headers: nine })).status).toBe(404);
    const fix = await startFix(server, { item_id: "1" }, nine);
    expect(fix.status).toBe(400);
    expect(await fix.json()).toEqual({ error: "invalid_request", error_description: "There is no item 1 in your account." });
    expect((await api(server, "/items/1", { headers: { key: "key-of-eight" } })).status).toBe(200);
  });

  test("Accept: application/xml gives an item and a list as XML", async () => {
    const clock = manualClock(START);
    const server = await startTestServer({ now: clock.now });
    await expectStatus(upload(server, objForm("a&b.obj")), 201);
    const one = await api(server, "/items/1", { headers: { accept: "application/xml" } });
    expect(one.headers.get("content-type")).toBe("application/xml; charset=utf-8");
    const itemXml = `<Item><user_id>8</user_id><file_name>a&#38;b</file_name><file_ext>obj</file_ext><status>1</status><created_at>${START / 1000}</created_at><updated_at>${START / 1000}</updated_at><id>1</id></Item>`;
    expect(await one.text()).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n${itemXml}\n`);
    const list = await api(server, "/items", { headers: { accept: "application/json;q=0.5, application/xml" } });
    expect(await list.text()).toBe(`<?xml version="1.0" encoding="UTF-8"?>\n<ItemList>${itemXml}</ItemList>\n`);
    const json = await api(server, "/items", { headers: { accept: "application/xml;q=0.5, application/json" } });
    expect(json.headers.get("content-type")).toBe("application/json; charset=utf-8");
  });
});

describe("fixes", () => {
  test("a fix goes queued → processing → done on the injected clock, then calls back with the GET /fixes/{id} body", async () => {
    const clock = manualClock(START);
    const server = await startTestServer({ now: clock.now });
    const receiver = await localReceiver();
    try {
      await expectStatus(upload(server, objForm()), 201);
      const created = await expectStatus(
        startFix(server, {
          item_id: "1",
          name: "box repaired",
          callback_url: `${receiver.origin}/makeprintable/fix-done`,
          print_quality: "high",
          pre_optimize: "10",
          post_optimize: "99",
          secure: "1",
          wall_thickness: "1.5",
        }),
        201,
      );
      expect(created.status).toBe(201);
      expect(await created.json()).toEqual({ id: 1, item_id: 1, status: "queued", progress: 0 });

      const fix = async () => (await (await api(server, "/fixes/1")).json()) as Record<string, unknown>;
      clock.advance(999);
      expect(await fix()).toEqual({ id: 1, item_id: 1, status: "queued", progress: 0 });
      clock.advance(1);
      expect(await fix()).toEqual({ id: 1, item_id: 1, status: "processing", progress: 0 });
      clock.advance(2500);
      expect(await fix()).toEqual({ id: 1, item_id: 1, status: "processing", progress: 50 });
      clock.advance(2499);
      expect(await fix()).toEqual({ id: 1, item_id: 1, status: "processing", progress: 99 });
      expect(await server.flushCallbacks()).toEqual([]);
      expect(receiver.received).toEqual([]);

      clock.advance(1);
      const deliveries = await server.flushCallbacks();
      const done = await fix();
      expect(done).toMatchObject({ id: 1, item_id: 1, status: "done", progress: 100 });
      expect(done["download_url"]).toMatch(new RegExp(`^${server.url}/downloads/[A-Za-z0-9_-]{43}/box_longline\\.obj$`));
      const expectedBody = Object.fromEntries(Object.entries(done).map(([name, value]) => [name, String(value)]));
      expect(deliveries).toEqual([{ fixId: 1, url: `${receiver.origin}/makeprintable/fix-done`, body: expectedBody, status: 200, error: undefined }]);
      expect(receiver.received).toHaveLength(1);
      expect(receiver.received[0]?.method).toBe("POST");
      expect(receiver.received[0]?.path).toBe("/makeprintable/fix-done");
      expect(receiver.received[0]?.contentType).toBe("application/x-www-form-urlencoded");
      expect(Object.fromEntries(new URLSearchParams(receiver.received[0]?.body))).toEqual(expectedBody);

      // Exactly once.
      clock.advance(60_000);
      await api(server, "/fixes/1");
      expect(await server.flushCallbacks()).toEqual([]);
      expect(server.callbacks).toHaveLength(1);
      expect(receiver.received).toHaveLength(1);

      // The download link serves the repaired file (the sandbox's "repair" returns the upload).
      const download = await fetch(String(done["download_url"]));
      expect(download.status).toBe(200);
      expect(download.headers.get("content-disposition")).toBe("attachment; filename=\"box_longline.obj\"; filename*=UTF-8''box_longline.obj");
      expect(await download.text()).toBe(OBJ);
    } finally {
      await receiver.close();
    }
  });

  test("a request after the done time sends the callback without flushCallbacks", async () => {
    const clock = manualClock(START);
    const server = await startTestServer({ now: clock.now, fixTiming: { queuedMs: 0, processingMs: 10 } });
    const receiver = await localReceiver();
    try {
      await expectStatus(upload(server, objForm()), 201);
      await expectStatus(startFix(server, { item_id: "1", callback_url: `${receiver.origin}/done` }), 201);
      clock.advance(10);
      await api(server, "/fixes");
      await receiver.next();
      expect(Object.fromEntries(new URLSearchParams(receiver.received[0]?.body))).toMatchObject({ id: "1", status: "done", progress: "100" });
    } finally {
      await receiver.close();
    }
  });

  test("with the real clock the callback fires on its own timer", async () => {
    const server = await startTestServer({ fixTiming: { queuedMs: 0, processingMs: 0 } });
    const receiver = await localReceiver();
    try {
      await expectStatus(upload(server, objForm()), 201);
      await expectStatus(startFix(server, { item_id: "1", callback_url: `${receiver.origin}/done` }), 201);
      await receiver.next();
      expect(receiver.received).toHaveLength(1);
    } finally {
      await receiver.close();
    }
  });

  test("a failing receiver is recorded, not retried, and does not break the sandbox", async () => {
    const clock = manualClock(START);
    const server = await startTestServer({ now: clock.now });
    const receiver = await localReceiver(() => ({ status: 500 }));
    await receiver.close();
    await expectStatus(upload(server, objForm()), 201);
    await expectStatus(startFix(server, { item_id: "1", callback_url: `${receiver.origin}/done` }), 201);
    clock.advance(6000);
    const [delivery] = await server.flushCallbacks();
    expect(delivery?.status).toBeUndefined();
    expect(delivery?.error).toBe("fetch failed");
    expect((await api(server, "/fixes/1")).status).toBe(200);
  });

  test.each([
    [
      "a callback_url off this machine",
      { item_id: "1", callback_url: "https://example.com/hook" },
      "The sandbox only calls back loopback addresses (127.0.0.1, localhost, [::1]).",
    ],
    ["no item_id", { name: "x" }, "(root) must have required property 'item_id'"],
    ["a print_quality the spec does not list", { item_id: "1", print_quality: "ultra" }, "/print_quality must be equal to one of the allowed values"],
    ["pre_optimize above 99", { item_id: "1", pre_optimize: "100" }, "/pre_optimize must be <= 99"],
    ["secure other than 0 or 1", { item_id: "1", secure: "2" }, "/secure must be equal to one of the allowed values"],
    ["a wall_thickness of 0", { item_id: "1", wall_thickness: "0" }, "/wall_thickness must be > 0"],
    ["an unknown field", { item_id: "1", colour: "red" }, "must NOT have additional properties (colour)"],
    ["an item_id that is not a number", { item_id: "box" }, "/item_id must be integer"],
  ])("POST /fixes with %s is a 400", async (_name, fields, message) => {
    const server = await startTestServer();
    await expectStatus(upload(server, objForm()), 201);
    const response = await startFix(server, fields);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error_description: string }).error_description).toContain(message);
    expect(await (await api(server, "/fixes")).json()).toEqual([]);
  });

  test("POST /fixes takes a form body only, without repeated fields", async () => {
    const server = await startTestServer();
    await expectStatus(upload(server, objForm()), 201);
    const json = await api(server, "/fixes", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ item_id: 1 }) });
    expect(await json.json()).toEqual({ error: "invalid_request", error_description: "The body must be application/x-www-form-urlencoded." });
    const repeated = await api(server, "/fixes", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "item_id=1&item_id=1",
    });
    expect(await repeated.json()).toEqual({ error: "invalid_request", error_description: "The parameter item_id is repeated." });
  });

  test("GET /fixes lists the account's fixes only; another account's fix is 404", async () => {
    const server = await startTestServer({ apiKeys: ["key-of-eight", "key-of-nine"] });
    await expectStatus(upload(server, objForm(), { key: "key-of-eight" }), 201);
    await expectStatus(startFix(server, { item_id: "1" }, { key: "key-of-eight" }), 201);
    expect(await (await api(server, "/fixes", { headers: { key: "key-of-eight" } })).json()).toEqual([{ id: 1, item_id: 1, status: "queued", progress: 0 }]);
    expect(await (await api(server, "/fixes", { headers: { key: "key-of-nine" } })).json()).toEqual([]);
    expect((await api(server, "/fixes/1", { headers: { key: "key-of-nine" } })).status).toBe(404);
    const xml = await api(server, "/fixes", { headers: { key: "key-of-eight", accept: "application/xml" } });
    expect(await xml.text()).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<FixList><Fix><id>1</id><item_id>1</item_id><status>queued</status><progress>0</progress></Fix></FixList>\n',
    );
  });
});

describe("scopes", () => {
  test("a token with scopes reaches only the operations they cover; 403 insufficient_scope names the scope", async () => {
    const server = await startTestServer();
    const fixOnly = await tokenFor(server, "fix");
    const denied = await upload(server, objForm(), { authorization: `Bearer ${fixOnly}` });
    expect(denied.status).toBe(403);
    expect(denied.headers.get("www-authenticate")).toBe('Bearer error="insufficient_scope", scope="add_file"');
    expect(await denied.json()).toEqual({ error: "insufficient_scope", error_description: "This operation needs the add_file scope." });

    // The token acts for the consent page's user, who owns the demo key's account: same items.
    expect((await upload(server, objForm())).status).toBe(201);
    expect((await startFix(server, { item_id: "1" }, { authorization: `Bearer ${fixOnly}` })).status).toBe(201);
    expect((await api(server, "/items", { headers: { key: "", authorization: `Bearer ${fixOnly}` } })).status).toBe(200);

    const addFileOnly = await tokenFor(server, "add_file");
    expect((await upload(server, objForm(), { authorization: `Bearer ${addFileOnly}` })).status).toBe(201);
    const noFix = await startFix(server, { item_id: "1" }, { authorization: `Bearer ${addFileOnly}` });
    expect(noFix.status).toBe(403);
    expect(noFix.headers.get("www-authenticate")).toBe('Bearer error="insufficient_scope", scope="fix"');
  });

  test("a token without scopes and the API key reach everything", async () => {
    const server = await startTestServer();
    const unscoped = await tokenFor(server);
    expect((await upload(server, objForm(), { authorization: `Bearer ${unscoped}` })).status).toBe(201);
    expect((await startFix(server, { item_id: "1" }, { authorization: `Bearer ${unscoped}` })).status).toBe(201);
    expect((await upload(server, objForm())).status).toBe(201);
    expect((await startFix(server, { item_id: "2" })).status).toBe(201);
  });
});
