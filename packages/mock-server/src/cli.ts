#!/usr/bin/env node
// `mkp-mock [--port N] [--host H] …`: runs the sandbox until SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { API_KEY_HEADER } from "@mkp/client";
import { type MockServer, type MockServerOptions, startMockServer } from "./server.js";

const usage = `usage: mkp-mock [--port N] [--host H] [--auto-approve] [--allowed-host NAME]... [--fileurl-origin ORIGIN]... [--callback-origin ORIGIN]...
                [--cors any|none|ORIGIN,...] [--max-stored-bytes N]
  --port N                  listen on port N (default: a free port, printed below)
  --host H                  listen on interface H (default 127.0.0.1)
  --auto-approve            approve every authorize request without the consent page
  --allowed-host NAME       also answer requests addressed to NAME (host or host:port)
  --fileurl-origin ORIGIN   let POST /items download a fileurl from this loopback origin
  --callback-origin ORIGIN  send fix callbacks only to these loopback origins (default: the calling app's own)
  --cors any|none|ORIGINS   which web origins may call the API from a browser (default: any)
  --max-stored-bytes N      most bytes of uploads kept in memory (default: 100 MiB); past it, 507`;

const FLAGS = {
  port: { type: "string" },
  host: { type: "string" },
  "auto-approve": { type: "boolean" },
  "allowed-host": { type: "string", multiple: true },
  "fileurl-origin": { type: "string", multiple: true },
  "callback-origin": { type: "string", multiple: true },
  cors: { type: "string" },
  "max-stored-bytes": { type: "string" },
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
    onRequest: ({ method, path, status }) => console.log(`${new Date().toISOString()} ${method} ${path} → ${status}`),
  };
}

function banner(server: MockServer): string {
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

Press Ctrl-C to stop.`;
}

async function main(): Promise<void> {
  let server: MockServer;
  try {
    const { values } = parseArgs({ options: FLAGS, strict: true });
    if (values.help) {
      console.log(usage);
      return;
    }
    server = await startMockServer(optionsFrom(values));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exitCode = 2;
    return;
  }
  console.log(banner(server));
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
