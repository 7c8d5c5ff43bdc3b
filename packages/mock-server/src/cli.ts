#!/usr/bin/env node
// `mkp-mock [--port N] [--host H] …`: runs the sandbox until SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { API_KEY_HEADER } from "@mkp/client";
import { type FailureModes, type MockServer, type MockServerOptions, startMockServer } from "./server.js";

const usage = `usage: mkp-mock [--port N] [--host H] [--auto-approve] [--allowed-host NAME]... [--fileurl-origin ORIGIN]... [--callback-origin ORIGIN]...
                [--cors any|none|ORIGIN,...] [--max-stored-bytes N]
                [--rate-limit N] [--failed-fixes SHARE] [--server-errors SHARE] [--latency MS|MIN-MAX] [--seed N]
  --port N                  listen on port N (default: a free port, printed below)
  --host H                  listen on interface H (default 127.0.0.1)
  --auto-approve            approve every authorize request without the consent page
  --allowed-host NAME       also answer requests addressed to NAME (host or host:port)
  --fileurl-origin ORIGIN   let POST /items download a fileurl from this loopback origin
  --callback-origin ORIGIN  send fix callbacks only to these loopback origins (default: the calling app's own)
  --cors any|none|ORIGINS   which web origins may call the API from a browser (default: any)
  --max-stored-bytes N      most bytes of uploads kept in memory (default: 100 MiB); past it, 507
Failures on purpose, to test how an app copes (all off by default):
  --rate-limit N            N API requests a second per credential; past it, 429 with Retry-After
  --failed-fixes SHARE      this share of fixes (0-1, e.g. 0.1) ends "failed"
  --server-errors SHARE     this share of API requests (0-1) gets a 503, before anything changes
  --latency MS|MIN-MAX      every API answer waits MS (or between MIN and MAX) milliseconds
  --seed N                  repeat the same choices (printed at start when any failure is on)`;

const FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  "auto-approve": { type: "boolean" },
  "allowed-host": { type: "string", multiple: true },
  "fileurl-origin": { type: "string", multiple: true },
  "callback-origin": { type: "string", multiple: true },
  cors: { type: "string" },
  "max-stored-bytes": { type: "string" },
  "rate-limit": { type: "string" },
  "failed-fixes": { type: "string" },
  "server-errors": { type: "string" },
  latency: { type: "string" },
  seed: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof FLAGS; strict: true }>>["values"];

/** A whole number from a flag, or a usage error naming the flag. */
function integer(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}`);
  return number;
}

class UsageError extends Error {}

/** A number from a flag (a share, a rate), or a usage error naming the flag; `startMockServer` checks its range. */
function decimal(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number)) throw new UsageError(`--${name} must be a number`);
  return number;
}

/** `--latency 200` or `--latency 100-300`. */
function latency(value: string | undefined): FailureModes["latencyMs"] {
  if (value === undefined) return undefined;
  const [min, max, ...rest] = value.split("-");
  if (rest.length > 0 || min === undefined) throw new UsageError("--latency must be MS or MIN-MAX milliseconds");
  const low = integer("latency", min, 0, 3_600_000) ?? 0;
  return max === undefined ? low : [low, integer("latency", max, low, 3_600_000) ?? low];
}

/** The failure modes from the command line (only those given). */
function failuresFrom(values: Values): FailureModes {
  const modes: FailureModes = {};
  const rateLimit = decimal("rate-limit", values["rate-limit"]);
  const failedFixes = decimal("failed-fixes", values["failed-fixes"]);
  const serverErrors = decimal("server-errors", values["server-errors"]);
  const latencyMs = latency(values.latency);
  const seed = integer("seed", values.seed, 0, 2 ** 31 - 1);
  if (rateLimit !== undefined) modes.rateLimit = rateLimit;
  if (failedFixes !== undefined) modes.failedFixes = failedFixes;
  if (serverErrors !== undefined) modes.serverErrors = serverErrors;
  if (latencyMs !== undefined) modes.latencyMs = latencyMs;
  if (seed !== undefined) modes.seed = seed;
  return modes;
}

/** The sandbox's options from the command line (its checks name the flag; `startMockServer` checks the rest). */
function optionsFrom(values: Values): MockServerOptions {
  const cors = values.cors === undefined || values.cors === "any" ? true : values.cors === "none" ? false : values.cors.split(",");
  const maxStoredBytes = integer("max-stored-bytes", values["max-stored-bytes"], 1, Number.MAX_SAFE_INTEGER);
  return {
    port: integer("port", values.port, 0, 65535) ?? 0,
    host: values.host ?? "127.0.0.1",
    autoApprove: values["auto-approve"] ?? false,
    allowedHosts: values["allowed-host"] ?? [],
    fileUrlOrigins: values["fileurl-origin"] ?? [],
    ...(values["callback-origin"] && { callbackOrigins: values["callback-origin"] }),
    ...(maxStoredBytes !== undefined && { maxStoredBytes }),
    cors,
    failures: failuresFrom(values),
    onRequest: ({ method, path, status }) => console.log(`${new Date().toISOString()} ${method} ${path} → ${status}`),
  };
}

function banner(server: MockServer, failures: FailureModes): string {
  return `Makeprintable sandbox running
  website (authorize page): ${server.url}
  authorize endpoint:       ${server.authorizeUrl}
  API base URL:             ${server.apiUrl}
  token endpoint:           ${server.tokenUrl}

Demo credentials (public, sandbox only):
  client_id:     ${server.demo.clientId}
  client_secret: ${server.demo.clientSecret}
  redirect URIs: ${server.demo.redirectUris.join(", ")} (any port)
  API key:       ${server.demo.apiKey}  (send it as the "${API_KEY_HEADER}" header)

${failureLine(server, failures)}Press Ctrl-C to stop.`;
}

/** The failure modes in force and their seed, so a run can be repeated with `--seed`. */
function failureLine(server: MockServer, failures: FailureModes): string {
  const on = Object.keys(failures).some((mode) => mode !== "seed");
  return on ? `Failures on purpose are on (seed ${server.stats().seed}: pass --seed ${server.stats().seed} to repeat them).\n\n` : "";
}

async function main(): Promise<void> {
  let server: MockServer;
  let options: MockServerOptions;
  try {
    const { values } = parseArgs({ options: FLAGS, strict: true });
    if (values.help) {
      console.log(usage);
      return;
    }
    options = optionsFrom(values);
    server = await startMockServer(options);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exitCode = 2;
    return;
  }
  console.log(banner(server, options.failures ?? {}));
  const stop = (signal: NodeJS.Signals): void => {
    console.log(`\n${signal}: stopping the sandbox`);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

await main();
