import { CliError, EXIT } from "../errors.js";
import type { Program } from "../run-cli.js";

/** `mkp mcp [options]`: the MCP server of `@mkp/mcp` on stdio, for AI agents; its options are `mkp-mcp`'s, read by `@mkp/mcp`. */
export function addMcpCommand(program: Program): void {
  program.command
    .command("mcp")
    .description("run the Makeprintable MCP server on stdio, for AI agents (the same as `npx @mkp/mcp`); `mkp mcp --help` lists its options")
    .argument("[options...]", "the server's options (--allow-dir, --read-only, --toolsets, --tools, --allow-overwrite)")
    // The server reads its own options, so `mkp mcp` and `mkp-mcp` take the same ones.
    .helpOption(false)
    .allowUnknownOption()
    .action(async (args: string[]) => {
      const run = program.run();
      // Loaded here, not at the top: the server (the MCP SDK, zod, Ajv) roughly doubles mkp's start-up,
      // and only this command needs it.
      const { parseServerArguments, runMcpServer, usage, UsageError } = await import("@mkp/mcp");
      try {
        const parsed = parseServerArguments(args);
        // stdout belongs to the protocol from here on: nothing else is written there.
        if (parsed.help) return void run.io.stdout.write(usage("mkp mcp"));
        await runMcpServer({
          ...parsed,
          env: run.io.env,
          place: run.io.place,
          baseUrl: run.givenBaseUrl(),
          signal: run.signal,
        });
      } catch (error) {
        throw error instanceof UsageError ? new CliError(error.message, EXIT.usage) : error;
      }
      if (run.signal?.aborted) throw new CliError("the MCP server stopped", EXIT.interrupted);
    });
}
