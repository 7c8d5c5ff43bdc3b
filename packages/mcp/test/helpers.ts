import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ListRootsRequestSchema, type CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { dirname, resolve } from "node:path";
import type { Stream } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";

/** The built server, as `npx mkp-mcp` runs it. */
export const MCP_BIN = resolve(dirname(fileURLToPath(import.meta.url)), "../dist/cli.js");

/** An MCP client (the official SDK's) connected over stdio to a server process it started. */
export interface Connected {
  client: Client;
  /** What the server wrote on stderr so far. */
  stderr(): string;
  /** Replaces the client's roots (folders) and tells the server they changed (`notifications/roots/list_changed`). */
  setRoots(folders: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** How to start the server and what the client offers. */
export interface ConnectOptions {
  /** The server's command line. */
  args?: string[];
  /** The client's roots (folders, or URIs): with them the client declares the roots capability; without, it declares none. */
  roots?: readonly string[];
  /** The server to start. Default: {@link MCP_BIN}. */
  bin?: string;
}

/** Starts `node <bin>` with exactly `env` (plus PATH) and connects the SDK's `Client` to it over stdio. */
export async function connect(env: Record<string, string>, options: ConnectOptions = {}): Promise<Connected> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [options.bin ?? MCP_BIN, ...(options.args ?? [])],
    env: { PATH: process.env.PATH ?? "", ...env },
    stderr: "pipe",
  });
  let stderr = "";
  (transport.stderr as Stream | null)?.on("data", (chunk: Buffer) => (stderr += chunk));
  let roots = options.roots;
  const client = new Client({ name: "mkp-mcp-test", version: "1.0.0" }, { capabilities: roots ? { roots: { listChanged: true } } : {} });
  // A root given as a URI (`https://…`) is sent as it is: what a misbehaving client might send.
  const uri = (root: string) => (/^[a-z]+:\/\//.test(root) ? root : pathToFileURL(root).href);
  if (roots) client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: (roots ?? []).map((root) => ({ uri: uri(root) })) }));
  await client.connect(transport);
  return {
    client,
    stderr: () => stderr,
    setRoots: async (folders) => {
      roots = folders;
      await client.sendRootsListChanged();
    },
    close: () => client.close(),
  };
}

/** The text blocks of a result, joined. */
export const textOf = (result: CallToolResult) =>
  result.content
    .filter((block) => block.type === "text")
    .map((block) => block.text)
    .join("\n");
