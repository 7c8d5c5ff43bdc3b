import createFetchClient, {
  mergeHeaders,
  type Client,
  type ClientPathsWithMethod,
  type FetchResponse,
  type HeadersOptions,
  type MaybeOptionalInit,
} from "openapi-fetch";
import { secretsOf } from "./api-error.js";
import { bearer, type AccessTokenProvider } from "./auth.js";
import { contentTypeOf, serializeBody } from "./body.js";
import { ClientOptionsError } from "./errors.js";
import type { paths } from "./generated/schema.js";
import { API_KEY_HEADER, PUBLIC_ROUTES } from "./generated/spec.js";
import { checkBaseUrl, checkCredential, given, resolveApiKey, resolveBaseUrl } from "./internal/settings.js";
import type { Fetch } from "./redirect.js";
import { checkCount, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, sendWithRetries, sleep, type RequestOptions, type Sleep } from "./retry.js";
import { withRequestSecrets } from "./unwrap.js";

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
   * The `fetch` to use. Default: `globalThis.fetch`. It is called with one `Request` per attempt,
   * whose `signal` carries timeouts and aborts and whose `redirect` is `"manual"` (the client
   * follows redirects itself, so credentials stay on their origin): keep both.
   */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
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
  /**
   * Lets the client send the credential over plain `http://` to a host that is not loopback.
   * Default: `false` (https, or http only to 127.0.0.1, `localhost` or `[::1]`).
   */
  allowInsecureHttp?: boolean | undefined;
}

type HttpMethod = "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace";
type Media = `${string}/${string}`;
type RequiredKeysOf<T> = { [K in keyof T]-?: Record<never, never> extends Pick<T, K> ? never : K }[keyof T];
type PathItem<Path> = paths[Path & keyof paths];
type PathsOf<M extends HttpMethod> = ClientPathsWithMethod<Client<paths>, M>;
/** What a call accepts: openapi-fetch's per-request options and {@link RequestOptions}. */
type KnownInit<Path, M extends HttpMethod> = NonNullable<MaybeOptionalInit<PathItem<Path>, M & keyof PathItem<Path>>> & RequestOptions;
// Any option outside the known ones becomes `never`, so a misspelled one (`timeoutMS`) is a compile
// error: openapi-fetch itself lets any extra key through.
type Exact<Init, Known> = Init & NoInfer<{ [K in Exclude<keyof Init, keyof Known>]: never }>;
type ExactInit<Init, Path, M extends HttpMethod> = Exact<Init, KnownInit<Path, M>>;
// The paths whose calls need options (path parameters or a body). Two signatures rather than one
// conditional parameter list: TypeScript then infers `Init` literally, so `parseAs` types `data`.
type NeedsInit<M extends HttpMethod> = { [P in PathsOf<M>]: RequiredKeysOf<KnownInit<P, M>> extends never ? never : P }[PathsOf<M>];
type Result<Path, M extends HttpMethod, Init> = Promise<
  FetchResponse<PathItem<Path>[M & keyof PathItem<Path>] & Record<string | number, unknown>, Init, Media>
>;
type Method<M extends HttpMethod> = {
  <Path extends Exclude<PathsOf<M>, NeedsInit<M>>, const Init extends KnownInit<Path, M>>(url: Path, init?: ExactInit<Init, Path, M>): Result<Path, M, Init>;
  <Path extends NeedsInit<M>, const Init extends KnownInit<Path, M>>(url: Path, init: ExactInit<Init, Path, M>): Result<Path, M, Init>;
};
type RequestMethod = {
  <M extends HttpMethod, Path extends Exclude<PathsOf<M>, NeedsInit<M>>, const Init extends KnownInit<Path, M>>(
    method: M,
    url: Path,
    init?: ExactInit<Init, Path, M>,
  ): Result<Path, M, Init>;
  <M extends HttpMethod, Path extends NeedsInit<M>, const Init extends KnownInit<Path, M>>(
    method: M,
    url: Path,
    init: ExactInit<Init, Path, M>,
  ): Result<Path, M, Init>;
};

/**
 * A typed client for every operation of the spec: openapi-fetch's client over our `paths`, whose
 * methods also take {@link RequestOptions} and refuse, at compile time and at run time, any
 * option they do not know.
 */
export type MakeprintableClient = Omit<Client<paths>, "request" | Uppercase<HttpMethod>> & {
  [M in HttpMethod as Uppercase<M>]: Method<M>;
} & { request: RequestMethod };

// Every option's name, checked against `ClientOptions` by the compiler, to refuse unknown ones.
const OPTION_NAMES = Object.keys({
  apiKey: 1,
  accessToken: 1,
  baseUrl: 1,
  fetch: 1,
  headers: 1,
  maxRetries: 1,
  timeoutMs: 1,
  sleep: 1,
  random: 1,
  allowInsecureHttp: 1,
} satisfies Record<keyof ClientOptions, 1>);
// What one call accepts: openapi-fetch's per-request options, the `RequestInit` fields it passes
// on to `fetch`, and the client's own.
const REQUEST_OPTION_NAMES = [
  ...Object.keys({ maxRetries: 1, timeoutMs: 1 } satisfies Record<keyof RequestOptions, 1>),
  ...["params", "body", "headers", "signal", "fetch", "parseAs", "bodySerializer", "querySerializer", "pathSerializer", "baseUrl", "middleware"],
  ...[
    "cache",
    "credentials",
    "integrity",
    "keepalive",
    "method",
    "mode",
    "priority",
    "redirect",
    "referrer",
    "referrerPolicy",
    "window",
    "duplex",
    "dispatcher",
  ],
];
const METHODS = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"] as const;
// Removes a credential, default headers' included, where the spec says `security: []`.
const NO_CREDENTIAL = { [API_KEY_HEADER]: null, authorization: null };

