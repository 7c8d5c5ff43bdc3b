import { AUTHORIZATION_URL, SERVER_URL, TOKEN_URL } from "@mkp/client";
import { OPERATION_INPUTS, OPERATIONS, type OperationId } from "@mkp/client/internal";
import { authorizeHandler, decisionHandler } from "./authorize.js";
import type { Handler } from "./context.js";
import { type CorsScope, stricter } from "./cors.js";
import { specHandler } from "./from-spec.js";
import { METADATA_PATH, metadataHandler } from "./metadata.js";
import { downloadHandler, resourceHandlers } from "./resources.js";
import { tokenHandler } from "./token.js";
import type { SpecValidator } from "./validate.js";

function pathOf(url: string): string {
  return new URL(url).pathname.replace(/\/$/, "");
}

// The API is mounted at the path of the spec's server URL (`/v1`), the website at the root.
/** Where the API is mounted: the path of the spec's server URL, `/v1`. */
export const API_BASE_PATH = pathOf(SERVER_URL);
/** Where the authorize page is: the path of the spec's authorization URL. */
export const AUTHORIZE_PATH = new URL(AUTHORIZATION_URL).pathname;
/** The consent form's target: the sandbox's website, not an API operation. */
export const DECISION_PATH = `${AUTHORIZE_PATH}/decision`;
/** The token endpoint's path. */
export const TOKEN_ENDPOINT_PATH = new URL(TOKEN_URL).pathname;

// The OAuth 2.0 endpoints of the spec's security scheme: a page must not read the consent form,
// and the code exchange carries a client secret, which has no place in a browser.
const OAUTH_ENDPOINTS: ReadonlySet<string> = new Set([AUTHORIZATION_URL, TOKEN_URL]);

/** The operations the sandbox answers with its own (stateful) code, each with its handler. */
const OWN_HANDLERS = {
  authorize: authorizeHandler(DECISION_PATH),
  createToken: tokenHandler,
  ...resourceHandlers,
} satisfies { readonly [Op in OperationId]?: Handler<never> };
const HANDLERS: { readonly [Op in OperationId]?: Handler<never> } = OWN_HANDLERS;

/**
 * What each hand-written operation changes in the sandbox, said for `pnpm spec:status`: a
 * handler added without saying what it changes does not compile. Reading operations change nothing.
 */
const HANDLER_EFFECTS: { readonly [Op in keyof typeof OWN_HANDLERS]: readonly string[] } = {
  authorize: ["on approval, issues a one-time code for the redirect URI"],
  createToken: ["uses up the code and issues an access token"],
  createItem: ["stores the item in the caller's account (its bytes count against maxStoredBytes)"],
  listItems: [],
  getItem: [],
  deleteItem: ["deletes the item and frees its bytes"],
  createFix: ["starts a fix that is done on the sandbox's clock", "POSTs the fixDone callback to callback_url when it is done"],
  listFixes: [],
  getFix: [],
};

const EFFECTS_BY_OPERATION: { readonly [Op in OperationId]?: readonly string[] } = HANDLER_EFFECTS;

/** How the sandbox answers one operation, and what answering it changes. */
export interface OperationEffects {
  /** `handler`: the sandbox's own code and state; `example`: the description's documented answer. */
  readonly answeredFrom: "handler" | "example";
  /** What a successful call changes in the sandbox (empty: nothing). */
  readonly effects: readonly string[];
  /** For an operation answered from its example: an id the sandbox does not know gets the description's 404. */
  readonly unknownIds?: "404";
}

/**
 * Every operation of the spec the sandbox was built from, with how it is answered and what that
 * changes: hand-written ones as their handler says, every other one from the description's example,
 * changing nothing (the real API's side effect is not imitated). `pnpm spec:status` prints it.
 */
export const OPERATION_EFFECTS: Readonly<Record<string, OperationEffects>> = Object.freeze(
  Object.fromEntries(
    (Object.keys(OPERATIONS) as OperationId[]).map((operationId): [string, OperationEffects] => {
      const effects = EFFECTS_BY_OPERATION[operationId];
      return [operationId, effects === undefined ? { answeredFrom: "example", effects: [], unknownIds: "404" } : { answeredFrom: "handler", effects }];
    }),
  ),
);

/** The query parameters an operation has in the spec the sandbox was built from: its hand-written handler acts on each. */
function specQuery(operationId: OperationId): string[] {
  const inputs: Readonly<Record<string, string>> = OPERATION_INPUTS[operationId].in;
  return Object.keys(inputs).filter((name) => inputs[name] === "query");
}

/**
 * The operations the sandbox has hand-written (stateful) handlers for, each with the query
 * parameters it acts on: those of the spec it was built from. Every other operation is answered
 * from the description's examples, and a query parameter only a given `document` has is checked,
 * then named in `x-mkp-sandbox-ignored`. `pnpm spec:status` lists both.
 */
export const HANDWRITTEN_OPERATIONS: Readonly<Record<string, readonly string[]>> = Object.freeze(
  Object.fromEntries(Object.keys(HANDLERS).map((operationId) => [operationId, specQuery(operationId as OperationId)])),
);

