import type { IncomingMessage } from "node:http";
import type { OperationId } from "@mkp/client";
import type { Reply } from "./http.js";
import type { ResourceState } from "./resources.js";
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
  /** Largest accepted upload (`POST /items`), in bytes. */
  readonly maxUploadBytes: number;
  /** Items, fixes and fix callbacks. */
  readonly resources: ResourceState;
  /** The origins `POST /items` may download a `fileurl` from (opt-in; empty: record only). */
  readonly fileUrlOrigins: readonly string[];
  /** The sandbox's own origin, e.g. `http://127.0.0.1:PORT` (for download links). */
  publicUrl(): string;
  /**
   * Records spec violations of something the sandbox is about to send; returns whether to send it
   * (false in strict mode when there were violations).
   */
  reportViolations(operationId: OperationId, what: string, problems: readonly string[]): boolean;
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
  readBody(limit?: number): Promise<Uint8Array<ArrayBuffer>>;
}

/** A route handler. */
export type Handler = (sandbox: Sandbox, context: RequestContext) => Promise<Reply> | Reply;
