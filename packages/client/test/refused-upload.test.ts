import { openAsBlob } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { listenOnLoopback, type LoopbackServer } from "@mkp/testing";
import { createClient, uploadItem } from "../src/index.js";

// A server that refuses a body by its declared size, as the sandbox and most servers do: it answers
// 413 at once and closes the connection, so the client's next writes fail (EPIPE) while the
// answer is already waiting on its socket.
let api: LoopbackServer;
let folder: string;
beforeAll(async () => {
  const server = createServer((request, response) => {
    response.writeHead(413, { "content-type": "application/json", connection: "close" });
    response.end(JSON.stringify({ error: "invalid_request", error_description: "The body is larger than 10485760 bytes." }));
    request.resume();
  });
  api = await listenOnLoopback(server);
  folder = await mkdtemp(join(tmpdir(), "mkp-refused-"));
});
afterAll(async () => {
  await api.close();
  await rm(folder, { recursive: true, force: true });
});

it("reports the server's 413 for an upload it refused, every time (not the failed write)", async () => {
  // A file read from disk as it is sent, as `mkp repair` uploads it.
  const path = join(folder, "big.stl");
  await writeFile(path, new Uint8Array(20 * 1024 * 1024));
  const client = createClient({ apiKey: "12345weLove3DPrinting", baseUrl: `${api.url}/v1` });
  const outcomes: string[] = [];
  for (let run = 0; run < 20; run++) {
    const outcome = await uploadItem(client, { file: await openAsBlob(path), fileName: "big.stl" }).then(
      ({ response }) => String(response.status),
      (error: unknown) => String(error),
    );
    outcomes.push(outcome);
  }
  expect(outcomes).toEqual(Array(20).fill("413"));
}, 120_000);
