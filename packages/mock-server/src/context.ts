import type { IncomingMessage } from "node:http";
import type { operations } from "@mkp/client";
import type { OperationId } from "@mkp/client/internal";
import type { Failures } from "./failure-modes.js";
import type { FormResult, Reply } from "./http.js";
import type { ResourceState } from "./resources.js";
import type { Credential, OAuthState } from "./state.js";
import type { SpecValidator } from "./validate.js";

/** What every handler can reach: the clock, the state and the validator. */
export interface Sandbox {
  now(): number;
  readonly oauth: OAuthState;
  readonly validator: SpecValidator;
  readonly autoApprove: boolean;
  /** Strict mode: a response that breaks the description is a 500, and an undocumented query parameter a 400. */
  readonly strict: boolean;
  /** Largest accepted body of a form request, in bytes. */
  readonly maxBodyBytes: number;
  /** Largest accepted upload (`POST /items`), in bytes. */
  readonly maxUploadBytes: number;
  /** Items, fixes and fix callbacks. */
  readonly resources: ResourceState;
  /** The failures the sandbox was asked to produce (rate limit, 503s, latency, failed fixes). */
  readonly failures: Failures;
  /** The origins `POST /items` may download a `fileurl` from (opt-in; empty: record only). */
  readonly fileUrlOrigins: readonly string[];
  /** The origins fix callbacks may go to, when the sandbox's owner listed them (else the calling app's own). */
  readonly callbackOrigins: readonly string[] | undefined;
  /** The sandbox's own origin, e.g. `http://127.0.0.1:PORT` (for download links). */
  readonly publicUrl: string;
  /**
   * Records spec violations of something the sandbox is about to send. Returns the violation's
   * message when it must not be sent (strict mode), else undefined.
   */
  reportViolations(operationId: OperationId, what: string, problems: readonly string[]): string | undefined;
}

/** No path parameters. */
export type NoParams = Readonly<Record<string, never>>;

/** An operation's path parameters as the spec types them (`{ id: number }` for `getItem`), after validation and coercion. */
export type PathParams<Op extends OperationId> = operations[Op]["parameters"] extends { path: infer P } ? ([P] extends [undefined] ? NoParams : P) : NoParams;

/** An operation's query parameters as the spec types them (all optional where the spec says so). */
export type QueryParams<Op extends OperationId> = operations[Op]["parameters"] extends { query?: infer Q } ? NonNullable<Q> : NoParams;

/** An operation's request body as the spec types it (the form fields of `createFix`: `FixRequest`). */
export type RequestBody<Op extends OperationId> = NonNullable<operations[Op]["requestBody"]> extends { content: infer C } ? C[keyof C] : never;

/** One request as a handler sees it. */
export interface RequestContext<Path = NoParams> {
  readonly request: IncomingMessage;
  readonly url: URL;
  /** Path template values, validated against the spec and coerced (`{ id: 149 }`). */
  readonly pathParams: Path;
  /** Set for the operations the spec protects, once the credential is checked. */
  readonly credential: Credential | undefined;
  /** Reads the body, rejecting with `BodyTooLargeError` past `limit` (default: `maxBodyBytes`). */
  readBody(limit?: number): Promise<Uint8Array<ArrayBuffer>>;
  /** Reads an `application/x-www-form-urlencoded` body into single values (the one form reader of every handler). */
  readForm(): Promise<FormResult>;
}

/** A route handler. */
export type Handler<Path = NoParams> = (sandbox: Sandbox, context: RequestContext<Path>) => Promise<Reply> | Reply;

/** The handler of an operation, typed with that operation's path parameters. */
export type OperationHandler<Op extends OperationId> = Handler<PathParams<Op>>;
