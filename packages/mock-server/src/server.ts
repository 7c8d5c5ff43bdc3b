import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { API_KEY_EXAMPLE, API_KEY_HEADER, AUTHORIZATION_URL, OPERATIONS, SERVER_URL, TOKEN_URL, type OperationId } from "@mkp/client";
import { AUTHORIZE_QUERY, authorizeHandler, decisionHandler } from "./authorize.js";
import type { Handler, RequestContext, Sandbox } from "./context.js";
import { MockServerOptionsError, SpecViolationError } from "./errors.js";
import { IGNORED_PARAMETERS_HEADER, SANDBOX_SOURCE_HEADER, specHandler } from "./from-spec.js";
import { METADATA_PATH, metadataHandler } from "./metadata.js";
import { BodyTooLargeError, mediaTypeOf, prefersXml, readBody, toXml, type Reply } from "./http.js";
import {
  RESOURCE_QUERY,
  ResourceState,
  downloadHandler,
  isLoopbackUrl,
  resourceHandlers,
  type FileUrlRecord,
  type FixCallbackDelivery,
  type FixTiming,
} from "./resources.js";
import { OAuthState, type Credential, type MockClient } from "./state.js";
import { tokenHandler } from "./token.js";
import { SpecValidator, sharedValidator, type OpenApiDocument } from "./validate.js";

export type { MockClient } from "./state.js";
export type { FileUrlRecord, FixCallbackDelivery, FixTiming } from "./resources.js";

/** The built-in demo app and API key, registered when no `clients` / `apiKeys` are given. */
export interface DemoCredentials extends MockClient {
  /** The demo API key, sent as the `key` header. */
  apiKey: string;
}

/** The demo app's credentials: public on purpose, for demos and tests only. */
export const DEMO: Readonly<DemoCredentials> = Object.freeze({
  clientId: "demo-app",
  clientSecret: "demo-secret",
  redirectUris: Object.freeze(["http://127.0.0.1/callback", "http://localhost/callback"]),
  apiKey: API_KEY_EXAMPLE,
  name: "Makeprintable Demo App",
});

/** One line of the request log (`onRequest`): no query, no header, no body, so never a secret. */
export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  operationId: OperationId | undefined;
}

/** Options of {@link startMockServer}. */
export interface MockServerOptions {
  /** TCP port; default 0 (an ephemeral port, read it from `url`). */
  port?: number;
  /** Interface to listen on; default `127.0.0.1`. */
  host?: string;
  /** OAuth apps; default: the demo app ({@link DEMO}). */
  clients?: readonly MockClient[];
  /** API keys, each its own account (user ids 8, 9, …); default: the demo key. */
  apiKeys?: readonly string[];
  /** The clock in milliseconds; codes, tokens and fixes age on it. Default `Date.now`. */
  now?: () => number;
  /** When true, `GET /authorize` redirects with a code at once instead of showing the consent page. Default false. */
  autoApprove?: boolean;
  /**
   * When true, a response that breaks the OpenAPI description is replaced by a 500 naming the
   * problem (and recorded in `specViolations`); when false (the default) it is logged and sent.
   * Tests turn it on.
   */
  strict?: boolean;
  /** Largest form body accepted, in bytes; default 64 KiB. Larger bodies get 413. */
  maxBodyBytes?: number;
  /** Largest upload accepted by `POST /items` (a file, or what a loopback `fileurl` serves), in bytes; default 10 MiB. */
  maxUploadBytes?: number;
  /** How fixes move on the clock; default `{ queuedMs: 1000, processingMs: 5000 }`. */
  fixTiming?: Partial<FixTiming>;
  /** The OpenAPI description to validate against; default the bundled one of `@mkp/client`. */
  document?: OpenApiDocument;
  /**
   * `Host` headers answered besides the bound address and the loopback names (`localhost`,
   * `127.0.0.1`, `[::1]`) on the bound port: `"sandbox.test:4010"`, or a bare host for any port.
   * Any other `Host` gets a 421, so a web page cannot reach the sandbox through DNS rebinding.
   */
  allowedHosts?: readonly string[];
  /**
   * Origins (`http://127.0.0.1:8080`) that `POST /items` may download a `fileurl` from: loopback
   * only. Default: none, so a `fileurl` is recorded, never fetched.
   */
  fileUrlOrigins?: readonly string[];
  /**
   * Which web origins may call the API from a browser (CORS): `true` any origin (the default),
   * `false` none, or a list such as `["http://127.0.0.1:5173"]`. The authorize page and
   * `POST /token` never allow cross-origin reads: a page must not read the consent form, and a
   * client secret has no place in a browser.
   */
  cors?: boolean | readonly string[];
  /** Called after every response (for the CLI's request log). */
  onRequest?: (entry: RequestLogEntry) => void;
  /** Where spec violations are reported; default `console.error`. */
  logError?: (message: string) => void;
}

