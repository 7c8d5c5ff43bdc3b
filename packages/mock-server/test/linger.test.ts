import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, test, vi } from "vitest";
import { LINGER } from "../src/linger.js";
import type { MockServer } from "../src/index.js";
import { startTestServer } from "./helpers.js";

/** What one raw connection to the sandbox saw: the bytes received and how it ended. */
interface Connection {
  readonly socket: Socket;
  /** Everything received so far, as text. */
  received(): string;
  /** Resolves once `text` has been received (or rejects when the connection ends first). */
  waitFor(text: string | RegExp): Promise<void>;
  /** Resolves when the sandbox half-closed its side (`end`) or the connection failed, with what happened. */
  readonly ended: Promise<string>;
}

async function open(server: MockServer): Promise<Connection> {
  const url = new URL(server.url);
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let text = "";
  const waiting = new Set<() => void>();
  socket.on("data", (chunk: Buffer) => {
    text += chunk.toString("latin1");
    for (const check of waiting) check();
  });
  const ended = new Promise<string>((resolve) => {
    socket.once("end", () => resolve("end"));
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
  return {
    socket,
    received: () => text,
    ended,
    waitFor: (wanted) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (typeof wanted === "string" ? text.includes(wanted) : wanted.test(text)) {
            waiting.delete(check);
            resolve();
          }
        };
        waiting.add(check);
        void ended.then((how) => reject(new Error(`the connection ended (${how}) after: ${text.slice(0, 300)}`)));
        check();
      }),
  };
}

function write(socket: Socket, data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => socket.write(data, (error) => (error ? reject(error) : resolve())));
}

/** The head of an upload of `length` bytes, refused by its declared size before any of it is read. */
function uploadHead(server: MockServer, length: number): string {
  const host = new URL(server.url).host;
  return `POST /v1/items HTTP/1.1\r\nHost: ${host}\r\nKey: ${server.demo.apiKey}\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: ${length}\r\n\r\n`;
}

describe("an answer given before the body is read reaches a client that is still writing (a lingering close)", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  test("a 413: the client writes the rest of its body, then the same connection answers the next request", async () => {
    const server = await startTestServer({ maxUploadBytes: 1000 });
    const connection = await open(server);
    const length = 256 * 1024;
    await write(connection.socket, uploadHead(server, length));
    await write(connection.socket, new Uint8Array(1000));
    await connection.waitFor("The body is larger than 1000 bytes.");
    expect(connection.received()).toMatch(/^HTTP\/1\.1 413 /);
    // Closing here would reset the connection when the next bytes arrive, losing the answer.
    await write(connection.socket, new Uint8Array(length - 1000));
    const host = new URL(server.url).host;
    await write(connection.socket, `GET /v1/items HTTP/1.1\r\nHost: ${host}\r\nKey: ${server.demo.apiKey}\r\n\r\n`);
    await connection.waitFor(/HTTP\/1\.1 200 OK[\s\S]*\r\n\[\]\r\n0\r\n\r\n$/);
    connection.socket.destroy();
  });

  test("a 507 (storage full) answered before the upload is read, likewise", async () => {
    const server = await startTestServer({ maxStoredBytes: 1000 });
    const connection = await open(server);
    const length = 64 * 1024;
    await write(connection.socket, uploadHead(server, length));
    await connection.waitFor('"insufficient_storage"');
    expect(connection.received()).toMatch(/^HTTP\/1\.1 507 /);
    await write(connection.socket, new Uint8Array(length));
    const host = new URL(server.url).host;
    await write(connection.socket, `GET /v1/items HTTP/1.1\r\nHost: ${host}\r\nKey: ${server.demo.apiKey}\r\n\r\n`);
    await connection.waitFor(/HTTP\/1\.1 200 OK/);
    connection.socket.destroy();
  });

  test(`past ${LINGER.bytes} bytes of a refused body the sandbox ends its side: the client reads the 413, then the end, never a reset`, async () => {
    const server = await startTestServer({ maxUploadBytes: 1000 });
    const connection = await open(server);
    await write(connection.socket, uploadHead(server, 4 * LINGER.bytes));
    await connection.waitFor("The body is larger than 1000 bytes.");
    const chunk = new Uint8Array(1024 * 1024);
    let ended: string | undefined;
    void connection.ended.then((how) => {
      ended = how;
    });
    let written = 0;
    while (ended === undefined && written < 2 * LINGER.bytes) {
      await write(connection.socket, chunk);
      written += chunk.length;
    }
    expect(await connection.ended).toBe("end");
    expect(written).toBeGreaterThan(LINGER.bytes);
    expect(connection.received()).toMatch(/^HTTP\/1\.1 413 [\s\S]*The body is larger than 1000 bytes\."\}\r\n0\r\n\r\n$/);
    connection.socket.destroy();
  });

  test(`a client that stops sending mid-body is disconnected ${LINGER.ms} ms after the answer, not before`, async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const server = await startTestServer({ maxUploadBytes: 1000 });
    const connection = await open(server);
    await write(connection.socket, uploadHead(server, 64 * 1024));
    await connection.waitFor("The body is larger than 1000 bytes.");
    let ended: string | undefined;
    void connection.ended.then((how) => {
      ended = how;
    });
    await vi.advanceTimersByTimeAsync(LINGER.ms - 1);
    await write(connection.socket, new Uint8Array(1024));
    expect(ended).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    // Destroyed, not half-closed: a reset is as good an end here.
    expect(await connection.ended).toMatch(/^(end|ECONNRESET)$/);
    connection.socket.destroy();
  });
});
