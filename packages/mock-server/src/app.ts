import type { IncomingMessage } from "node:http";
import type { HttpBindings } from "@hono/node-server";
import { RESPONSE_ALREADY_SENT } from "@hono/node-server/utils/response";
import type { OperationId } from "@mkp/client/internal";
import { type Context, Hono } from "hono";
import { authenticate } from "./authenticate.js";
import type { Sandbox } from "./context.js";
import { type CorsPolicy, type CorsScope, stricter } from "./cors.js";
import { IGNORED_PARAMETERS_HEADER } from "./from-spec.js";
import { BodyTooLargeError, readBody, readForm, type Reply } from "./http.js";
import { discardRest } from "./linger.js";
import type { RequestLogEntry } from "./options.js";
import { apiError, writeReply } from "./respond.js";
import type { PathEntry, Route } from "./routes.js";
import type { Credential } from "./state.js";

type Env = { Bindings: HttpBindings; Variables: { operationId: OperationId | undefined } };

/** The parts {@link sandboxApp} is composed of, each built once when the sandbox starts. */
export interface AppParts {
  readonly sandbox: Sandbox;
  readonly routes: readonly Route[];
  readonly paths: readonly PathEntry[];
  readonly cors: CorsPolicy;
  /** Whether a `Host` header names this sandbox (anything else is refused: DNS rebinding). */
  readonly hostAllowed: (host: string) => boolean;
  readonly onRequest: ((entry: RequestLogEntry) => void) | undefined;
  readonly logError: (message: string) => void;
}

/** What one answer needs besides the reply: where the request went and whether browsers may read it. */
interface Answered {
  readonly operationId: OperationId | undefined;
  readonly cors: CorsScope;
}

const NOT_ANSWERED: Answered = { operationId: undefined, cors: "none" };

function pathname(request: IncomingMessage): string {
  const target = request.url ?? "/";
  const query = target.indexOf("?");
  return query === -1 ? target : target.slice(0, query);
}

/** What the routes of one path answer, whatever the method. */
function lookUp(paths: readonly PathEntry[], path: string): { methods: string; cors: CorsScope } {
  const matching = paths.filter((entry) => entry.pattern.test(path));
  const cors = matching.length === 0 ? "none" : matching.map((entry) => entry.cors).reduce(stricter);
  return { methods: matching.map((entry) => entry.methods).join(", "), cors };
}

/**
 * Sends a reply (with the CORS headers of its path), discards what is left of the request body,
 * and logs one line. The answer is written straight to Node's response, so Hono's `Response`
 * object is never built (`RESPONSE_ALREADY_SENT`, @hono/node-server's documented way).
 */
function answer(parts: AppParts, c: Context<Env>, reply: Reply, answered: Answered): Response {
  const { incoming, outgoing } = c.env;
  const cross = parts.cors.headersFor(incoming.headers.origin, answered.cors);
  const sent = Object.keys(cross).length === 0 ? reply : { ...reply, headers: { ...reply.headers, ...cross } };
  const status = writeReply(parts.sandbox, outgoing, sent, incoming.headers.accept, answered.operationId);
  // An answer given before the body was read (413, 507, a refused credential) must reach a
  // client that is still writing: the rest is read and dropped, within bounds.
  discardRest(incoming);
  parts.onRequest?.({ method: incoming.method ?? "GET", path: pathname(incoming), status, operationId: answered.operationId });
  return RESPONSE_ALREADY_SENT;
}

/** A documented query parameter the handler does not act on is named, never dropped silently. */
function ignoredParameters(route: Route, url: URL): Record<string, string> | undefined {
  const ignored = route.ignorable.filter((name) => url.searchParams.has(name));
  return ignored.length > 0 ? { [IGNORED_PARAMETERS_HEADER]: ignored.join(", ") } : undefined;
}

/** In strict mode, a query parameter the description does not document (a typo, a renamed one) is a 400 naming it. */
function undocumentedQuery(sandbox: Sandbox, route: Route, url: URL): Reply | undefined {
  if (!sandbox.strict || route.documentedQuery === undefined) return undefined;
  const documented = route.documentedQuery;
  const unknown = [...new Set(url.searchParams.keys())].filter((name) => !documented.includes(name));
  if (unknown.length === 0) return undefined;
  const accepted = documented.length === 0 ? "it takes no query parameters" : `it takes ${documented.join(", ")}`;
  const description = `The description does not document the query parameter ${unknown.join(", ")} for this operation: ${accepted} (the sandbox is strict).`;
  // The sandbox's own refusal: an operation need not document a 400 for parameters it never takes.
  return { ...apiError(400, "invalid_request", description), outsideSpec: true };
}

