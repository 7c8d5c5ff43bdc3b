import { execFile } from "node:child_process";
import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { startMockServer, type MockServer } from "@mkp/mock-server";
import { json, type RecordingServer, startRecordingServer } from "@mkp/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const WORKFLOWS = resolve(dirname(fileURLToPath(import.meta.url)), "../../../spec/workflows");
const require = createRequire(import.meta.url);
const REDOCLY = join(dirname(require.resolve("@redocly/cli/package.json")), "bin/cli.js");
// Success statuses are unpublished, so the spec says `2XX`; Respect 2.77 matches response codes
// exactly, so the copy it runs against spells the range out. Every other fact stays as it is.
const SUCCESS_CODES = ["200", "201", "202", "204"];

let workdir: string;
let sandbox: MockServer;
// Plays the app's redirect URI: answers the browser's redirect with its query as JSON.
let receiver: RecordingServer;
let redirectUri: string;

async function writeRespectSpec(target: string) {
  const spec = JSON.parse(await readFile(require.resolve("@mkp/client/openapi.json"), "utf8"));
  for (const item of Object.values<Record<string, { responses?: Record<string, unknown> }>>(spec.paths)) {
    for (const operation of Object.values(item)) {
      const success = operation?.responses?.["2XX"];
      if (!success || !operation.responses) continue;
      delete operation.responses["2XX"];
      for (const code of SUCCESS_CODES) operation.responses[code] = success;
    }
  }
  await writeFile(target, JSON.stringify(spec));
}

interface RespectRun {
  code: number;
  output: string;
}

function respect(workflow: string, inputs: Record<string, string>, server: MockServer): Promise<RespectRun> {
  return new Promise((resolveRun) => {
    execFile(
      process.execPath,
      [REDOCLY, "respect", join(workdir, "workflows", workflow), "--input", JSON.stringify(inputs), "--server", `makeprintable=${server.apiUrl}`],
      { env: { ...process.env, NO_COLOR: "1", REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" }, timeout: 60_000 },
      (error, stdout, stderr) => resolveRun({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

beforeAll(async () => {
  workdir = await mkdtemp(join(tmpdir(), "mkp-arazzo-"));
  await cp(WORKFLOWS, join(workdir, "workflows"), { recursive: true });
  // The workflows name their source as ../openapi.yaml (JSON is YAML too).
  await writeRespectSpec(join(workdir, "openapi.yaml"));
  sandbox = await startMockServer({ autoApprove: true, strict: true });
  receiver = await startRecordingServer((request, response) => json(response, 200, Object.fromEntries(new URL(request.url, "http://127.0.0.1").searchParams)));
  redirectUri = `${receiver.url}/callback`;
}, 30_000);

afterAll(async () => {
  await sandbox?.close();
  await receiver?.close();
  if (workdir) await rm(workdir, { recursive: true, force: true });
});

function expectAllStepsPassed(run: RespectRun, steps: number) {
  expect(run.output).toMatch(new RegExp(`Steps: ${steps} passed, ${steps} total`));
  expect(run.output).not.toMatch(/✗/);
  expect(run.code).toBe(0);
}

describe("Arazzo workflows run by `redocly respect` against the sandbox", () => {
  it("authorization code: authorize → code from the redirect → token → bearer call → replay refused", async () => {
    const run = await respect(
      "authorization-code.arazzo.yaml",
      { authorizeUrl: sandbox.authorizeUrl, clientId: sandbox.demo.clientId, clientSecret: sandbox.demo.clientSecret, redirectUri },
      sandbox,
    );
    expectAllStepsPassed(run, 5);
  }, 60_000);

  it("API key: a protected call with the `key` header, and without it a 401", async () => {
    const run = await respect("api-key.arazzo.yaml", { apiKey: sandbox.demo.apiKey }, sandbox);
    expectAllStepsPassed(run, 2);
  }, 60_000);

  it("upload → fix → status → delete", async () => {
    const run = await respect("upload-and-fix.arazzo.yaml", { apiKey: sandbox.demo.apiKey }, sandbox);
    expectAllStepsPassed(run, 5);
  }, 60_000);

  it("fails when a step fails: without auto-approve the authorize step meets the consent page", async () => {
    const attended = await startMockServer();
    try {
      const run = await respect(
        "authorization-code.arazzo.yaml",
        { authorizeUrl: attended.authorizeUrl, clientId: attended.demo.clientId, clientSecret: attended.demo.clientSecret, redirectUri },
        attended,
      );
      expect(run.code).not.toBe(0);
      expect(run.output).toMatch(/✗ .*step authorize/);
    } finally {
      await attended.close();
    }
  }, 60_000);
});
