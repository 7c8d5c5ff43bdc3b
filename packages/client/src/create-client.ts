import createFetchClient, { type Client } from "openapi-fetch";
import { assertHeaderSafe, bearer, type AccessTokenProvider } from "./auth.js";
import { FORM, serializeBody } from "./body.js";
import { ClientOptionsError } from "./errors.js";
import type { paths } from "./generated/schema.js";
import { API_KEY_HEADER, PUBLIC_ROUTES, SERVER_URL } from "./generated/spec.js";
import { checkCount, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, retryingFetch, type ClientRequestFields, type Sleep } from "./retry.js";

/** Options of {@link createClient}. Every one is optional. */
export interface ClientOptions {
  /**
   * The account's API key, sent as the `key` header.
   * Default: `process.env.MAKEPRINTABLE_API_KEY` where `process.env` exists and no `accessToken` is given.
   */
  apiKey?: string | undefined;
  /**
   * A user's OAuth 2.0 access token, sent as `Authorization: Bearer …`; or a function, called before
   * every request, that returns the current one (so a refreshed token is picked up).
   */
  accessToken?: AccessTokenProvider | undefined;
  /**
   * The API's base URL. Default: `process.env.MAKEPRINTABLE_BASE_URL`, else the spec's server
   * ({@link SERVER_URL}). Point it at `@mkp/mock-server` in tests.
   */
  baseUrl?: string | undefined;
  /**
   * The `fetch` to use. Default: `globalThis.fetch`. It is called as `fetch(request, { signal })`:
   * honour `init.signal` for timeouts and aborts to work.
   */
  fetch?: ((request: Request, init?: RequestInit) => Promise<Response>) | undefined;
  /** Headers sent with every request: a record, a `Headers` object or name–value pairs. */
  headers?: HeadersInit | undefined;
  /**
   * How many times a GET or DELETE is retried after a 408, 429, 5xx or connection error (POSTs never
   * are). Default: 2. Per request: `client.GET(path, { maxRetries })`.
   */
  maxRetries?: number | undefined;
  /**
   * How long each attempt may wait for the response headers, in milliseconds, before it fails with
   * `APIConnectionTimeoutError` (and a GET or DELETE is retried). Default: 60 000 (one minute).
   * Per request: `client.GET(path, { timeoutMs })`.
   */
  timeoutMs?: number | undefined;
  /** Waits between retries; inject one in tests. Default: a `setTimeout` the request's signal cancels. */
  sleep?: Sleep | undefined;
  /** The jitter's random source, in [0, 1). Default: `Math.random`. */
  random?: (() => number) | undefined;
}

/** A typed client for every operation of the spec: openapi-fetch's client over our `paths`. */
export type MakeprintableClient = Client<paths>;

// `process` does not exist in browsers and some edge runtimes; an empty variable counts as unset.
const environment = (name: string): string | undefined =>
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name] || undefined;

// The call being built: openapi-fetch serialises the body and constructs the Request synchronously
// inside the call, so the method wrappers in `createClient` set these for just that span. `route` is
// the operation ("METHOD /path/{template}") whose spec facts apply; `sendsRequest` says whether a
// real `Request` is needed (a custom `fetch` or a middleware is given one) or the URL and init do;
// `authorization` is the header value from a token function, asked just before.
let route = "";
let sendsRequest = true;
let authorization: string | undefined;

/**
 * The `Request` constructor the client gives openapi-fetch: applies the spec's facts about the
 * operation (no credential where the spec says `security: []`, not even a default header; a form
 * body labelled exactly `application/x-www-form-urlencoded`), sets a token function's bearer token,
 * and notes the caller's own signal for the `fetch` wrapper. When the client's own `fetch` sends
 * the call and no middleware sees it, it makes no `Request` at all, just the URL and init that
 * `fetch` will build the only one from: in Node a `Request` costs more than all the client's other
 * work.
 */
const ClientRequest = function ClientRequest(url: string, init: RequestInit & { headers: Headers; method: string }): Request {
  const { headers, signal: userSignal } = init;
  if (PUBLIC_ROUTES.includes(route)) {
    headers.delete(API_KEY_HEADER);
    headers.delete("authorization");
  } else if (authorization) headers.set("authorization", authorization);
  // openapi-fetch labels every body that is not FormData as JSON.
  if (init.body instanceof URLSearchParams) headers.set("content-type", FORM);
  const request = (sendsRequest ? new Request(url, init) : { url, init, method: init.method, headers }) as ClientRequestFields;
  request.userSignal = userSignal;
  return request as unknown as Request;
} as unknown as typeof Request;
// openapi-fetch checks middleware results with `instanceof` this constructor.
ClientRequest.prototype = Request.prototype;

