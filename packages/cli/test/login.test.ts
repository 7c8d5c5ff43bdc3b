import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, afterEach, expect, it } from "vitest";
import { readdir } from "node:fs/promises";
import { startMkp, temporaryDirectory } from "./helpers.js";

// A token endpoint whose answers the test chooses: text with terminal controls, or a token.
let server: Server;
let api: string;
let answer: { status: number; body: unknown };
let dir: { path: string; remove(): Promise<void> };

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(answer.status, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  api = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(async () => {
  dir = await temporaryDirectory();
});
afterEach(async () => {
  await dir.remove();
});

/** Runs `mkp login …`, then plays the browser: follows the printed URL's redirect_uri with a code and the state. */
async function login(args: string[] = []) {
  const run = startMkp(["login", ...args], {
    env: {
      MAKEPRINTABLE_BASE_URL: api,
      MAKEPRINTABLE_AUTHORIZE_URL: `${api}/authorize`,
      MAKEPRINTABLE_CLIENT_ID: "demo-app",
      MAKEPRINTABLE_CLIENT_SECRET: "client-secret-0123456789",
      XDG_CONFIG_HOME: join(dir.path, "config"),
    },
  });
  await run.waitFor(/\/authorize\?\S+\n/);
  const url = new URL(/(http:\/\/\S+\/authorize\?\S+)/.exec(run.stderr())![1]!);
  const callback = new URL(url.searchParams.get("redirect_uri")!);
  callback.searchParams.set("code", "code-0123456789");
  callback.searchParams.set("state", url.searchParams.get("state")!);
  await fetch(callback);
  return run.exited;
}

it("strips terminal control characters from what the server says", async () => {
  answer = { status: 400, body: { error: "invalid_grant", error_description: "bad\u001b[2J code\u009b31m\u001b]0;pwned\u0007" } };
  const { code, stdout, stderr } = await login();
  expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
  expect(stderr).toMatch(/^mkp: .*bad\[2J code31m\]0;pwned.*\(MKP_OAUTH_TOKEN_ERROR\)$/m);
  expect(stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  expect(stderr).not.toContain("client-secret-0123456789");
  expect(await readdir(dir.path)).toEqual([]);
});

it("prints the token only with --print-token, alone on stdout, and never the client secret", async () => {
  answer = { status: 200, body: { access_token: "printed-token-0123456789", token_type: "Bearer", expires_in: 3600, scope: "fix\u001b[2J" } };
  const quiet = await login();
  expect(quiet.code).toBe(0);
  expect(quiet.stdout).toMatch(/^Logged in to http:\/\/127\.0\.0\.1:\d+\/v1 with scopes fix\[2J\. The token expires/);
  expect(quiet.stdout + quiet.stderr).not.toContain("printed-token-0123456789");

  const printed = await login(["--print-token"]);
  expect(printed.code).toBe(0);
  expect(printed.stdout).toBe("printed-token-0123456789\n");
  expect(printed.stderr).toMatch(/Logged in to http:\/\/127\.0\.0\.1:\d+\/v1 with scopes fix\[2J\./);
  expect(quiet.stdout + quiet.stderr + printed.stderr).not.toContain("client-secret-0123456789");
});