/** A running sandbox. */
export interface MockServer {
  /** The website's origin, e.g. `http://127.0.0.1:PORT` (`/authorize` lives here). */
  readonly url: string;
  /** The API's base URL (`…/v1`): pass it as `baseUrl`. */
  readonly apiUrl: string;
  /** The authorize endpoint: pass it as `authorizeUrl`. */
  readonly authorizeUrl: string;
  /** The token endpoint. */
  readonly tokenUrl: string;
  /** The built-in demo app and API key (registered unless `clients` / `apiKeys` replaced them). */
  readonly demo: Readonly<DemoCredentials>;
  /** Every response that broke the OpenAPI description so far (tests assert it stays empty). */
  readonly specViolations: readonly SpecViolationError[];
  /**
   * POSTs the callback of every fix that is done on the clock (`now()`) and not yet called back,
   * and waits for it and any delivery already under way. Callbacks also fire on their own — on
   * a timer, and on any request once the clock has passed the fix's done time — but with an
   * injected clock a test moves the clock and then awaits this to make them fire
   * deterministically. Resolves with the deliveries it waited for.
   */
  flushCallbacks(): Promise<FixCallbackDelivery[]>;
  /** Every fix callback made so far, with the receiver's status or the error. */
  readonly callbacks: readonly FixCallbackDelivery[];
  /** Every `fileurl` given to `POST /items`: loopback ones downloaded, others only recorded. */
  readonly fileUrls: readonly FileUrlRecord[];
  /** Stops listening, cancels pending callback timers and closes open connections. */
  close(): Promise<void>;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
const DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
const DEFAULT_FIX_TIMING: FixTiming = { queuedMs: 1000, processingMs: 5000 };

// The API is mounted at the path of the spec's server URL (`/v1`), the website at the root.
const API_BASE_PATH = new URL(SERVER_URL).pathname.replace(/\/$/, "");
const AUTHORIZE_PATH = new URL(AUTHORIZATION_URL).pathname;
const DECISION_PATH = `${AUTHORIZE_PATH}/decision`;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  operationId: OperationId | undefined;
  handler: Handler;
  /** Whether a browser on another origin may call it (CORS). */
  cors: boolean;
  /** The query parameters its handler acts on; any other documented one is checked, then named in `x-mkp-sandbox-ignored`. */
  implementedQuery: readonly string[];
}

function compile(
  method: string,
  template: string,
  operationId: OperationId | undefined,
  handler: Handler,
  cors: boolean,
  implementedQuery: readonly string[] = [],
): Route {
  const names: string[] = [];
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      if (part.startsWith("{") && part.endsWith("}")) {
        names.push(part.slice(1, -1));
        return "([^/]+)";
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return { method, pattern: new RegExp(`^${source}$`), names, operationId, handler, cors, implementedQuery };
}

/** Where each operation is mounted: the path of its server URL, then its path in the spec. */
function mountPath(operationId: OperationId): string {
  const operation = OPERATIONS[operationId];
  const base = operation.serverUrl === SERVER_URL ? API_BASE_PATH : new URL(operation.serverUrl).pathname.replace(/\/$/, "");
  return `${base}${operation.path}`;
}

/**
 * The operations the sandbox has hand-written (stateful) handlers for, each with the query
 * parameters it acts on. Every other operation is answered from the description's examples, and
 * any other documented query parameter is checked, then named in `x-mkp-sandbox-ignored`.
 * `pnpm spec:status` lists both.
 */
export const HANDWRITTEN_OPERATIONS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  authorize: AUTHORIZE_QUERY,
  createToken: [],
  ...Object.fromEntries(Object.keys(resourceHandlers).map((operationId) => [operationId, RESOURCE_QUERY[operationId as OperationId] ?? []])),
});

/**
 * Every operation of the spec gets a route: the stateful ones (OAuth, items, fixes) their
 * hand-written handler, any other one the answer the description documents ({@link specHandler}),
 * so an operation added to the spec is served the moment the client is regenerated.
 */
