import createFetchClient, { type Client } from "openapi-fetch";
import { assertApiKey, authMiddleware, type AccessTokenProvider } from "./auth.js";
import { ClientOptionsError } from "./errors.js";
import { formMiddleware } from "./form.js";
import type { paths } from "./generated/schema.js";
import { SERVER_URL } from "./generated/spec.js";

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
   * (`https://api.makeprintable.com/v1`). Point it at `@mkp/mock-server` in tests.
   */
  baseUrl?: string | undefined;
  /** The `fetch` to use. Default: `globalThis.fetch`. */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
  /** Headers sent with every request. */
  headers?: Record<string, string> | undefined;
}

/** A typed client for every operation of the spec: openapi-fetch's client over our `paths`. */
export type MakeprintableClient = Client<paths>;

function environment(name: string): string | undefined {
  // `process` does not exist in browsers and some edge runtimes.
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  const value = env?.[name];
  return value === "" ? undefined : value;
}

function checkBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ClientOptionsError(`baseUrl is not an absolute URL: ${JSON.stringify(baseUrl)}`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ClientOptionsError(`baseUrl must be http(s), got ${url.protocol}`);
  }
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
 * @throws {ClientOptionsError} when both `apiKey` and `accessToken` are given, or a value is unusable.
 */
export function createClient(options: ClientOptions = {}): MakeprintableClient {
  const { apiKey, accessToken, fetch, headers } = options;
  if (apiKey !== undefined && accessToken !== undefined) {
    throw new ClientOptionsError("give either apiKey or accessToken, not both: a request carries one credential");
  }
  if (apiKey !== undefined) assertApiKey(apiKey);
  if (accessToken !== undefined && typeof accessToken !== "string" && typeof accessToken !== "function") {
    throw new ClientOptionsError("accessToken must be a string or a function that returns one");
  }
  if (typeof accessToken === "string" && accessToken.length === 0) throw new ClientOptionsError("accessToken is empty");
  const envKey = apiKey === undefined && accessToken === undefined ? environment("MAKEPRINTABLE_API_KEY") : undefined;
  if (envKey !== undefined) assertApiKey(envKey);
  const baseUrl = checkBaseUrl(options.baseUrl ?? environment("MAKEPRINTABLE_BASE_URL") ?? SERVER_URL);

  const client = createFetchClient<paths>({
    baseUrl,
    ...(fetch ? { fetch } : {}),
    ...(headers ? { headers } : {}),
  });
  client.use(formMiddleware);
  const key = apiKey ?? envKey;
  client.use(authMiddleware(key !== undefined ? { apiKey: key } : accessToken !== undefined ? { accessToken } : {}));
  return client;
}
