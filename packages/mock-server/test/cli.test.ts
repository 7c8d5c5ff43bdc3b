import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

/** Starts `mkp-mock` (from source, through tsx) and collects its output. */
function startCli(args: string[]) {
  const child = spawn(process.execPath, ["--import", "tsx", cli, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    cwd: fileURLToPath(new URL("..", import.meta.url)),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", () => {
      if (stdout.includes("Press Ctrl-C to stop.")) resolve();
    });
    child.once("exit", () => reject(new Error(`mkp-mock exited early: ${stderr}`)));
  });
  // The bad-option test never awaits readiness.
  ready.catch(() => undefined);
  return { child, exited, ready, output: () => stdout, errors: () => stderr };
}

describe("mkp-mock", () => {
  test.each(["SIGINT", "SIGTERM"] as const)("prints the URLs and demo credentials, serves, and stops cleanly on %s", async (signal) => {
    const run = startCli(["--port", "0"]);
    await run.ready;
    const output = run.output();
    const url = /website \(authorize page\): (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(url).toBeDefined();
    expect(output).toContain(`authorize endpoint:       ${url}/authorize`);
    expect(output).toContain(`API base URL:             ${url}/v1`);
    expect(output).toContain(`token endpoint:           ${url}/v1/token`);
    expect(output).toContain("client_id:     demo-app");
    expect(output).toContain("client_secret: demo-secret");
    expect(output).toContain("redirect URIs: http://127.0.0.1/callback, http://localhost/callback (any port)");
    expect(output).toContain('API key:       12345weLove3DPrinting  (send it as the "key" header)');

    const response = await fetch(`${url}/v1/items`, { headers: { key: "12345weLove3DPrinting" } });
    expect(response.status).toBe(200);
    await expect.poll(() => run.output()).toMatch(/GET \/v1\/items → 200/);

    run.child.kill(signal);
    expect(await run.exited).toBe(0);
    expect(run.output()).toContain(`${signal}: stopping the sandbox`);
    await expect(fetch(`${url}/v1/items`)).rejects.toThrow();
  });

  test("failure flags: a rate limit per credential, and the seed printed to repeat the run", async () => {
    // One request per 100 s: the second is refused however slow the machine.
    const run = startCli(["--port", "0", "--rate-limit", "0.01", "--seed", "3"]);
    await run.ready;
    expect(run.output()).toContain("Failures on purpose are on (seed 3: pass --seed 3 to repeat them).");
    const url = /API base URL: +(\S+)/.exec(run.output())?.[1];
    const statuses = [];
    for (let i = 0; i < 2; i++) statuses.push((await fetch(`${url}/items`, { headers: { key: "12345weLove3DPrinting" } })).status);
    expect(statuses).toEqual([200, 429]);
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
  });

  test("a bad option prints the usage and exits with 2", async () => {
    const run = startCli(["--port", "http"]);
    expect(await run.exited).toBe(2);
    expect(run.errors()).toContain("usage: mkp-mock [--port N] [--host H] [--auto-approve]");
  });
});
