import { API_KEY_EXAMPLE, OPERATIONS, type OperationId } from "@mkp/client/internal";
import { MockServerOptionsError } from "./errors.js";
import type { FailureModes } from "./failure-modes.js";
import type { FixTiming } from "./resources.js";
import { isLoopbackUrl } from "./resources.js";
import type { MockClient } from "./state.js";
import { type OpenApiDocument, SpecValidator } from "./validate.js";

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

/** Options of `startMockServer`. */
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
   * problem (and recorded in `specViolations`), and a query parameter the description does not
   * document for the operation is a 400 naming it (the OAuth endpoints excepted, which must ignore
   * unknown parameters). When false (the default) the response is logged and sent, and unknown
   * query parameters are ignored. Tests turn it on.
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
   * The validator of that description, to share one among many sandboxes (a test suite): each
   * compiles the schemas it checks once, so a shared one saves every later sandbox that work.
   * Default: a new `SpecValidator(document)`.
   */
  validator?: SpecValidator;
  /**
   * Operations to answer from the description (their documented example; the documented 404 for
   * an id the sandbox does not know) instead of the sandbox's own handler: to try a spec change
   * before the sandbox implements it. Nothing is stored, changed or deleted for them.
   */
  fromSpec?: readonly OperationId[];
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
   * Origins (`http://127.0.0.1:8080`, loopback only) that fix callbacks may go to. Default: the
   * calling app's own: a request from a web page (it carries `Origin`) is called back on that
   * page's origin only, and only when it is on this machine; a program on this machine (no
   * `Origin`, a loopback connection) on any loopback URL, as it could call it itself; anyone else
   * never. With a list, only those origins, whoever asks.
   */
  callbackOrigins?: readonly string[];
  /**
   * Most bytes of uploaded files the sandbox keeps in memory, in total; default 100 MiB. Past it an
   * upload gets 507 (delete items to make room): nothing stored is ever dropped behind a test's back.
   */
  maxStoredBytes?: number;
  /**
   * Which web origins may call the API from a browser (CORS): `true` any origin (the default),
   * `false` none, or a list such as `["http://127.0.0.1:5173"]`. The authorize page and
   * `POST /token` never allow cross-origin reads: a page must not read the consent form, and a
   * client secret has no place in a browser.
   */
  cors?: boolean | readonly string[];
  /**
   * Failures to produce on purpose, to test how an app copes: a rate limit per credential (429
   * with `Retry-After`), a share of fixes that end `failed`, a share of 503s, latency; `seed`
   * makes the choices repeatable. They apply to the API's protected operations. Default: none.
   */
  failures?: FailureModes;
  /** Called after every response (for the CLI's request log). */
  onRequest?: (entry: RequestLogEntry) => void;
  /** Where spec violations are reported; default `console.error`. */
  logError?: (message: string) => void;
}

/** The options with every default filled in: what the parts of the sandbox are built from. */
export interface Settings {
  readonly port: number;
  readonly host: string;
  readonly clients: readonly MockClient[];
  readonly apiKeys: readonly string[];
  readonly now: () => number;
  readonly autoApprove: boolean;
  readonly strict: boolean;
  readonly maxBodyBytes: number;
  readonly maxUploadBytes: number;
  readonly fixTiming: FixTiming;
  readonly validator: SpecValidator;
  readonly fromSpec: readonly OperationId[];
  readonly allowedHosts: readonly string[];
  readonly fileUrlOrigins: readonly string[];
  readonly callbackOrigins: readonly string[] | undefined;
  readonly maxStoredBytes: number;
  readonly cors: boolean | readonly string[];
  readonly failures: FailureModes;
  readonly onRequest: ((entry: RequestLogEntry) => void) | undefined;
  readonly logError: (message: string) => void;
}

function fail(message: string): never {
  throw new MockServerOptionsError(message);
}

function isOrigin(value: unknown): value is string {
  return typeof value === "string" && URL.canParse(value) && new URL(value).origin === value;
}

function checkStringList(name: string, value: unknown): void {
  if (value !== undefined && (!Array.isArray(value) || value.some((entry) => typeof entry !== "string" || entry === ""))) {
    fail(`${name} must be an array of non-empty strings`);
  }
}

function checkOrigins(options: MockServerOptions): void {
  for (const name of ["fileUrlOrigins", "callbackOrigins"] as const) {
    for (const origin of options[name] ?? []) {
      if (!isOrigin(origin) || !isLoopbackUrl(new URL(origin))) {
        fail(`${name}: ${JSON.stringify(origin.slice(0, 80))} is not a loopback origin such as http://127.0.0.1:8080`);
      }
    }
  }
  const { cors } = options;
  if (cors !== undefined && typeof cors !== "boolean" && (!Array.isArray(cors) || !cors.every(isOrigin))) {
    fail("cors must be true, false or an array of origins such as http://127.0.0.1:5173");
  }
}

