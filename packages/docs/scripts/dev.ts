/**
 * `pnpm docs:dev`: serves the docs page on 127.0.0.1, rebuilds it when the spec, a sample, the
 * template, the theme or the logo is saved, and reloads the browser (server-sent events and a
 * small script added to the page only here).
 * @packageDocumentation
 */
import { spawn } from "node:child_process";
import { watch, type FSWatcher } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildDocs, PACKAGE_DIR, REPO_ROOT, type BuildOptions } from "./build.js";
import { parseArgs } from "node:util";

/** Options of {@link startDevServer}. */
export interface DevServerOptions extends BuildOptions {
  /** TCP port; default 4173, 0 for an ephemeral one. */
  port?: number | undefined;
  /** Interface; default 127.0.0.1 (the page is for you, not the network). */
  host?: string | undefined;
  /** The spec folder to watch; a save there runs `pnpm generate` first. Default `spec/`; `false` to not watch it. */
  specDir?: string | false | undefined;
  /** Where progress goes. Default `console.log`. */
  log?: ((line: string) => void) | undefined;
}

/** A running dev server. */
export interface DevServer {
  /** Where the page is served, e.g. `http://127.0.0.1:4173/`. */
  readonly url: string;
  /** How many builds finished (successful or not) since the start. */
  readonly builds: number;
  /** Rebuilds now (what a save does), resolving when the browsers were told to reload. */
  rebuild(reason: string): Promise<void>;
  close(): Promise<void>;
}

/** The path of the event stream the page listens to. */
export const LIVE_RELOAD_PATH = "/__live-reload";

// Only in dev: reload on a successful rebuild, show the error of a failed one.
const LIVE_RELOAD_SCRIPT = `<script>
(() => {
  const events = new EventSource(${JSON.stringify(LIVE_RELOAD_PATH)});
  events.addEventListener("reload", () => location.reload());
  events.addEventListener("build-error", (event) => {
    let banner = document.getElementById("mkp-build-error");
    if (!banner) {
      banner = document.createElement("pre");
      banner.id = "mkp-build-error";
      banner.style.cssText = "position:fixed;inset:auto 0 0 0;z-index:99999;margin:0;padding:12px 16px;max-height:40vh;overflow:auto;background:#7f1d1d;color:#fff;font:13px/1.4 monospace;white-space:pre-wrap";
      document.body.append(banner);
    }
    banner.textContent = "docs build failed — fix it and save again:\\n\\n" + JSON.parse(event.data);
  });
})();
</script>`;

const SERVED: Readonly<Record<string, string>> = {
  "/": "index.html",
  "/index.html": "index.html",
  "/openapi.json": "openapi.json",
  "/openapi.yaml": "openapi.yaml",
};
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  "index.html": "text/html; charset=utf-8",
  "openapi.json": "application/json; charset=utf-8",
  "openapi.yaml": "application/yaml; charset=utf-8",
};

function runGenerate(): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn("pnpm", ["generate"], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolveRun() : reject(new Error(`pnpm generate failed:\n${output}`))));
  });
}

/**
 * The builds of one dev server, one after another (a save during a build rebuilds once more
 * afterwards), and the pages listening for their outcome over server-sent events.
 */
class Builds {
  count = 0;
  lastError: string | undefined;
  #running: Promise<void> = Promise.resolve();
  #regenerate = false;
  readonly #pages = new Set<ServerResponse>();

  constructor(
    readonly options: BuildOptions & { outDir: string },
    readonly log: (line: string) => void,
  ) {}

  /** The next build runs `pnpm generate` first. */
  specChanged(): void {
    this.#regenerate = true;
  }

  /** Resolves when the builds asked for so far are done. */
  settled(): Promise<void> {
    return this.#running;
  }

  rebuild(reason: string): Promise<void> {
    this.#running = this.#running.then(() => this.#buildOnce(reason));
    return this.#running;
  }

