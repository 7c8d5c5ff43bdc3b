import { adviceFor, type AdviceContext, type AdviceKind } from "@mkp/node";
import { printable } from "./output.js";

/** The exit codes `mkp` promises scripts. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** A failure `mkp` explains itself: the message names the fix. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
    this.name = "CliError";
  }
}

const EXIT_OF: Record<AdviceKind, number> = { usage: EXIT.usage, interrupted: EXIT.interrupted, failure: EXIT.failure };

/**
 * An error as `mkp` prints it (one line, printable, never a secret) and the exit code it gives: the
 * advice `@mkp/node` gives every surface, worded for `mkp`.
 */
export function explain(error: unknown, context: Omit<AdviceContext, "surface"> = {}): { message: string; exitCode: number } {
  if (error instanceof CliError) return { message: printable(error.message), exitCode: error.exitCode };
  const advice = adviceFor(error, { ...context, surface: "mkp" });
  return { message: printable(advice.message), exitCode: EXIT_OF[advice.kind] };
}
