import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { dirname, resolve } from "node:path";
import type { Stream } from "node:stream";
import { fileURLToPath } from "node:url";

/** The built server, as `npx mkp-mcp` runs it. */
export const MCP_BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/cli.js");

/** An MCP client (the official SDK's) connected over stdio to a server process it started. */
export interface Connected {
  client: Client;
  /** What the server wrote on stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

/** Starts `node <bin>` with exactly `env` (plus PATH) and connects the SDK's `Client` to it over stdio. */
export async function connect(env: Record<string, string>, bin: string = MCP_BIN, args: string[] = []): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin, ...args],
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
  });
  let stderr = "";
  (transport.stderr as Stream | null)?.on("data", (chunk: Buffer) => (stderr += chunk));
  const client = new Client({ name: "mkp-mcp-test", version: "1.0.0" });
  await client.connect(transport);
  return { client, stderr: () => stderr, close: () => client.close() };
}