  async #buildOnce(reason: string): Promise<void> {
    const started = performance.now();
    try {
      if (this.#regenerate) {
        this.#regenerate = false;
        await runGenerate();
      }
      const result = await buildDocs(this.options);
      this.lastError = undefined;
      this.log(`docs: rebuilt (${reason}) in ${Math.round(performance.now() - started)} ms: ${result.samples} samples`);
      this.#send("reload", reason);
    } catch (error) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.log(`docs: build failed (${reason}):\n${this.lastError}`);
      this.#send("build-error", this.lastError);
    } finally {
      this.count += 1;
    }
  }

  #send(event: string, data: unknown): void {
    for (const response of this.#pages) response.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Keeps `response` open as an event stream of the builds' outcomes, starting with the last failure. */
  follow(request: IncomingMessage, response: ServerResponse): void {
    response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" });
    response.write(": connected\n\n");
    if (this.lastError !== undefined) response.write(`event: build-error\ndata: ${JSON.stringify(this.lastError)}\n\n`);
    this.#pages.add(response);
    request.on("close", () => this.#pages.delete(response));
  }

  async close(): Promise<void> {
    for (const response of this.#pages) response.end();
    await this.#running;
  }
}

/** Answers GET/HEAD for the built page (with the live-reload script), its specs and the event stream. */
function serveDocs(builds: Builds) {
  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (request.method !== "GET" && request.method !== "HEAD") return void response.writeHead(405, { allow: "GET, HEAD" }).end();
    if (path === LIVE_RELOAD_PATH) return builds.follow(request, response);
    const file = SERVED[path];
    if (!file) return void response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end(`Not found: ${path}\n`);
    await builds.settled();
    const body = await readFile(join(builds.options.outDir, file), "utf8").catch(() => undefined);
    if (body === undefined) {
      response
        .writeHead(503, { "content-type": "text/html; charset=utf-8" })
        .end(`<!doctype html><title>No docs yet</title><pre>${builds.lastError ?? "building…"}</pre>${LIVE_RELOAD_SCRIPT}`);
      return;
    }
    const served = file === "index.html" ? body.replace(/<\/body>(?![\s\S]*<\/body>)/, `${LIVE_RELOAD_SCRIPT}\n</body>`) : body;
    response.writeHead(200, { "content-type": CONTENT_TYPES[file]!, "cache-control": "no-store" });
    response.end(request.method === "HEAD" ? undefined : served);
  };
}

/** Watches what the page is built from and rebuilds once a burst of saves has ended. */
function watchSources(options: DevServerOptions, builds: Builds): { close(): void } {
  const watchers: FSWatcher[] = [];
  const timers = new Map<string, NodeJS.Timeout>();
  const watchPath = (path: string, what: string, spec = false) => {
    const onChange = (_event: string, name: string | Buffer | null) => {
      if (spec) builds.specChanged();
      const reason = `${what}${name ? `/${name.toString()}` : ""} saved`;
      // Editors write a file in several steps: wait for the burst to end.
      clearTimeout(timers.get(what));
      timers.set(
        what,
        setTimeout(() => void builds.rebuild(reason), 120),
      );
    };
    watchers.push(watch(path, { recursive: true }, onChange));
  };
  watchPath(options.samplesDir ?? join(PACKAGE_DIR, "samples"), "samples");
  watchPath(join(PACKAGE_DIR, "template.hbs"), "template.hbs");
  watchPath(join(PACKAGE_DIR, "assets"), "assets");
  watchPath(options.configFile ?? join(REPO_ROOT, "redocly.yaml"), "redocly.yaml");
  if (options.specDir !== false) watchPath(options.specDir ?? join(REPO_ROOT, "spec"), "spec", true);
  if (options.specFile) watchPath(options.specFile, "bundled spec");
  return {
    close() {
      for (const watcher of watchers) watcher.close();
      for (const timer of timers.values()) clearTimeout(timer);
    },
  };
}

/**
 * Builds the docs, serves them and rebuilds on every save. Resolves once the first build is done
 * (a failed first build is reported on the page, and the next save retries).
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const builds = new Builds({ ...options, outDir: options.outDir ?? join(PACKAGE_DIR, "dist") }, options.log ?? ((line) => console.log(line)));
  const server = createServer(serveDocs(builds));
  const watching = watchSources(options, builds);
  await builds.rebuild("start");
  await new Promise<void>((resolveListen, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 4173, options.host ?? "127.0.0.1", () => resolveListen());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/`,
    get builds() {
      return builds.count;
    },
    rebuild: (reason) => builds.rebuild(reason),
    async close() {
      watching.close();
      await builds.close();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { port: { type: "string" } } });
  const server = await startDevServer({ port: values.port === undefined ? undefined : Number(values.port) });
  console.log(`docs: serving ${server.url} — edit spec/openapi.yaml or packages/docs/samples/** and the page reloads (Ctrl-C stops)`);
  const stop = () => void server.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}