function checkNumbers(options: MockServerOptions): void {
  const { port } = options;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) fail("port must be an integer from 0 to 65535");
  if (options.now !== undefined && typeof options.now !== "function") fail("now must be a function returning milliseconds");
  for (const name of ["maxBodyBytes", "maxUploadBytes", "maxStoredBytes"] as const) {
    const value = options[name];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) fail(`${name} must be a positive integer`);
  }
  for (const name of ["queuedMs", "processingMs"] as const) {
    const value = options.fixTiming?.[name];
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) fail(`fixTiming.${name} must be a number of milliseconds, 0 or more`);
  }
}

function checkFailures(failures: FailureModes | undefined): void {
  if (failures === undefined) return;
  if (typeof failures !== "object" || failures === null) fail("failures must be an object");
  const { rateLimit, failedFixes, serverErrors, latencyMs, seed } = failures;
  if (rateLimit !== undefined && !(Number.isFinite(rateLimit) && rateLimit > 0)) fail("failures.rateLimit must be a number of requests a second, above 0");
  for (const [name, share] of [
    ["failedFixes", failedFixes],
    ["serverErrors", serverErrors],
  ] as const) {
    if (share !== undefined && !(Number.isFinite(share) && share >= 0 && share <= 1)) fail(`failures.${name} must be a share from 0 to 1, such as 0.1`);
  }
  const range: unknown = typeof latencyMs === "number" ? [latencyMs, latencyMs] : (latencyMs ?? [0, 0]);
  const [min = Number.NaN, max = Number.NaN] = Array.isArray(range) && range.length === 2 ? (range as number[]) : [];
  if (!(Number.isFinite(min) && Number.isFinite(max) && min >= 0 && max >= min)) fail("failures.latencyMs must be milliseconds (0 or more), or [min, max]");
  if (seed !== undefined && !Number.isInteger(seed)) fail("failures.seed must be an integer");
}

/** RFC 6749 §3.1.2: a redirect URI is an absolute URI without a fragment. */
function isRedirectUri(uri: unknown): boolean {
  return typeof uri === "string" && URL.canParse(uri) && new URL(uri).hash === "" && !uri.includes("#");
}

function checkClients(clients: readonly MockClient[] | undefined): void {
  if (clients === undefined) return;
  if (!Array.isArray(clients)) fail("clients must be an array");
  const seen = new Set<string>();
  clients.forEach((client: MockClient, index) => {
    if ([client?.clientId, client?.clientSecret, client?.name].some((field) => typeof field !== "string" || field === "")) {
      fail(`clients[${index}] needs a non-empty clientId, clientSecret and name`);
    }
    if (seen.has(client.clientId)) fail(`clients[${index}]: clientId ${client.clientId} is registered twice`);
    seen.add(client.clientId);
    if (!Array.isArray(client.redirectUris) || client.redirectUris.length === 0) fail(`clients[${index}] needs at least one redirect URI`);
    if (!client.redirectUris.every(isRedirectUri)) fail(`clients[${index}] has a redirect URI that is not an absolute URI without a fragment`);
  });
}

/** The given validator, or one of the given (or bundled) description; both must agree. */
function validatorOf(options: MockServerOptions): SpecValidator {
  if (options.validator === undefined) return new SpecValidator(options.document);
  if (!(options.validator instanceof SpecValidator)) fail("validator must be a SpecValidator");
  if (options.document !== undefined && options.validator.document !== options.document) {
    fail("validator was built from another description than document: give one of them, or a validator of that document");
  }
  return options.validator;
}

/** Checks every option (a {@link MockServerOptionsError} names the first wrong one) and fills in the defaults. */
export function settingsFrom(options: MockServerOptions): Settings {
  checkStringList("allowedHosts", options.allowedHosts);
  checkStringList("fileUrlOrigins", options.fileUrlOrigins);
  checkStringList("callbackOrigins", options.callbackOrigins);
  checkStringList("fromSpec", options.fromSpec);
  for (const operationId of options.fromSpec ?? [])
    if (!Object.hasOwn(OPERATIONS, operationId)) fail(`fromSpec names ${operationId}, which is not an operation of the spec`);
  checkOrigins(options);
  checkNumbers(options);
  checkStringList("apiKeys", options.apiKeys);
  checkClients(options.clients);
  checkFailures(options.failures);
  return {
    port: options.port ?? 0,
    host: options.host ?? "127.0.0.1",
    clients: options.clients ?? [DEMO],
    apiKeys: options.apiKeys ?? [DEMO.apiKey],
    now: options.now ?? Date.now,
    autoApprove: options.autoApprove ?? false,
    strict: options.strict ?? false,
    maxBodyBytes: options.maxBodyBytes ?? 64 * 1024,
    maxUploadBytes: options.maxUploadBytes ?? 10 * 1024 * 1024,
    fixTiming: { queuedMs: 1000, processingMs: 5000, ...options.fixTiming },
    validator: validatorOf(options),
    fromSpec: options.fromSpec ?? [],
    allowedHosts: options.allowedHosts ?? [],
    fileUrlOrigins: options.fileUrlOrigins ?? [],
    callbackOrigins: options.callbackOrigins,
    maxStoredBytes: options.maxStoredBytes ?? 100 * 1024 * 1024,
    cors: options.cors ?? true,
    failures: options.failures ?? {},
    onRequest: options.onRequest,
    logError: options.logError ?? ((message: string) => console.error(message)),
  };
}