function buildRoutes(): Route[] {
  const handlers: Partial<Record<OperationId, Handler>> = {
    authorize: authorizeHandler(DECISION_PATH),
    createToken: tokenHandler,
    ...resourceHandlers,
  };
  const routes = (Object.keys(OPERATIONS) as OperationId[]).map((operationId) =>
    compile(
      OPERATIONS[operationId].method,
      mountPath(operationId),
      operationId,
      handlers[operationId] ?? specHandler(operationId),
      !NO_CORS_OPERATIONS.has(operationId),
      HANDWRITTEN_OPERATIONS[operationId] ?? [],
    ),
  );
  routes.push(compile("POST", DECISION_PATH, undefined, decisionHandler(), false));
  routes.push(compile("GET", "/downloads/{token}/{file}", undefined, downloadHandler, true));
  routes.push(compile("GET", METADATA_PATH, undefined, metadataHandler, true));
  return routes;
}

function apiError(status: number, error: string, description: string, headers: Record<string, string> = {}): Reply {
  return { status, headers, json: { error, error_description: description } };
}

/**
 * Checks the credential of a protected operation: the `key` header, or a bearer token this
 * sandbox issued and has not revoked. A missing credential gets a bare `Bearer` challenge; a
 * wrong, expired or revoked one gets `error="invalid_token"`.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-3
 */
function authenticate(sandbox: Sandbox, request: IncomingMessage): { credential: Credential } | { reply: Reply } {
  const invalid = (description: string): { reply: Reply } => ({
    reply: apiError(401, "invalid_token", description, { "www-authenticate": `Bearer error="invalid_token", error_description="${description}"` }),
  });
  const key = request.headers[API_KEY_HEADER];
  if (typeof key === "string" && key !== "") {
    const userId = sandbox.oauth.userForApiKey(key);
    return userId === undefined ? invalid("The API key is not valid.") : { credential: { kind: "apiKey", userId } };
  }
  const authorization = request.headers.authorization;
  if (authorization !== undefined && authorization !== "") {
    // RFC 6750 §2.1: b64token syntax; the scheme is case-insensitive.
    const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(authorization);
    const token = match?.[1] === undefined ? undefined : sandbox.oauth.tokens.get(match[1]);
    if (!token || token.revoked || token.expiresAt <= sandbox.now()) return invalid("The access token is not valid, has expired or was revoked.");
    return { credential: { kind: "bearer", userId: token.userId, clientId: token.clientId, scopes: token.scopes } };
  }
  return { reply: apiError(401, "invalid_token", `Send the ${API_KEY_HEADER} header or an Authorization: Bearer token.`, { "www-authenticate": "Bearer" }) };
}

// Headers a browser app may send and read cross-origin (the credential headers included).
const CORS_REQUEST_HEADERS = `${API_KEY_HEADER}, authorization, content-type`;
const CORS_EXPOSED_HEADERS = `x-request-id, retry-after, www-authenticate, content-disposition, location, ${SANDBOX_SOURCE_HEADER}, ${IGNORED_PARAMETERS_HEADER}`;
// Never readable cross-origin: the consent page and its form, and the token endpoint (a client secret has no place in a page).
const NO_CORS_OPERATIONS: ReadonlySet<OperationId> = new Set(["authorize", "createToken"]);

/** The CORS headers for a request from `origin` (none when the policy does not allow it). */
function corsHeaders(policy: boolean | readonly string[], origin: string | undefined): Record<string, string> {
  if (origin === undefined || policy === false) return {};
  if (policy === true) return { "access-control-allow-origin": "*", "access-control-expose-headers": CORS_EXPOSED_HEADERS };
  return policy.includes(origin)
    ? { "access-control-allow-origin": origin, "access-control-expose-headers": CORS_EXPOSED_HEADERS, vary: "Origin" }
    : { vary: "Origin" };
}

