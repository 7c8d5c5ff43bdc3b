/**
 * `@mkp/cli`: the `mkp` command. The bin runs {@link runCli} with the process's IO; call it yourself
 * to embed the commands (tests do).
 * @packageDocumentation
 */
export { runCli } from "./run-cli.js";
export type { CliIo, OutputStream } from "./context.js";
export { EXIT } from "./errors.js";
