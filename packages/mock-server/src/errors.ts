import { MakeprintableError } from "@mkp/client";

/** `startMockServer` was given options it cannot run with (the message names the option, never a secret). */
export class MockServerOptionsError extends MakeprintableError {
  static override readonly code = "MKP_MOCK_INVALID_OPTIONS";
}

/**
 * The sandbox was about to send a response (or a callback) that breaks the bundled OpenAPI
 * description. In `strict` mode the response becomes a 500 and this error is recorded in
 * `server.specViolations`, so a test that drifts from the spec fails loudly.
 */
export class SpecViolationError extends MakeprintableError {
  static override readonly code = "MKP_MOCK_SPEC_VIOLATION";
  /** The operation (or callback) whose description was broken. */
  readonly operationId: string;
  /** The validator's findings: JSON pointer and message, never the offending values. */
  readonly problems: readonly string[];

  constructor(operationId: string, what: string, problems: readonly string[]) {
    super(`${operationId}: ${what} breaks the OpenAPI description: ${problems.join("; ")}`);
    this.operationId = operationId;
    this.problems = problems;
  }
}
