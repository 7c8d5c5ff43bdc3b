import { Command, CommanderError, Option } from "commander";
import { addAuthCommands } from "./commands/auth.js";
import { addFixCommands } from "./commands/fixes.js";
import { addItemCommands } from "./commands/items.js";
import { addMcpCommand } from "./commands/mcp.js";
import { addRepairCommand } from "./commands/repair.js";
import { Run, type CliIo } from "./context.js";
import { EXIT, explain } from "./errors.js";
import { printableLines } from "./output.js";

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
 * Runs `mkp <argv>` and resolves to the exit code: 0 done, 1 an API or runtime failure, 2 bad usage,
 * 130 interrupted through `io.signal`. Everything goes through `io`; nothing is read from `process`
 * but the defaults of `io.cwd` and the config directory's platform.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command("mkp")
    .description(DESCRIPTION)
    .addOption(new Option("--base-url <url>", "the API's base URL (env MAKEPRINTABLE_BASE_URL; default: Makeprintable's)"))
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
    await program.parseAsync([...argv], { from: "user" });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are not errors; everything else commander refuses is usage.
      return error.code === "commander.helpDisplayed" || error.code === "commander.help" || error.code === "commander.version" ? EXIT.ok : EXIT.usage;
    }
    const { message, exitCode } = explain(error, current?.hints());
    io.stderr.write(`mkp: ${printableLines(message)}\n`);
    return exitCode;
  }
}
