// The whole loop a user of the API goes through, over 127.0.0.1: upload a real OBJ file to the sandbox, start a fix with
// a callback_url on a local server, wait for it, receive the callback, list, delete — with the
// published @mkp/client against the published @mkp/mock-server (both through their built dist).
import { createReadStream, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createClient, NotFoundError, parseFixCallback, PermissionDeniedError, unwrap, uploadItem, waitForFix, type Fix } from "@mkp/client";
import { DEFAULT_RESPONSE_TYPE, GRANT_TYPE, OPERATIONS } from "@mkp/client/internal";
import { startMockServer, type MockServer } from "@mkp/mock-server";
import { type RecordingServer, startRecordingServer } from "@mkp/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const CUBE_PATH = fileURLToPath(new URL("./fixtures/cube.obj", import.meta.url));
const CUBE = readFileSync(CUBE_PATH);

let clock: { t: number };
let sandbox: MockServer;
let receiver: RecordingServer;
// Where the fix callbacks are sent: a local server that records them.
const callbackUrl = () => `${receiver.url}/makeprintable/fix-done`;

beforeEach(async () => {
  clock = { t: Date.UTC(2026, 10, 29, 9, 0, 0) };
  sandbox = await startMockServer({ now: () => clock.t, strict: true, logError: () => undefined });
  receiver = await startRecordingServer((_request, response) => void response.end("ok"));
});
afterEach(async () => {
  await Promise.all([sandbox.close(), receiver.close()]);
});

/** waitForFix's pauses move the sandbox's clock instead of waiting. */
const onSandboxClock = {
  sleep: async (ms: number) => {
    clock.t += ms;
  },
  now: () => clock.t,
};

