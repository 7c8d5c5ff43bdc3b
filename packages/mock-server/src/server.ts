import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { OperationId } from "@mkp/client/internal";
import { sandboxApp } from "./app.js";
import type { Sandbox } from "./context.js";
import { CorsPolicy } from "./cors.js";
import { SpecViolationError } from "./errors.js";
import { Failures, type SandboxStats } from "./failure-modes.js";
import { DEMO, type DemoCredentials, type MockServerOptions, type Settings, settingsFrom } from "./options.js";
import { type FileUrlRecord, type FixCallbackDelivery, ResourceState } from "./resources.js";
import { API_BASE_PATH, AUTHORIZE_PATH, pathEntries, sandboxRoutes, TOKEN_ENDPOINT_PATH } from "./routes.js";
import { OAuthState } from "./state.js";

export type { FailureModes, SandboxStats } from "./failure-modes.js";
export { DEMO, type DemoCredentials, type MockServerOptions, type RequestLogEntry } from "./options.js";
export type { FileUrlRecord, FixCallbackDelivery, FixTiming } from "./resources.js";
export { HANDWRITTEN_OPERATIONS, OPERATION_EFFECTS, type OperationEffects } from "./routes.js";
export type { MockClient } from "./state.js";

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
  /**
   * What the sandbox has done so far: items uploaded, fixes started and failed, requests answered
   * 429 or 503 on purpose, and the failure modes' seed (to repeat a run).
   */
  stats(): SandboxStats;
  /** Stops listening, cancels pending callback timers and closes open connections. */
  close(): Promise<void>;
}

/** Listens on the configured interface and port; resolves with the origin the sandbox answers on. */
async function listen(server: Server, settings: Settings): Promise<{ origin: string; host: string; port: number }> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(settings.port, settings.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return { origin: `http://${host}:${address.port}`, host, port: address.port };
}

/** The `Host` names the sandbox answers: its address and the loopback names on its port, and the configured ones. */
function hostCheck(host: string, port: number, extra: readonly string[]): (given: string) => boolean {
  const allowed = new Set([host, "localhost", "127.0.0.1", "[::1]"].map((name) => `${name}:${port}`));
  for (const entry of extra) allowed.add(entry.toLowerCase());
  // A configured bare name (`sandbox.test`) is answered on any port.
  return (given) => allowed.has(given) || allowed.has(given.replace(/:\d+$/, ""));
}

/** The handlers' view of the sandbox: its clock, state, validator and the violation log. */
function createSandbox(settings: Settings, publicUrl: string, specViolations: SpecViolationError[]): Sandbox {
  const shared = {
    now: () => settings.now(),
    validator: settings.validator,
    publicUrl,
    reportViolations(operationId: OperationId, what: string, problems: readonly string[]): string | undefined {
      if (problems.length === 0) return undefined;
      const violation = new SpecViolationError(operationId, what, problems);
      specViolations.push(violation);
      settings.logError(`[mkp-mock] ${violation.message}`);
      return settings.strict ? violation.message : undefined;
    },
  };
  const failures = new Failures(settings.failures);
  return {
    ...shared,
    failures,
    oauth: new OAuthState(settings.clients, settings.apiKeys, 8),
    autoApprove: settings.autoApprove,
    strict: settings.strict,
    maxBodyBytes: settings.maxBodyBytes,
    maxUploadBytes: settings.maxUploadBytes,
    fileUrlOrigins: settings.fileUrlOrigins,
    callbackOrigins: settings.callbackOrigins,
    resources: new ResourceState(shared, settings.fixTiming, settings.maxStoredBytes, (fixId) => failures.fixFails(fixId)),
  };
}

/**
 * Starts the Makeprintable sandbox: a real HTTP server (node:http, routed by Hono) that serves the
 * authorize page, the token endpoint and every API operation of the bundled OpenAPI description,
 * validating every request and response against it, with all state in memory.
 *
 * @example
 * const server = await startMockServer({ strict: true });
 * const client = createClient({ baseUrl: server.apiUrl, apiKey: server.demo.apiKey });
 * await server.close();
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const settings = settingsFrom(options);
  const server = createServer();
  // A malformed request line or header never reaches the application: answer it here.
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    else socket.destroy();
  });
  // The application is built once the port (and so the sandbox's own URL) is known; no request
  // can arrive in between, as the listening callback and this continuation run in one turn.
  const { origin, host, port } = await listen(server, settings);
  const specViolations: SpecViolationError[] = [];
  const sandbox = createSandbox(settings, origin, specViolations);
  const routes = sandboxRoutes(sandbox.validator, settings.fromSpec);
  const app = sandboxApp({
    sandbox,
    routes,
    paths: pathEntries(routes),
    cors: new CorsPolicy(settings.cors),
    hostAllowed: hostCheck(host, port, settings.allowedHosts),
    onRequest: settings.onRequest,
    logError: settings.logError,
  });
  // Node's own Request and Response stay the global ones, and request bodies are the handlers' to read.
  server.on("request", getRequestListener(app.fetch, { overrideGlobalObjects: false, autoCleanupIncoming: false }));
  let closed: Promise<void> | undefined;
  return {
    url: origin,
    apiUrl: `${origin}${API_BASE_PATH}`,
    authorizeUrl: `${origin}${AUTHORIZE_PATH}`,
    tokenUrl: `${origin}${TOKEN_ENDPOINT_PATH}`,
    demo: DEMO,
    specViolations,
    callbacks: sandbox.resources.deliveries,
    fileUrls: sandbox.resources.fileUrls,
    flushCallbacks: () => sandbox.resources.deliverDue(),
    stats: () => ({ ...sandbox.resources.counts(), ...sandbox.failures.counts() }),
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
