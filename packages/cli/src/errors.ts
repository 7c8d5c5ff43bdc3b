import {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  ClientOptionsError,
  FixTimeoutError,
  InternalServerError,
  MakeprintableError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
} from "@mkp/client";
import { CredentialError, DownloadError, OutputExistsError, RepairInputError, RepairStoppedError } from "@mkp/node";
import { printable } from "./output.js";

/** The exit codes `mkp` promises scripts. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

/** How to pick up a repair that `mkp` stopped waiting for. */
export const resumeHint = (fixId: number) => `resume with \`mkp fixes get ${fixId} --download\``;

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

/** What a command knows that makes an error message name the fix. */
export interface ErrorHints {
  /** Which credential the request carried (a 401 then says which to check). */
  credential?: "apiKey" | "login" | undefined;
  /** What to say for a 404, e.g. "no item 42 in this account: see `mkp items list`". */
  notFound?: string | undefined;
  /** What to say when the user interrupts (Ctrl-C). */
  interrupted?: string | undefined;
}

/** The API's own words from an `APIError` (its message is "<status> <what the body says>"). */
const apiSays = (error: APIError) => printable(error.message);

/**
 * An error as `mkp` prints it (one line, printable, never a secret: the client scrubs credentials
 * from its errors, and nothing else here holds one) and the exit code it gives.
 */
export function explain(error: unknown, hints: ErrorHints = {}): { message: string; exitCode: number } {
  const failure = (message: string, exitCode: number = EXIT.failure) => ({ message: printable(message), exitCode });
  if (error instanceof CliError) return failure(error.message, error.exitCode);
  if (error instanceof APIUserAbortError) return failure(hints.interrupted ?? "interrupted", EXIT.interrupted);
  if (error instanceof CredentialError) return failure(error.message);
  if (error instanceof OutputExistsError) return failure(`${error.path} exists: pass --force to overwrite it, or --out to write elsewhere`);
  if (error instanceof RepairInputError) return failure(error.message);
  if (error instanceof RepairStoppedError)
    return failure(`${error.message}${error.fixId === undefined ? "" : `: ${resumeHint(error.fixId)}`}`, EXIT.interrupted);
  if (error instanceof DownloadError) return failure(`${error.message}: ${resumeHint(error.fixId)}`);
  if (error instanceof ClientOptionsError) return failure(`${error.message} (--base-url or MAKEPRINTABLE_BASE_URL)`, EXIT.usage);
  if (error instanceof AuthenticationError) {
    const fix =
      hints.credential === "apiKey"
        ? "check MAKEPRINTABLE_API_KEY (your account settings page shows the key), or unset it and run `mkp login`"
        : "your login is no longer valid: run `mkp login` again";
    return failure(`the API refused the credential (${apiSays(error)}): ${fix}`);
  }
  if (error instanceof PermissionDeniedError) {
    return failure(`the API refused this operation (${apiSays(error)}): log in again with the scope it needs, e.g. \`mkp login --scope add_file --scope fix\``);
  }
  if (error instanceof NotFoundError) return failure(`${hints.notFound ?? "not found"} (${apiSays(error)})`);
  if (error instanceof RateLimitError) return failure(`too many requests (${apiSays(error)}): wait a minute and try again`);
  if (error instanceof InternalServerError) return failure(`Makeprintable failed (${apiSays(error)}): try again later`);
  // The client's message names the URL, the reason and MAKEPRINTABLE_BASE_URL already.
  if (error instanceof APIConnectionError) return failure(error.message);
  if (error instanceof APIError) return failure(`the API refused the request (${apiSays(error)})`);
  if (error instanceof FixTimeoutError) {
    return failure(`${error.message}: the repair goes on; ${resumeHint(error.fix.id)}`);
  }
  if (error instanceof MakeprintableError) return failure(`${error.message} (${error.code})`);
  // File-system errors (EACCES, ENOSPC, …) name a path and a code, never a secret.
  if (error instanceof Error && typeof (error as NodeJS.ErrnoException).code === "string" && (error as NodeJS.ErrnoException).syscall) {
    return failure(error.message);
  }
  return failure(`unexpected error (${error instanceof Error ? error.name : typeof error}): please report it`);
}