/** One route, with what the spec says about it worked out once, when the sandbox starts. */
export interface Route {
  readonly method: string;
  /** The path template, e.g. `/v1/items/{id}`. */
  readonly path: string;
  readonly operationId: OperationId | undefined;
  readonly handler: Handler<never>;
  /** Who may read its answers from a browser on another origin (the strictest of its path's routes). */
  readonly cors: CorsScope;
  /** Whether it needs a credential, and which scopes a token with scopes must carry. */
  readonly authenticated: boolean;
  readonly scopes: (typeof OPERATIONS)[OperationId]["scopes"];
  /** Its path parameters' names, in order. */
  readonly pathNames: readonly string[];
  /** Query parameters the description documents that its handler does not act on. */
  readonly ignorable: readonly string[];
  /**
   * The query parameters the description documents, which are all a strict sandbox accepts; or
   * undefined where any is accepted: the website, and the OAuth endpoints, which must ignore
   * parameters they do not know (RFC 6749 §3.1, §3.2).
   */
  readonly documentedQuery: readonly string[] | undefined;
}

/** Whether an operation is one of the spec's OAuth 2.0 endpoints (`/authorize`, `/token`). */
function isOAuthEndpoint(operationId: OperationId): boolean {
  const operation = OPERATIONS[operationId];
  return OAUTH_ENDPOINTS.has(`${operation.serverUrl}${operation.path}`);
}

/**
 * The OAuth 2.0 endpoints of the spec's security scheme are never readable cross-origin; an
 * operation with callbacks (`POST /fixes`) only by pages on this machine, so a page elsewhere
 * cannot start a fix at all; every other operation as the `cors` option says.
 */
function corsScope(operationId: OperationId, validator: SpecValidator): CorsScope {
  if (isOAuthEndpoint(operationId)) return "none";
  return validator.callbackNames(operationId).length > 0 ? "local-pages" : "api";
}

function operationRoute(operationId: OperationId, validator: SpecValidator, fromSpec: readonly OperationId[]): Route {
  const operation = OPERATIONS[operationId];
  const path = `${operation.serverUrl === SERVER_URL ? API_BASE_PATH : pathOf(operation.serverUrl)}${operation.path}`;
  const implemented = HANDWRITTEN_OPERATIONS[operationId] ?? [];
  const documented = validator.parameterNames(operationId, "query");
  return {
    method: operation.method,
    path,
    operationId,
    handler: (fromSpec.includes(operationId) ? undefined : HANDLERS[operationId]) ?? specHandler(operationId),
    cors: corsScope(operationId, validator),
    authenticated: operation.authenticated,
    scopes: operation.scopes,
    pathNames: [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? ""),
    ignorable: documented.filter((name) => !implemented.includes(name)),
    documentedQuery: isOAuthEndpoint(operationId) ? undefined : documented,
  };
}

function siteRoute(method: string, path: string, handler: Handler<never>, cors: CorsScope): Route {
  const pathNames = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] ?? "");
  return { method, path, operationId: undefined, handler, cors, authenticated: false, scopes: [], pathNames, ignorable: [], documentedQuery: undefined };
}

/**
 * Every route of the sandbox: every operation of the spec (the stateful ones their hand-written
 * handler, any other the answer the description documents, so an operation added to the spec is
 * served the moment the client is regenerated), the consent form, download links and the
 * authorization-server metadata. `fromSpec` names operations answered from the description even
 * though they have a handler.
 */
export function sandboxRoutes(validator: SpecValidator, fromSpec: readonly OperationId[] = []): Route[] {
  const routes = [
    ...(Object.keys(OPERATIONS) as OperationId[]).map((operationId) => operationRoute(operationId, validator, fromSpec)),
    siteRoute("POST", DECISION_PATH, decisionHandler(), "none"),
    siteRoute("GET", "/downloads/{token}/{file}", downloadHandler, "api"),
    siteRoute("GET", METADATA_PATH, metadataHandler, "api"),
  ];
  // One path, one CORS answer: the preflight cannot tell which of its methods will follow.
  return routes.map((route) => ({
    ...route,
    cors: routes.filter((other) => other.path === route.path).reduce((scope, other) => stricter(scope, other.cors), route.cors),
  }));
}

/** What a path answers, whatever the method: for preflights and 405s. */
export interface PathEntry {
  readonly pattern: RegExp;
  /** The methods it answers, e.g. `GET, POST`. */
  readonly methods: string;
  readonly cors: CorsScope;
}

function pattern(template: string): RegExp {
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith("{") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("");
  return new RegExp(`^${source}$`);
}

/** The routes grouped by path template. */
export function pathEntries(routes: readonly Route[]): PathEntry[] {
  const templates = [...new Set(routes.map((route) => route.path))];
  return templates.map((template) => {
    const mine = routes.filter((route) => route.path === template);
    return { pattern: pattern(template), methods: mine.map((route) => route.method).join(", "), cors: mine[0]?.cors ?? "none" };
  });
}
