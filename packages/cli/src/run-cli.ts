import { API_KEY_VARIABLE } from "@mkp/node";
import { Command, CommanderError, Option } from "commander";
import { createRequire } from "node:module";
import { addAuthCommands } from "./commands/auth.js";
import { addFixCommands } from "./commands/fixes.js";
import { addItemCommands } from "./commands/items.js";
import { addMcpCommand } from "./commands/mcp.js";
import { addRepairCommand } from "./commands/repair.js";
import { Run, type CliIo } from "./context.js";
import { CliError, EXIT, explain } from "./errors.js";
import { printableLines } from "./output.js";

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };

/** The program's own facts that each command reads: the run (IO, base URL) once the options are parsed. */
export interface Program {
  command: Command;
  /** The run of this invocation; built from the global options when a command starts. */
  run(): Run;
}

const DESCRIPTION = [
  "Repair 3D models with Makeprintable.",
  "Credentials: MAKEPRINTABLE_API_KEY (your account's API key, read from the environment only), else the login that `mkp login` stored. MAKEPRINTABLE_BASE_URL (or --base-url) points mkp at another API, such as the sandbox (`pnpm mock`).",
  "Exit codes: 0 done, 1 API or runtime failure, 2 usage, 130 interrupted (Ctrl-C).",
].join("\n\n");

/**
 * The refusal of an API key given as a flag (before commander sees it, whichever command it follows):
 * a key on the command line lands in the shell's history and in `ps`. The key is never repeated.
 */
function apiKeyFlagRefusal(argv: readonly string[]): CliError | undefined {
  const end = argv.indexOf("--");
  const flags = end === -1 ? argv : argv.slice(0, end);
  if (!flags.some((arg) => arg === "--api-key" || arg.startsWith("--api-key="))) return undefined;
  return new CliError(
    `the API key is read from the environment only (a flag would land in your shell history): export ${API_KEY_VARIABLE}=<your key> (your account settings page shows it), or run \`mkp login\``,
    EXIT.usage,
  );
}

/**
 * `--json` is the program's, wherever it stands (`mkp --json items list`, `mkp items list --json`):
 * it sets the command's own --json, which a command without one refuses.
 */
function globalJson(program: Command, command: Command): void {
  if (!program.opts<{ json?: boolean }>().json) return;
  if (!command.options.some((option) => option.long === "--json")) throw new CliError(`\`mkp ${command.name()}\` has no JSON output: drop --json`, EXIT.usage);
  command.setOptionValue("json", true);
}

/**
 * Runs `mkp <argv>` and resolves to the exit code: 0 done, 1 an API or runtime failure, 2 bad usage,
 * 130 interrupted through `io.signal`. Everything goes through `io`; nothing is read from `process`
 * but the defaults of `io.cwd` and the config directory's platform.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command("mkp")
    .description(DESCRIPTION)
    .version(version, "-V, --version", "print mkp's version")
    .addOption(new Option("--base-url <url>", "the API's base URL (env MAKEPRINTABLE_BASE_URL; default: Makeprintable's)"))
    .option("--json", "print the result as JSON (the same as the command's own --json)")
    .hook("preAction", (root, command) => globalJson(root, command))
    .helpCommand(true)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`mkp: ${text.replace(/^error: /, "")}`),
    });
  let current: Run | undefined;
  const shared: Program = {
    command: program,
    run: () => (current ??= new Run(io, program.opts<{ baseUrl?: string }>().baseUrl)),
  };
  addRepairCommand(shared);
  addItemCommands(shared);
  addFixCommands(shared);
  addAuthCommands(shared);
  addMcpCommand(shared);
  try {
    const refusal = apiKeyFlagRefusal(argv);
    if (refusal) throw refusal;
    await program.parseAsync([...argv], { from: "user" });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are not errors; everything else commander refuses is usage.
      return error.code === "commander.helpDisplayed" || error.code === "commander.help" || error.code === "commander.version" ? EXIT.ok : EXIT.usage;
    }
    const { message, exitCode } = explain(error, current?.adviceContext());
    io.stderr.write(`mkp: ${printableLines(message)}\n`);
    return exitCode;
  }
}