/**
 * Refuses an option that is not in `known` (JavaScript callers get no compiler check), naming the
 * nearest: `what` is "option" for `createClient`, "per-request option" for a call.
 */
function checkOptionNames(options: object, known: readonly string[], what: string): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    // Near: the same letters in any case, or a part of a name ("baseURL", "timeout", "retries").
    const nearest = name.length >= 3 && known.find((candidate) => candidate.toLowerCase().includes(name.toLowerCase()));
    throw new ClientOptionsError(
      `unknown ${what} "${name.slice(0, 40)}"${nearest ? `: did you mean "${nearest}"?` : `; the ${what}s are ${known.join(", ")}`}`,
    );
  }
}

const INSECURE_OVERRIDE = "allowInsecureHttp: true";

/** What one call takes: openapi-fetch's per-request options plus the client's own. */
type CallInit = RequestOptions & {
  headers?: HeadersOptions;
  body?: unknown;
  signal?: AbortSignal | null;
  fetch?: Fetch;
  baseUrl?: string;
  bodySerializer?: unknown;
};

/**
 * Creates a client for the Makeprintable API.
 *
 * @example
 * const client = createClient({ apiKey: "12345weLove3DPrinting" });
 * const { data, error } = await client.GET("/items/{id}", { params: { path: { id: 149 } } });
 *
 * Calls return openapi-fetch's `{ data } | { error }` union (pass it to `unwrap` to get typed
 * errors thrown instead); a request that gets no response throws an `APIConnectionError`,
 * `APIConnectionTimeoutError`, `RedirectRefusedError` or `APIUserAbortError`.
 *
 * @throws {ClientOptionsError} for an unknown option, both `apiKey` and `accessToken`, or an unusable value.
 * @see https://www.rfc-editor.org/rfc/rfc6750#section-2.1 bearer tokens in the Authorization header
 */
export function createClient(options: ClientOptions = {}): MakeprintableClient {
  checkOptionNames(options, OPTION_NAMES, "option");
  const { apiKey, accessToken, allowInsecureHttp } = options;
  if (apiKey !== undefined && accessToken !== undefined) {
    throw new ClientOptionsError("give either apiKey or accessToken, not both");
  }
  if (typeof accessToken !== "function" && accessToken !== undefined) checkCredential({ value: accessToken, source: "accessToken" });
  // With no credential given, the environment's API key (if any).
  const keySetting = accessToken === undefined ? resolveApiKey(given(apiKey, "apiKey")) : undefined;
  const key = keySetting && checkCredential(keySetting);
  const urlCheck = { allowInsecureHttp, insecureOverride: INSECURE_OVERRIDE };
  const baseUrl = checkBaseUrl(resolveBaseUrl(given(options.baseUrl, "baseUrl")), urlCheck);
  let defaultHeaders: Headers;
  try {
    defaultHeaders = new Headers(options.headers);
  } catch {
    // Never echoes the value (fetch's own error would): it may be a secret.
    throw new ClientOptionsError("headers must be valid HTTP header names and values");
  }
  const maxRetries = checkCount(options.maxRetries ?? DEFAULT_MAX_RETRIES, "maxRetries", 0);
  const timeoutMs = checkCount(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, "timeoutMs", 1);
  // The credential every call sends, unless a token function gives one per call (see `call`).
  const fixedCredential = key !== undefined ? { [API_KEY_HEADER]: key } : typeof accessToken === "string" ? { authorization: `Bearer ${accessToken}` } : {};
  const client = createFetchClient<paths>({ baseUrl });
  const request = client.request as unknown as (method: string, path: string, init: object) => Promise<FetchResponse<never, never, never>>;

  // One call: its operation decides the credential and the body's encoding, and everything it
  // needs travels in its own per-request options (openapi-fetch's documented extension points).
  async function call(method: string, path: string, init: CallInit = {}) {
    checkOptionNames(init, REQUEST_OPTION_NAMES, "per-request option");
    const { maxRetries: retries = maxRetries, timeoutMs: ms = timeoutMs, fetch = options.fetch, headers, ...rest } = init;
    if (rest.baseUrl !== undefined) checkBaseUrl({ value: rest.baseUrl, source: "the call's baseUrl" }, urlCheck);
    const route = `${method} ${path}`;
    const isPublic = PUBLIC_ROUTES.includes(route);
    // A token function is asked here: once per request (never per attempt), never for a public operation.
    const credential = isPublic ? undefined : typeof accessToken === "function" ? { authorization: await bearer(accessToken) } : fixedCredential;
    const callHeaders = mergeHeaders(contentTypeOf(route, rest.body), defaultHeaders, credential, headers, isPublic ? NO_CREDENTIAL : undefined);
    const secrets = new Set(secretsOf(callHeaders));
    const send = sendWithRetries({
      fetch,
      maxRetries: checkCount(retries, "maxRetries", 0),
      timeoutMs: checkCount(ms, "timeoutMs", 1),
      signal: rest.signal ?? undefined,
      sleep: options.sleep ?? sleep,
      random: options.random ?? Math.random,
      secrets,
    });
    const result = await request(method, path, {
      bodySerializer: (body: unknown, headers?: Headers) => serializeBody(route, body, headers),
      ...rest,
      headers: callHeaders,
      fetch: send,
    });
    return withRequestSecrets(result, secrets);
  }
  const methods = Object.fromEntries(METHODS.map((method) => [method, (path: string, init?: CallInit) => call(method, path, init)]));
  return {
    ...client,
    ...methods,
    request: (method: string, path: string, init?: CallInit) => call(method.toUpperCase(), path, init),
  } as unknown as MakeprintableClient;
}
