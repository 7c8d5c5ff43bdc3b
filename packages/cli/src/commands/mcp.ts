import { runMcpServer } from "@mkp/mcp";
import { CliError, EXIT } from "../errors.js";
import type { Program } from "../run-cli.js";

/** `mkp mcp`: the MCP server of `@mkp/mcp` on stdio, for AI agents. */
export function addMcpCommand(program: Program): void {
  program.command
    .command("mcp")
    .description("run the Makeprintable MCP server on stdio, for AI agents (the same as `npx @mkp/mcp`)")
    .addHelpText("after", "\nConfigure your MCP client to start `mkp mcp`; see the @mkp/mcp README for snippets.\n")
    .action(async () => {
      const run = program.run();
      // stdout belongs to the protocol from here on: nothing else is written there.
      await runMcpServer({ env: run.io.env, place: run.io.place, signal: run.signal });
      if (run.signal?.aborted) throw new CliError("the MCP server stopped", EXIT.interrupted);
    });
}