function validateOptions(options: MockServerOptions): void {
  const { port, clients, apiKeys } = options;
  for (const name of ["allowedHosts", "fileUrlOrigins"] as const) {
    const value = options[name];
    if (value !== undefined && (!Array.isArray(value) || value.some((entry) => typeof entry !== "string" || entry === ""))) {
      throw new MockServerOptionsError(`${name} must be an array of non-empty strings`);
    }
  }
  for (const origin of options.fileUrlOrigins ?? []) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin || !isLoopbackUrl(new URL(origin))) {
      throw new MockServerOptionsError(`fileUrlOrigins: ${JSON.stringify(origin.slice(0, 80))} is not a loopback origin such as http://127.0.0.1:8080`);
    }
  }
  const { cors } = options;
  if (
    cors !== undefined &&
    typeof cors !== "boolean" &&
    (!Array.isArray(cors) || cors.some((origin) => !URL.canParse(origin) || new URL(origin).origin !== origin))
  ) {
    throw new MockServerOptionsError("cors must be true, false or an array of origins such as http://127.0.0.1:5173");
  }
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new MockServerOptionsError("port must be an integer from 0 to 65535");
  if (options.now !== undefined && typeof options.now !== "function") throw new MockServerOptionsError("now must be a function returning milliseconds");
  for (const name of ["maxBodyBytes", "maxUploadBytes"] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw new MockServerOptionsError(`${name} must be a positive integer`);
  }
  for (const name of ["queuedMs", "processingMs"] as const) {
    const value = options.fixTiming?.[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0))
      throw new MockServerOptionsError(`fixTiming.${name} must be a number of milliseconds, 0 or more`);
  }
  if (apiKeys !== undefined && (!Array.isArray(apiKeys) || apiKeys.some((key) => typeof key !== "string" || key === ""))) {
    throw new MockServerOptionsError("apiKeys must be an array of non-empty strings");
  }
  if (clients !== undefined) {
    if (!Array.isArray(clients)) throw new MockServerOptionsError("clients must be an array");
    const seen = new Set<string>();
    clients.forEach((client: MockClient, index) => {
      const fields = [client?.clientId, client?.clientSecret, client?.name];
      if (fields.some((field) => typeof field !== "string" || field === "")) {
        throw new MockServerOptionsError(`clients[${index}] needs a non-empty clientId, clientSecret and name`);
      }
      if (seen.has(client.clientId)) throw new MockServerOptionsError(`clients[${index}]: clientId ${client.clientId} is registered twice`);
      seen.add(client.clientId);
      if (!Array.isArray(client.redirectUris) || client.redirectUris.length === 0) {
        throw new MockServerOptionsError(`clients[${index}] needs at least one redirect URI`);
      }
      client.redirectUris.forEach((uri) => {
        let parsed: URL | undefined;
        try {
          parsed = new URL(uri);
        } catch {
          parsed = undefined;
        }
        // RFC 6749 §3.1.2: an absolute URI without a fragment.
        if (parsed?.hash !== "" || uri.includes("#"))
          throw new MockServerOptionsError(`clients[${index}] has a redirect URI that is not an absolute URI without a fragment`);
      });
    });
  }
}

