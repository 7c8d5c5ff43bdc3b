import createFetchClient, { type Client } from "openapi-fetch";
import { assertApiKey, specMiddleware, type AccessTokenProvider } from "./auth.js";
import { serializeBody } from "./body.js";
import { ClientOptionsError } from "./errors.js";
import type { paths } from "./generated/schema.js";
import { SERVER_URL } from "./generated/spec.js";
import { checkOption, ClientRequest, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, retryingFetch, sleep, type Sleep } from "./retry.js";

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
  /** Headers sent with every request. */
  headers?: Record<string, string> | undefined;
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

function checkBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ClientOptionsError(`baseUrl is not an absolute URL: ${JSON.stringify(baseUrl)}`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new ClientOptionsError(`baseUrl must be http(s), got ${url.protocol}`);
  if (url.username || url.password) throw new ClientOptionsError("baseUrl must not carry credentials");
  return baseUrl.replace(/\/+$/, "");
}

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
 */
export function createClient(options: ClientOptions = {}): MakeprintableClient {
  const { apiKey, accessToken, headers } = options;
  if (apiKey !== undefined && accessToken !== undefined) {
    throw new ClientOptionsError("give either apiKey or accessToken, not both: a request carries one credential");
  }
  if (accessToken !== undefined && typeof accessToken !== "string" && typeof accessToken !== "function") {
    throw new ClientOptionsError("accessToken must be a string or a function that returns one");
  }
  if (accessToken === "") throw new ClientOptionsError("accessToken is empty");
  // With no credential given, the environment's API key (if any).
  const key = apiKey === undefined && accessToken === undefined ? environment("MAKEPRINTABLE_API_KEY") : apiKey;
  if (key !== undefined) assertApiKey(key);
  const client = createFetchClient<paths>({
    baseUrl: checkBaseUrl(options.baseUrl ?? environment("MAKEPRINTABLE_BASE_URL") ?? SERVER_URL),
    fetch: retryingFetch(options.fetch ?? globalThis.fetch, {
      maxRetries: checkOption(options.maxRetries, DEFAULT_MAX_RETRIES, "maxRetries"),
      timeoutMs: checkOption(options.timeoutMs, DEFAULT_TIMEOUT_MS, "timeoutMs"),
      sleep: options.sleep ?? sleep,
      random: options.random ?? Math.random,
    }),
    Request: ClientRequest,
    bodySerializer: serializeBody,
    ...(headers ? { headers } : {}),
  });
  client.use(specMiddleware(key, accessToken));
  return client;
}
