/**
 * Real HTTP servers on 127.0.0.1 for tests, written once: a server that records every request and
 * answers with the test's handler, the listen/close dance for a server a test builds itself, and a
 * free port. Every package's tests use these instead of their own `createServer` scaffolding.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the server saw of one request. */
export interface SeenRequest {
  method: string;
  /** The request target as sent (path and query). */
  url: string;
  headers: IncomingHttpHeaders;
  /** The body as UTF-8 text. */
  body: string;
  /** The body's bytes (multipart uploads, binary files). */
  bytes: Buffer;
}

/** Answers one request; `index` counts the requests seen so far, from 0. */
export type RequestHandler = (request: SeenRequest, response: ServerResponse, index: number) => void | Promise<void>;

/** A server listening on 127.0.0.1, port chosen by the system. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  port: number;
  /** Stops listening and drops kept-alive connections (a browser's or undici's), so it never hangs. */
  close(): Promise<void>;
}

/** A {@link LoopbackServer} that keeps every request it answered, in order. */
export interface RecordingServer extends LoopbackServer {
  requests: SeenRequest[];
  /**
   * Resolves with {@link requests} once `count` of them have arrived (bodies read, handler called):
   * a test waits on this instead of polling, e.g. before it moves fake timers past a timeout.
   */
  received(count: number): Promise<SeenRequest[]>;
}

/** Starts `server` on 127.0.0.1 (port 0) and resolves once it listens. */
export async function listenOnLoopback(server: Server): Promise<LoopbackServer> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * A server on 127.0.0.1 that reads each request's whole body, records it, and answers with
 * `handle` (default: 204). A handler that throws answers 599 with the error, so the test sees it.
 */
export async function startRecordingServer(handle: RequestHandler = (_request, response) => void response.writeHead(204).end()): Promise<RecordingServer> {
  const requests: SeenRequest[] = [];
  const waiting: Array<{ count: number; resolve: (requests: SeenRequest[]) => void }> = [];
  const received = (count: number) =>
    requests.length >= count ? Promise.resolve(requests) : new Promise<SeenRequest[]>((resolve) => waiting.push({ count, resolve }));
  const server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const seen: SeenRequest = { method: incoming.method ?? "", url: incoming.url ?? "", headers: incoming.headers, body: bytes.toString("utf8"), bytes };
    requests.push(seen);
    try {
      await handle(seen, response, requests.length - 1);
    } catch (error) {
      if (!response.headersSent) response.writeHead(599);
      response.end(String(error));
    }
    for (const waiter of waiting.filter((entry) => requests.length >= entry.count)) {
      waiting.splice(waiting.indexOf(waiter), 1);
      waiter.resolve(requests);
    }
  });
  return { ...(await listenOnLoopback(server)), requests, received };
}

/** Answers with a JSON body (`cache-control: no-store`, as token responses must be), plus `headers`. */
export function json(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...headers });
  response.end(JSON.stringify(body));
}

/** A port of 127.0.0.1 that was free a moment ago (for a program that must be told its port). */
export async function freePort(): Promise<number> {
  const probe = await listenOnLoopback(createServer());
  await probe.close();
  return probe.port;
}
