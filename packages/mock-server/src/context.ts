import type { IncomingMessage } from "node:http";
import type { Reply } from "./http.js";
import type { Credential, OAuthState } from "./state.js";
import type { SpecValidator } from "./validate.js";

/** What every handler can reach: the clock, the state and the validator. */
export interface Sandbox {
  now(): number;
  readonly oauth: OAuthState;
  readonly validator: SpecValidator;
  readonly autoApprove: boolean;
  /** Largest accepted body of a form request, in bytes. */
  readonly maxBodyBytes: number;
}

/** One request as a handler sees it. */
export interface RequestContext {
  readonly request: IncomingMessage;
  readonly url: URL;
  /** Path template values, e.g. `{ id: "149" }` (validated and coerced in `pathParams`). */
  readonly pathParams: Readonly<Record<string, unknown>>;
  /** Set for the operations the spec protects, once the credential is checked. */
  readonly credential: Credential | undefined;
  /** Reads the body, rejecting with `BodyTooLargeError` past `limit` (default: `maxBodyBytes`). */
  readBody(limit?: number): Promise<Uint8Array>;
}

/** A route handler. */
export type Handler = (sandbox: Sandbox, context: RequestContext) => Promise<Reply> | Reply;