describe("the whole loop against @mkp/mock-server", () => {
  it("uploads an OBJ, repairs it, gets the callback, lists and deletes", async () => {
    const client = createClient({ apiKey: sandbox.demo.apiKey, baseUrl: sandbox.apiUrl });

    // 1. upload a real OBJ file from a Node stream
    const item = await unwrap(uploadItem(client, { file: createReadStream(CUBE_PATH), fileName: "cube.obj" }));
    expect(item).toMatchObject({ file_name: "cube", file_ext: "obj", status: 1 });
    expect(item.created_at).toBe(Math.floor(clock.t / 1000));

    // 2. start a fix with a callback_url on our local server
    const started = await unwrap(
      client.POST("/fixes", { body: { item_id: item.id, name: "cube repaired", callback_url: callbackUrl(), print_quality: "high" } }),
    );
    expect(started).toMatchObject({ item_id: item.id, status: "queued", progress: 0 });
    const fixId = started.id;
    if (fixId === undefined) throw new Error("the sandbox returned a fix without an id");

    // 3. wait for it (the sandbox's clock moves with every pause)
    const seen: Fix[] = [];
    const done = await waitForFix(client, fixId, {
      ...onSandboxClock,
      isDone: (fix) => {
        seen.push(fix);
        return fix.status === "done";
      },
    });
    expect(done).toMatchObject({ id: fixId, item_id: item.id, status: "done", progress: 100 });
    expect(seen.map((fix) => fix.status)).toContain("processing");
    // the repaired model is downloadable (the sandbox serves the uploaded bytes)
    const download = await fetch(String(done.download_url));
    expect(Buffer.from(await download.arrayBuffer()).equals(CUBE)).toBe(true);

    // 4. the callback arrives at the local server, form-encoded, and parses to the same fix
    await sandbox.flushCallbacks();
    expect(receiver.requests).toHaveLength(1);
    const [callback] = receiver.requests;
    expect(callback).toMatchObject({ method: "POST", url: "/makeprintable/fix-done" });
    expect(callback!.headers["content-type"]).toMatch(/^application\/x-www-form-urlencoded/);
    expect(parseFixCallback(callback!.body)).toEqual(done);
    expect(sandbox.callbacks).toEqual([expect.objectContaining({ fixId, url: callbackUrl(), status: 200 })]);

    // 5. list
    const items = await unwrap(client.GET("/items", { params: { query: { page: 1, pageSize: 20 } } }));
    expect(items).toEqual([item]);
    const fixes = await unwrap(client.GET("/fixes"));
    expect(fixes).toEqual([done]);

    // 6. delete, and the item is gone
    await unwrap(client.DELETE("/items/{id}", { params: { path: { id: item.id } } }));
    await expect(unwrap(client.GET("/items/{id}", { params: { path: { id: item.id } } }))).rejects.toBeInstanceOf(NotFoundError);
    expect(await unwrap(client.GET("/items"))).toEqual([]);

    expect(sandbox.specViolations).toEqual([]);
  });

  it("uploads by fileurl from a loopback server the sandbox was told to fetch from", async () => {
    const files = await startRecordingServer((_request, response) => void response.end(CUBE));
    const origin = files.url;
    const fetching = await startMockServer({ fileUrlOrigins: [origin], strict: true, logError: () => undefined });
    try {
      const fileUrl = `${origin}/models/box_longline.obj`;
      const client = createClient({ apiKey: fetching.demo.apiKey, baseUrl: fetching.apiUrl });
      const item = await unwrap(uploadItem(client, { fileUrl }));
      expect(item).toMatchObject({ file_name: "box_longline", file_ext: "obj" });
      expect(fetching.fileUrls).toEqual([expect.objectContaining({ itemId: item.id, url: fileUrl, downloaded: true })]);
    } finally {
      await fetching.close();
      await files.close();
    }
  });

  it("maps the sandbox's error responses to typed errors", async () => {
    const client = createClient({ apiKey: sandbox.demo.apiKey, baseUrl: sandbox.apiUrl });
    await expect(unwrap(client.GET("/fixes/{id}", { params: { path: { id: 4242 } } }))).rejects.toBeInstanceOf(NotFoundError);
    const wrongKey = createClient({ apiKey: "not-the-key", baseUrl: sandbox.apiUrl });
    const failure = await unwrap(wrongKey.GET("/items")).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: "MKP_AUTHENTICATION", status: 401 });
    expect(JSON.stringify(failure)).not.toContain("not-the-key");
  });

  it("a token with only the scope of POST /fixes may not upload: PermissionDeniedError", async () => {
    const sandboxApproving = await startMockServer({ autoApprove: true, now: () => clock.t, strict: true, logError: () => undefined });
    try {
      const { clientId, clientSecret } = sandboxApproving.demo;
      const redirectUri = "http://127.0.0.1/callback";
      const authorize = new URL(sandboxApproving.authorizeUrl);
      authorize.search = new URLSearchParams({
        response_type: DEFAULT_RESPONSE_TYPE,
        client_id: clientId,
        redirect_uri: redirectUri,
        scope: OPERATIONS.createFix.scopes.join(" "),
        state: "s1",
      }).toString();
      const redirect = await fetch(authorize, { redirect: "manual" });
      const code = new URL(String(redirect.headers.get("location"))).searchParams.get("code");
      expect(code).toBeTruthy();
      const anonymous = createClient({ baseUrl: sandboxApproving.apiUrl });
      const token = await unwrap(
        anonymous.POST("/token", {
          body: { client_id: clientId, client_secret: clientSecret, redirect_uri: redirectUri, grant_type: GRANT_TYPE, code: String(code) },
        }),
      );
      const asUser = createClient({ accessToken: token.access_token, baseUrl: sandboxApproving.apiUrl });
      const denied = await unwrap(uploadItem(asUser, { file: CUBE, fileName: "cube.obj" })).catch((error: unknown) => error);
      expect(denied).toBeInstanceOf(PermissionDeniedError);
      expect((denied as PermissionDeniedError).headers?.get("www-authenticate")).toContain('error="insufficient_scope"');
      expect(JSON.stringify(denied)).not.toContain(token.access_token);
    } finally {
      await sandboxApproving.close();
    }
  });
});