/** Runs one route: the credential, the path parameters against the spec, then the handler. */
async function runRoute(sandbox: Sandbox, route: Route, c: Context<Env>): Promise<Reply> {
  const request = c.env.incoming;
  let credential: Credential | undefined;
  if (route.authenticated) {
    const result = authenticate(sandbox, request, route.scopes);
    if ("reply" in result) return result.reply;
    credential = result.credential;
    if (sandbox.failures.active) {
      const failure = sandbox.failures.beforeHandler(credential, sandbox.now());
      if (failure.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, failure.latencyMs));
      if (failure.reply) return failure.reply;
    }
  }
  let pathParams: Record<string, unknown> = c.req.param();
  if (route.operationId !== undefined && route.pathNames.length > 0) {
    const checked = sandbox.validator.validateParameters(route.operationId, "path", c.req.param());
    // A path that names no possible resource is a resource that does not exist.
    if (!checked.ok) return apiError(404, "not_found", "No such resource.");
    pathParams = checked.value;
  }
  const url = new URL(request.url ?? "/", "http://sandbox.invalid");
  const undocumented = undocumentedQuery(sandbox, route, url);
  if (undocumented !== undefined) return undocumented;
  const reply = await route.handler(sandbox, {
    request,
    url,
    // Checked against the operation's path schema, which its handler's parameter type is generated from.
    pathParams: pathParams as never,
    credential,
    readBody: (limit = sandbox.maxBodyBytes) => readBody(request, limit),
    readForm: () => readForm(request, sandbox.maxBodyBytes),
  });
  const ignored = reply.status < 400 ? ignoredParameters(route, url) : undefined;
  return ignored === undefined ? reply : { ...reply, headers: { ...reply.headers, ...ignored } };
}

/** The first answer of every request: a foreign `Host` (421), a target that is not a path (400), or a CORS preflight. */
function gate(parts: AppParts, c: Context<Env>): Response | undefined {
  const request = c.env.incoming;
  if (!parts.hostAllowed((request.headers.host ?? "").toLowerCase())) {
    const description = "This sandbox answers only requests addressed to its own host and port (start it with --allowed-host for another name).";
    return answer(parts, c, apiError(421, "invalid_request", description), NOT_ANSWERED);
  }
  if (!(request.url ?? "").startsWith("/")) return answer(parts, c, apiError(400, "invalid_request", "The request target is not a path."), NOT_ANSWERED);
  const origin = request.headers.origin;
  if (request.method === "OPTIONS" && origin !== undefined && request.headers["access-control-request-method"] !== undefined) {
    const path = lookUp(parts.paths, pathname(request));
    return answer(parts, c, parts.cors.preflight(origin, path.methods, path.cors), NOT_ANSWERED);
  }
  return undefined;
}

/** No route for this method and path: 405 with `Allow` when the path has others, else 404. */
function unrouted(parts: AppParts, c: Context<Env>): Response {
  const path = lookUp(parts.paths, pathname(c.env.incoming));
  const reply =
    path.methods === ""
      ? apiError(404, "not_found", "No such endpoint.")
      : apiError(405, "method_not_allowed", `Use ${path.methods.replaceAll(", ", " or ")}.`, { allow: path.methods });
  return answer(parts, c, reply, { operationId: undefined, cors: path.cors });
}

/** A body over its limit is a 413; anything else thrown is a bug in the sandbox, said without request data. */
function failed(parts: AppParts, c: Context<Env>, error: unknown): Response {
  const path = lookUp(parts.paths, pathname(c.env.incoming));
  if (error instanceof BodyTooLargeError) {
    // The transport's limit, answered before the body reaches the operation.
    const reply: Reply = { ...apiError(413, "invalid_request", `The body is larger than ${error.limit} bytes.`), outsideSpec: true };
    return answer(parts, c, reply, { operationId: c.get("operationId"), cors: path.cors });
  }
  parts.logError(`[mkp-mock] internal error in ${pathname(c.env.incoming)}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return answer(parts, c, apiError(500, "server_error", "The sandbox failed; see its log."), { operationId: undefined, cors: path.cors });
}

/**
 * The sandbox's HTTP application (Hono): the gate (host check, request target, preflight), the
 * housekeeping each request triggers (expired OAuth state, due fix callbacks), one route per
 * operation of the spec and per website page, and the 404/405/413/500 answers.
 */
export function sandboxApp(parts: AppParts): Hono<Env> {
  const app = new Hono<Env>();
  app.use(async (c, next) => {
    const refused = gate(parts, c);
    if (refused) return refused;
    parts.sandbox.oauth.sweepIfDue(parts.sandbox.now());
    parts.sandbox.resources.sendDueCallbacks();
    await next();
  });
  for (const route of parts.routes) {
    const answered: Answered = { operationId: route.operationId, cors: route.cors };
    app.on(route.method, route.path.replace(/\{([^}]+)\}/g, ":$1"), async (c) => {
      c.set("operationId", route.operationId);
      return answer(parts, c, await runRoute(parts.sandbox, route, c), answered);
    });
  }
  app.notFound((c) => unrouted(parts, c));
  app.onError((error, c) => failed(parts, c, error));
  return app;
}
