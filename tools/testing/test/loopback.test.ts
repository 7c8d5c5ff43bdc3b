import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { freePort, json, listenOnLoopback, startRecordingServer } from "../src/index.js";

describe("startRecordingServer", () => {
  it("records method, target, headers and the whole body, and answers with the handler", async () => {
    const server = await startRecordingServer((request, response, index) => json(response, 201, { index, echoed: request.body }));
    try {
      const response = await fetch(`${server.url}/v1/items?x=1`, { method: "POST", body: "a=1&b=é", headers: { "x-test": "yes" } });
      expect(response.status).toBe(201);
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(await response.json()).toEqual({ index: 0, echoed: "a=1&b=é" });
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]).toMatchObject({ method: "POST", url: "/v1/items?x=1", body: "a=1&b=é", headers: { "x-test": "yes" } });
      expect(server.requests[0]!.bytes).toEqual(Buffer.from("a=1&b=é"));
      expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    } finally {
      await server.close();
    }
  });

  it("says when a number of requests have arrived", async () => {
    const server = await startRecordingServer(() => undefined); // never answers
    try {
      const two = server.received(2);
      const first = fetch(`${server.url}/one`).catch(() => undefined);
      expect((await server.received(1)).map((request) => request.url)).toEqual(["/one"]);
      const second = fetch(`${server.url}/two`).catch(() => undefined);
      expect((await two).map((request) => request.url)).toEqual(["/one", "/two"]);
      await server.close();
      await Promise.all([first, second]);
    } finally {
      await server.close();
    }
  });

  it("answers 599 with the error when the handler throws", async () => {
    const server = await startRecordingServer(() => {
      throw new Error("handler broke");
    });
    try {
      const response = await fetch(server.url);
      expect(response.status).toBe(599);
      expect(await response.text()).toBe("Error: handler broke");
    } finally {
      await server.close();
    }
  });

  it("closes even with a kept-alive connection open", async () => {
    const server = await startRecordingServer();
    expect((await fetch(server.url)).status).toBe(204);
    await server.close();
    await expect(fetch(server.url)).rejects.toThrow();
  });
});

describe("listenOnLoopback and freePort", () => {
  it("listens on 127.0.0.1 and the free port can be listened on", async () => {
    const server = await listenOnLoopback(createServer((_request, response) => response.end("hi")));
    try {
      expect(await (await fetch(server.url)).text()).toBe("hi");
    } finally {
      await server.close();
    }
    const port = await freePort();
    const again = createServer();
    await new Promise<void>((resolve) => again.listen(port, "127.0.0.1", resolve));
    await new Promise((resolve) => again.close(resolve));
  });
});
