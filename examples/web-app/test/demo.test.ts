import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const DEMO = join(dirname(fileURLToPath(import.meta.url)), "../dist/demo.js");

it("`pnpm demo` starts the sandbox and the app, prints where to go, and stops on Ctrl-C", async () => {
  const child = spawn(process.execPath, [DEMO], { env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
  const appUrl = await new Promise<string>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
      if (stdout.includes("Press Ctrl-C")) resolve(/Example app:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!);
    });
    child.on("exit", () => reject(new Error(`demo exited early: ${stdout}`)));
  });
  expect(stdout).toMatch(/Sandbox:\s+http:\/\/127\.0\.0\.1:\d+ \(API http:\/\/127\.0\.0\.1:\d+\/v1\)/);
  expect(stdout).toContain("client_id=demo-app client_secret=demo-secret");
  expect(stdout).toContain("Demo API key: 12345weLove3DPrinting");

  const home = await fetch(appUrl);
  expect(home.status).toBe(200);
  expect(await home.text()).toContain("Connect Makeprintable");
  const login = await fetch(`${appUrl}/login`, { redirect: "manual" });
  const sandboxUrl = /Sandbox:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)![1]!;
  expect(login.headers.get("location")).toMatch(new RegExp(`^${sandboxUrl}/authorize\\?client_id=demo-app&`));

  child.kill("SIGINT");
  expect(await exited).toBe(0);
  await expect(fetch(appUrl)).rejects.toThrow();
});
