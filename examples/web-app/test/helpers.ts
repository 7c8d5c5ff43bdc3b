import { request as httpRequest } from "node:http";
import { expect } from "vitest";
import type { RunningApp } from "../src/start.js";

/** Signs a browser in (following the redirects by hand) and returns its session cookie. */
export async function signIn(app: RunningApp): Promise<string> {
  const login = await fetch(`${app.url}/login`, { redirect: "manual" });
  const flow = login.headers.get("set-cookie")!.split(";")[0]!;
  const approved = await fetch(login.headers.get("location")!, { redirect: "manual" });
  const callback = await fetch(approved.headers.get("location")!, { redirect: "manual", headers: { cookie: flow } });
  expect(callback.status).toBe(303);
  return callback.headers
    .getSetCookie()
    .find((cookie) => cookie.startsWith("mkp_session="))!
    .split(";")[0]!;
}

/**
 * POSTs a body of `bytes` spaces to `url`, one 64 KiB chunk per event-loop turn (so an answer that
 * arrives is read before the next write), and stops sending as soon as the answer comes: resolves
 * to its status and how many bytes had been sent by then.
 */
export function postHugeBody(url: string, bytes: number): Promise<{ status: number; sent: number }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: "POST", headers: { "content-type": "application/json", "content-length": String(bytes) } });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    let answered = false;
    request.on("response", (response) => {
      answered = true;
      resolve({ status: response.statusCode ?? 0, sent });
      response.resume();
      request.destroy();
    });
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      if (answered) return;
      if (sent >= bytes) return void request.end();
      sent += chunk.length;
      if (request.write(chunk)) setImmediate(pump);
      else request.once("drain", () => setImmediate(pump));
    };
    pump();
  });
}
