import { serve, type ServerType } from "@hono/node-server";
import { startMockServer, type MockServer } from "@mkp/mock-server";
import type { AddressInfo } from "node:net";
import { createWebApp } from "./app.js";

/** A running example app, and the sandbox behind it when no real credentials were given. */
export interface RunningApp {
  url: string;
  sandbox: MockServer | undefined;
  close(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  host?: string;
  /** Environment to read `MAKEPRINTABLE_*` from. */
  env?: Record<string, string | undefined>;
  /** Options for the embedded sandbox (e.g. an injected clock in tests). */
  sandbox?: Parameters<typeof startMockServer>[0];
  /** The `fetch` the app uses to reach Makeprintable (tests observe the sandbox's answers). */
  fetch?: (request: Request) => Promise<Response>;
  /** Whether Makeprintable can call the app back when a repair is done (default: see `WebAppConfig`). */
  fixCallbacks?: boolean;
  /** The app's clock, for session expiry (tests move it). */
  now?: () => number;
}

function listen(app: ReturnType<typeof createWebApp>["fetch"], port: number, hostname: string): Promise<ServerType> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app, port, hostname }, () => resolve(server));
  });
}

/**
 * Starts the example app. With `MAKEPRINTABLE_CLIENT_ID` and `MAKEPRINTABLE_CLIENT_SECRET` set it
 * talks to the real Makeprintable (or to `MAKEPRINTABLE_BASE_URL` / `MAKEPRINTABLE_AUTHORIZE_URL`);
 * otherwise it starts `@mkp/mock-server` and uses its demo app.
 */
export async function startWebApp(options: StartOptions = {}): Promise<RunningApp> {
  const env = options.env ?? process.env;
  const host = options.host ?? "127.0.0.1";
  const real = env.MAKEPRINTABLE_CLIENT_ID && env.MAKEPRINTABLE_CLIENT_SECRET;
  const sandbox = real ? undefined : await startMockServer({ ...options.sandbox });
  // The app's URL must be known before the routes are built, so bind first and mount after.
  let handler: ReturnType<typeof createWebApp>["fetch"] = () => new Response("starting", { status: 503 });
  const server = await listen((request, ...rest) => handler(request, ...rest), options.port ?? Number(env.PORT ?? 0), host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  const cookieSecret = env.SESSION_SECRET ?? btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
  const app = sandbox
    ? createWebApp({
        clientId: sandbox.demo.clientId,
        clientSecret: sandbox.demo.clientSecret,
        appUrl: url,
        authorizeUrl: sandbox.authorizeUrl,
        apiBaseUrl: sandbox.apiUrl,
        cookieSecret,
        fetch: options.fetch,
        fixCallbacks: options.fixCallbacks,
        now: options.now,
      })
    : createWebApp({
        clientId: env.MAKEPRINTABLE_CLIENT_ID!,
        clientSecret: env.MAKEPRINTABLE_CLIENT_SECRET!,
        appUrl: env.APP_URL ?? url,
        authorizeUrl: env.MAKEPRINTABLE_AUTHORIZE_URL,
        apiBaseUrl: env.MAKEPRINTABLE_BASE_URL,
        cookieSecret,
        fetch: options.fetch,
        fixCallbacks: options.fixCallbacks,
      });
  handler = app.fetch;
  return {
    url,
    sandbox,
    async close() {
      // Browsers keep connections alive: drop them, or close() would wait for them.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
      await sandbox?.close();
    },
  };
}