/**
 * Creates a client for the Makeprintable API.
 *
 * @example
 * const client = createClient({ apiKey: "12345weLove3DPrinting" });
 * const { data, error } = await client.POST("/token", { body: { ... } });
 *
 * Calls return openapi-fetch's `{ data } | { error }` union (pass it to `unwrap` to get typed
 * errors thrown instead); a request that gets no response throws an `APIConnectionError`,
 * `APIConnectionTimeoutError` or `APIUserAbortError`.
 *
 * @throws {ClientOptionsError} when both `apiKey` and `accessToken` are given, or a value is unusable.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1 bearer tokens in the Authorization header
 */
export function createClient(options: ClientOptions = {}): MakeprintableClient {
  const { apiKey, accessToken } = options;
  if (apiKey !== undefined && accessToken !== undefined) {
    throw new ClientOptionsError("give either apiKey or accessToken, not both");
  }
  if (typeof accessToken !== "function" && accessToken !== undefined) assertHeaderSafe(accessToken, "accessToken");
  // With no credential given, the environment's API key (if any).
  const key = apiKey === undefined && accessToken === undefined ? environment("MAKEPRINTABLE_API_KEY") : apiKey;
  if (key !== undefined) assertHeaderSafe(key, "apiKey");
  const baseUrl = options.baseUrl ?? environment("MAKEPRINTABLE_BASE_URL") ?? SERVER_URL;
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {}
  // Never echoes the value: it may hold a password.
  if (!/^https?:$/.test(url?.protocol as string) || url?.username || url?.password) {
    throw new ClientOptionsError("baseUrl must be an absolute http(s) URL without credentials");
  }
  let headers: Record<string, string>;
  try {
    headers = Object.fromEntries(new Headers(options.headers));
  } catch {
    // Never echoes the value (fetch's own error would): it may be a secret.
    throw new ClientOptionsError("headers must be valid HTTP header names and values");
  }
  // A `fetch` or middleware of the caller's may expect a `Request` (see ClientRequest).
  let sendRequests = options.fetch !== undefined;
  const client = createFetchClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ""),
    // The credential travels as a default header (ClientRequest drops it where the spec says so);
    // a token function is called per request by the method wrapper.
    headers: {
      ...headers,
      ...(key !== undefined ? { [API_KEY_HEADER]: key } : typeof accessToken === "string" ? { authorization: `Bearer ${accessToken}` } : {}),
    },
    fetch: retryingFetch(
      options.fetch ?? globalThis.fetch,
      options,
      checkCount(options.maxRetries ?? DEFAULT_MAX_RETRIES, "maxRetries", 0),
      checkCount(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, "timeoutMs", 1),
    ),
    Request: ClientRequest,
    bodySerializer: (body: unknown, headers?: Headers) => serializeBody(route, body, headers),
  });
  type Call = (...args: unknown[]) => unknown;
  const methods = client as unknown as Record<string, Call>;
  const request = methods.request!;
  // Every call goes through `request`, which notes its route (and so on) for the span of the call.
  const call = (operation: string, method: unknown, path: unknown, init: unknown, bearerToken?: string) => {
    const { fetch, middleware } = (init ?? {}) as { fetch?: unknown; middleware?: unknown[] };
    route = operation;
    sendsRequest = sendRequests || fetch !== undefined || !!middleware?.length;
    authorization = bearerToken;
    try {
      return request(method, path, init);
    } finally {
      route = "";
      authorization = undefined;
    }
  };
  methods.request = (method, path, init) => {
    const operation = `${(method as string).toUpperCase()} ${path as string}`;
    // A token function is asked once per request (not per attempt; never for a public operation),
    // before openapi-fetch builds the request, so middleware sees the header.
    return typeof accessToken === "function" && !PUBLIC_ROUTES.includes(operation)
      ? bearer(accessToken).then((value) => call(operation, method, path, init, value))
      : call(operation, method, path, init);
  };
  const use = methods.use!;
  methods.use = (...middleware) => {
    sendRequests = true;
    return use(...middleware);
  };
  for (const method in client) if (/^[A-Z]+$/.test(method)) methods[method] = (path, init) => methods.request!(method, path, init);
  return client;
}
