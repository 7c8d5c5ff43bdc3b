#!/usr/bin/env node
// `mkp-mock [--port N] [--host H] …`: runs the sandbox until SIGINT/SIGTERM.
import { parseArgs } from "node:util";
import { API_KEY_HEADER } from "@mkp/client";
import { startMockServer, type MockServer } from "./server.js";

const usage = `usage: mkp-mock [--port N] [--host H] [--auto-approve] [--allowed-host NAME]... [--fileurl-origin ORIGIN]... [--cors any|none|ORIGIN,...]
  --port N                 listen on port N (default: a free port, printed below)
  --host H                 listen on interface H (default 127.0.0.1)
  --auto-approve           approve every authorize request without the consent page
  --allowed-host NAME      also answer requests addressed to NAME (host or host:port)
  --fileurl-origin ORIGIN  let POST /items download a fileurl from this loopback origin
  --cors any|none|ORIGINS  which web origins may call the API from a browser (default: any)`;

async function main(): Promise<void> {
  let values: { port?: string; host?: string; "auto-approve"?: boolean; help?: boolean; "allowed-host"?: string[]; "fileurl-origin"?: string[]; cors?: string };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "auto-approve": { type: "boolean" },
        "allowed-host": { type: "string", multiple: true },
        "fileurl-origin": { type: "string", multiple: true },
        cors: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exitCode = 2;
    return;
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be an integer from 0 to 65535\n${usage}`);
    process.exitCode = 2;
    return;
  }
  const cors = values.cors === undefined || values.cors === "any" ? true : values.cors === "none" ? false : values.cors.split(",");
  let server: MockServer;
  try {
    server = await startMockServer({
      port,
      host: values.host ?? "127.0.0.1",
      autoApprove: values["auto-approve"] ?? false,
      allowedHosts: values["allowed-host"] ?? [],
      fileUrlOrigins: values["fileurl-origin"] ?? [],
      cors,
      onRequest: ({ method, path, status }) => console.log(`${new Date().toISOString()} ${method} ${path} → ${status}`),
    });
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    process.exitCode = 2;
    return;
  }
  console.log(`Makeprintable sandbox running
  website (authorize page): ${server.url}
  authorize endpoint:       ${server.authorizeUrl}
  API base URL:             ${server.apiUrl}
  token endpoint:           ${server.tokenUrl}

Demo credentials (public, sandbox only):
  client_id:     ${server.demo.clientId}
  client_secret: ${server.demo.clientSecret}
  redirect URIs: ${server.demo.redirectUris.join(", ")} (any port)
  API key:       ${server.demo.apiKey}  (send it as the "${API_KEY_HEADER}" header)

Press Ctrl-C to stop.`);
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
