import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";
import { parseArgs } from "node:util";

/** The person's choices on the server's command line (`mkp-mcp …`, `mkp mcp …`). */
export interface ServerArguments {
  /** Folders the tools may read and write when the MCP client offers no roots (`--allow-dir`, repeatable), absolute. */
  allowDirs: string[];
  /** Offer only the tools that change nothing (`--read-only`). */
  readOnly: boolean;
  /** Offer only these tools (`--tools a,b`), with those of `toolsets`. */
  tools: string[];
  /** Offer only these groups of tools (`--toolsets items,fixes,repair`), with `tools`. */
  toolsets: string[];
  /** Let `repair_model` replace any existing file inside the fence, not only one it wrote (`--allow-overwrite`). */
  allowOverwrite: boolean;
  /** `--help`: print {@link usage} and exit. */
  help: boolean;
}

/** What the server's command line accepts, for `command` (`mkp-mcp`, or `mkp mcp`). */
export const usage = (command = "mkp-mcp") => `Usage: ${command} [options]

The Makeprintable MCP server on stdio. Configure your MCP client to start it.

Options:
  --allow-dir <folder>   a folder the tools may read and write, when the MCP client offers no
                         roots (repeatable; absolute, or ~/…). Without roots or this, no file is
                         read or written.
  --read-only            offer only the tools that change nothing (list and get)
  --toolsets <names>     offer only these groups of tools, comma-separated (items, fixes, repair)
  --tools <names>        offer only these tools, comma-separated (with --toolsets: both)
  --allow-overwrite      let repair_model replace existing files it did not write itself
  -h, --help             show this help

Environment: MAKEPRINTABLE_API_KEY (else the login \`mkp login\` stored), MAKEPRINTABLE_BASE_URL.
`;

/** A command line the server cannot start with: the message names the fix. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** `~` and `~/…` mean the home directory: MCP clients' JSON configs do not expand them as a shell would. */
function expandHome(path: string, home: string): string {
  return path === "~" ? home : path.startsWith("~/") ? join(home, path.slice(2)) : path;
}

/**
 * Reads the server's command line. Folders must be absolute (or `~/…`): an MCP client starts the
 * server in a directory the person does not choose, so a relative folder would mean anything.
 * @throws {UsageError} for an unknown option, a missing value or a relative folder.
 */
export function parseServerArguments(args: readonly string[], home: string = homedir()): ServerArguments {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(args).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (--help lists the options)`);
  }
  const list = (given: string[] | undefined) =>
    (given ?? [])
      .flatMap((value) => value.split(","))
      .map((name) => name.trim())
      .filter(Boolean);
  const allowDirs = (values["allow-dir"] ?? []).map((dir) => expandHome(dir, home));
  const relative = allowDirs.find((dir) => !isAbsolute(dir));
  if (relative !== undefined)
    throw new UsageError(`--allow-dir ${relative}: give an absolute folder (or ~/…); MCP clients start servers in a folder you do not choose`);
  return {
    allowDirs,
    readOnly: values["read-only"] ?? false,
    tools: list(values.tools),
    toolsets: list(values.toolsets),
    allowOverwrite: values["allow-overwrite"] ?? false,
    help: values.help ?? false,
  };
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      "allow-dir": { type: "string", multiple: true },
      "read-only": { type: "boolean" },
      toolsets: { type: "string", multiple: true },
      tools: { type: "string", multiple: true },
      "allow-overwrite": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

/**
 * Checks that every `--allow-dir` folder exists: a mistyped folder stops the server at once rather
 * than leave every file tool refusing.
 * @throws {UsageError} naming the folder.
 */
export async function checkAllowedDirs(dirs: readonly string[]): Promise<void> {
  for (const dir of dirs) {
    const found = await stat(dir).catch(() => undefined);
    if (!found?.isDirectory()) throw new UsageError(`--allow-dir ${dir}: no such folder; create it or fix the path`);
  }
}