/**
 * Starts the Makeprintable sandbox: a real HTTP server (node:http) that serves the authorize page,
 * the token endpoint and every API operation of the bundled OpenAPI description, validating
 * every request and response against it, with all state in memory.
 *
 * @example
 * const server = await startMockServer({ strict: true });
 * const client = createClient({ baseUrl: server.apiUrl, apiKey: server.demo.apiKey });
 * await server.close();
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  validateOptions(options);
  const now = options.now ?? Date.now;
  const logError = options.logError ?? ((message: string) => console.error(message));
  const strict = options.strict ?? false;
  const specViolations: SpecViolationError[] = [];
  let publicUrl = "";
  const validator = options.document ? new SpecValidator(options.document) : sharedValidator();
  const shared = {
    now: () => now(),
    validator,
    publicUrl: () => publicUrl,
    reportViolations(operationId: OperationId, what: string, problems: readonly string[]): boolean {
      if (problems.length === 0) return true;
      const violation = new SpecViolationError(operationId, what, problems);
      specViolations.push(violation);
      logError(`[mkp-mock] ${violation.message}`);
      return !strict;
    },
  };
  const sandbox: Sandbox = {
    ...shared,
    oauth: new OAuthState(options.clients ?? [DEMO], options.apiKeys ?? [DEMO.apiKey], 8),
    autoApprove: options.autoApprove ?? false,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    fileUrlOrigins: options.fileUrlOrigins ?? [],
    resources: new ResourceState(shared, { ...DEFAULT_FIX_TIMING, ...options.fixTiming }),
  };
  const routes = buildRoutes();
  const cors = options.cors ?? true;
  // Filled in once the port is known (see below).
  const allowedHosts = new Set<string>();
  let lastSweep = sandbox.now();

  function write(response: ServerResponse, reply: Reply, request: IncomingMessage, operationId: OperationId | undefined): number {
    let headers: Record<string, string> = { ...reply.headers };
    let body: string | Uint8Array | undefined;
    let mediaType: string | undefined;
    let model: unknown;
    if (reply.json !== undefined) {
      model = reply.json;
      const documented = operationId ? sandbox.validator.responseMediaTypes(operationId, reply.status) : new Map<string, string | undefined>();
      if (documented.has("application/xml") && prefersXml(request.headers.accept)) {
        const names = operationId ? sandbox.validator.xmlNames(operationId, reply.status) : undefined;
        mediaType = "application/xml";
        body = toXml(names?.root ?? "response", names?.item ?? "item", model);
        headers["content-type"] = "application/xml; charset=utf-8";
      } else {
        mediaType = "application/json";
        body = JSON.stringify(model);
        headers["content-type"] = "application/json; charset=utf-8";
      }
    } else if (reply.html !== undefined) {
      model = reply.html;
      body = reply.html;
      mediaType = mediaTypeOf(headers["content-type"]) ?? "text/html";
      headers["content-type"] ??= "text/html; charset=utf-8";
    } else if (reply.bytes !== undefined) {
      body = reply.bytes.data;
      mediaType = reply.bytes.mediaType;
      headers["content-type"] = reply.bytes.mediaType;
    }
    let status = reply.status;
    // 413 is the transport's limit, answered before the body reaches the operation.
    if (operationId !== undefined && status !== 413) {
      const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
      const problems = sandbox.validator.validateResponse(operationId, { status, headers: lower, mediaType, body: model });
      if (!sandbox.reportViolations(operationId, `the ${status} response`, problems)) {
        status = 500;
        headers = { "content-type": "application/json; charset=utf-8" };
        body = JSON.stringify({ error: "spec_violation", error_description: specViolations.at(-1)?.message ?? "" });
      }
    }
    response.writeHead(status, headers);
    response.end(body);
    return status;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    // Issue 19 L6: a name that is not this sandbox's (DNS rebinding) gets nothing.
    const host = (request.headers.host ?? "").toLowerCase();
    if (!allowedHosts.has(host) && !allowedHosts.has(host.replace(/:\d+$/, ""))) {
      write(
        response,
        apiError(
          421,
          "invalid_request",
          "This sandbox answers only requests addressed to its own host and port (start it with --allowed-host for another name).",
        ),
        request,
        undefined,
      );
      request.resume();
      return;
    }
    let url: URL;
    try {
      url = new URL(request.url ?? "/", "http://sandbox.invalid");
      if (!(request.url ?? "").startsWith("/")) throw new TypeError("not an origin-form request target");
    } catch {
      write(response, apiError(400, "invalid_request", "The request target is not a path."), request, undefined);
      return;
    }
    const time = sandbox.now();
    // Expired codes and tokens are dropped at most once a second of the clock.
    if (Math.abs(time - lastSweep) >= 1000) {
      sandbox.oauth.sweep(time);
      lastSweep = time;
    }
    // Fix callbacks whose time has come on the clock go out now (the delivery is not awaited).
    void sandbox.resources.deliverDue();
    const method = request.method ?? "GET";
    const origin = request.headers.origin;
    let route: Route | undefined;
    let values: RegExpExecArray | null = null;
    const allowed: string[] = [];
    for (const candidate of routes) {
      const match = candidate.pattern.exec(url.pathname);
      if (!match) continue;
      allowed.push(candidate.method);
      if (candidate.method === method) {
        route = candidate;
        values = match;
      }
    }
    let operationId: OperationId | undefined;
    let reply: Reply;
    // What a browser on another origin may do here: the API and downloads, never the consent page or the token endpoint.
    const cross = routes.some((candidate) => candidate.cors && candidate.pattern.test(url.pathname)) ? corsHeaders(cors, origin) : {};
    try {
      if (method === "OPTIONS" && origin !== undefined && request.headers["access-control-request-method"] !== undefined) {
        // A CORS preflight (Fetch standard §3.2.2): allowed methods and headers, or none.
        reply = cross["access-control-allow-origin"]
          ? {
              status: 204,
              headers: {
                ...cross,
                "access-control-allow-methods": allowed.join(", "),
                "access-control-allow-headers": CORS_REQUEST_HEADERS,
                "access-control-max-age": "600",
              },
            }
          : {
              status: 403,
              headers: cross,
              json: { error: "cors_forbidden", error_description: "This origin may not call the sandbox from a browser (see its cors option)." },
            };
      } else if (!route || !values) {
        reply =
          allowed.length > 0
            ? apiError(405, "method_not_allowed", `Use ${allowed.join(" or ")}.`, { allow: allowed.join(", ") })
            : apiError(404, "not_found", "No such endpoint.");
      } else {
        operationId = route.operationId;
        reply = await dispatch(route, values, request, url);
      }
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        reply = apiError(413, "invalid_request", `The body is larger than ${error.limit} bytes.`, { connection: "close" });
      } else {
        // A bug in the sandbox: say so, but never with request data (it may hold secrets).
        logError(
          `[mkp-mock] internal error in ${route?.operationId ?? url.pathname}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
        reply = apiError(500, "server_error", "The sandbox failed; see its log.");
        operationId = undefined;
      }
    }
    const ignored = operationId !== undefined && route && reply.status < 400 ? ignoredParameters(route, operationId, url) : {};
    const status = write(response, { ...reply, headers: { ...reply.headers, ...ignored, ...cross } }, request, operationId);
    // Unread body bytes (413, early errors) are discarded rather than left on the socket.
    request.resume();
    options.onRequest?.({ method, path: url.pathname, status, operationId });
  }

  /** Issue 18: a documented query parameter the handler does not act on is named, never dropped silently. */
  function ignoredParameters(route: Route, operationId: OperationId, url: URL): Record<string, string> {
    const documented = sandbox.validator.parameterNames(operationId, "query");
    const ignored = [...new Set(url.searchParams.keys())].filter((name) => documented.includes(name) && !route.implementedQuery.includes(name));
    return ignored.length > 0 ? { [IGNORED_PARAMETERS_HEADER]: ignored.join(", ") } : {};
  }

  async function dispatch(route: Route, match: RegExpExecArray, request: IncomingMessage, url: URL): Promise<Reply> {
    const operationId = route.operationId;
    let credential: Credential | undefined;
    if (operationId !== undefined && OPERATIONS[operationId].authenticated) {
      const result = authenticate(sandbox, request);
      if ("reply" in result) return result.reply;
      credential = result.credential;
      // Scopes bind only tokens that carry some; the API key reaches everything (RFC 6750 §3.1).
      const needed = OPERATIONS[operationId].scopes;
      if (credential.kind === "bearer" && credential.scopes.length > 0) {
        const granted = credential.scopes;
        const missing = needed.filter((scope) => !granted.includes(scope));
        if (missing.length > 0) {
          const scope = needed.join(" ");
          return apiError(403, "insufficient_scope", `This operation needs the ${scope} scope.`, {
            "www-authenticate": `Bearer error="insufficient_scope", scope="${scope}"`,
          });
        }
      }
    }
    const raw: Record<string, string> = {};
    for (const [index, name] of route.names.entries()) {
      try {
        raw[name] = decodeURIComponent(match[index + 1] ?? "");
      } catch {
        return apiError(404, "not_found", "No such resource.");
      }
    }
    let pathParams: Record<string, unknown> = raw;
    if (operationId !== undefined && route.names.length > 0) {
      const checked = sandbox.validator.validateParameters(operationId, "path", raw);
      // A path that names no possible resource is a resource that does not exist.
      if (!checked.ok) return apiError(404, "not_found", "No such resource.");
      pathParams = checked.value;
    }
    const context: RequestContext = {
      request,
      url,
      pathParams,
      credential,
      readBody: (limit = sandbox.maxBodyBytes) => readBody(request, limit),
    };
    return route.handler(sandbox, context);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      logError(`[mkp-mock] could not answer: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) response.writeHead(500).end();
      else response.destroy();
    });
  });
  // A malformed request line or header never reaches `handle`: answer it here.
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  publicUrl = url;
  for (const name of [host, "localhost", "127.0.0.1", "[::1]"]) allowedHosts.add(`${name}:${address.port}`);
  for (const entry of options.allowedHosts ?? []) allowedHosts.add(entry.toLowerCase());
  let closed: Promise<void> | undefined;
  return {
    url,
    apiUrl: `${url}${API_BASE_PATH}`,
    authorizeUrl: `${url}${AUTHORIZE_PATH}`,
    tokenUrl: `${url}${new URL(TOKEN_URL).pathname}`,
    demo: DEMO,
    specViolations,
    callbacks: sandbox.resources.deliveries,
    fileUrls: sandbox.resources.fileUrls,
    flushCallbacks: () => sandbox.resources.deliverDue(),
    close() {
      sandbox.resources.close();
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
