// The client side of the client-overhead benchmark, in its own process so that
// `process.cpuUsage()` counts only the client's work. Every variant makes the same request
// (`GET /items/149` with the API key or a bearer token) sequentially; variants take short turns
// (in a shuffled order) so that a noisy neighbour hurts them all alike. In "in-process" mode the
// network is replaced by an injected fetch that answers at once, which isolates the layers' cost.
import { API_KEY_HEADER, createClient, type paths } from "@mkp/client";
import axios from "axios";
import createFetchClient from "openapi-fetch";

/** What the parent asks for (argv[2], JSON). */
export interface ClientWorkerInput {
  baseUrl: string;
  apiKey: string;
  token: string;
  /** Requests one variant makes before the next one takes its turn. */
  batch: number;
  /** Turns of every variant that make up one block (one sample of the spread). */
  roundsPerBlock: number;
  blocks: number;
  warmupRequests: number;
  variants?: string[];
  /** "network": real HTTP to `baseUrl`; "in-process": an injected fetch answers without I/O. */
  mode: "network" | "in-process";
}

/** One variant's figures in one block. */
export interface ClientBlockResult {
  variant: string;
  block: number;
  requests: number;
  /** Client CPU of the whole block (user + system), every turn pooled. */
  cpuMs: number;
  /** Client CPU of each turn (`requests / turnCpuMicros.length` requests each), in µs, in turn order. */
  turnCpuMicros: number[];
  wallMs: number;
  p50Ms: number;
  p99Ms: number;
}

type Call = () => Promise<unknown>;

const input = JSON.parse(process.argv[2] ?? "{}") as ClientWorkerInput;
const { baseUrl, apiKey, token } = input;

function checkItem(data: unknown): void {
  if (typeof data !== "object" || data === null || (data as { id?: unknown }).id !== 149) {
    throw new Error(`unexpected response: ${JSON.stringify(data)}`);
  }
}

const ITEM = JSON.stringify({ id: 149, user_id: 7, file_name: "benchy", file_ext: "stl", status: 1, created_at: 1_700_000_000, updated_at: 1_700_000_100 });

/**
 * The in-process stand-in for fetch and the server: builds the Request that fetch would build from
 * what it is given (so a client that passes an init pays for it), checks the credential like the
 * server does, and answers at once.
 */
async function cannedFetch(input: Request | string, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const authorized = request.headers.get(API_KEY_HEADER) === apiKey || request.headers.get("authorization") === `Bearer ${token}`;
  const body = authorized && request.url.endsWith("/items/149") ? ITEM : "{}";
  return new Response(body, { status: authorized ? 200 : 401, headers: { "content-type": "application/json", "content-length": String(body.length) } });
}

function inProcessVariants(): Map<string, Call> {
  const fetch = cannedFetch;
  // Installed as the global fetch (this worker process is the bench's own), not passed as the `fetch`
  // option: @mkp/client gives a caller's `fetch` a Request, but the default fetch just the URL and
  // init, and the default path is the one the loopback figures measure.
  globalThis.fetch = fetch as typeof globalThis.fetch;
  const withKey = createClient({ apiKey, baseUrl });
  const withProvider = createClient({ accessToken: async () => token, baseUrl });
  const bare = createFetchClient<paths>({ baseUrl, headers: { [API_KEY_HEADER]: apiKey } });
  const url = `${baseUrl}/items/149`;
  const init = { params: { path: { id: 149 } } } as const;
  return new Map<string, Call>([
    ["@mkp/client (API key)", async () => checkItem((await withKey.GET("/items/{id}", init)).data)],
    ["@mkp/client (token provider)", async () => checkItem((await withProvider.GET("/items/{id}", init)).data)],
    ["openapi-fetch (bare)", async () => checkItem((await bare.GET("/items/{id}", init)).data)],
    [
      "fetch (raw)",
      async () => {
        const response = await fetch(new Request(url, { headers: { [API_KEY_HEADER]: apiKey } }));
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        checkItem(await response.json());
      },
    ],
  ]);
}

function variants(): Map<string, Call> {
  if (input.mode === "in-process") return inProcessVariants();
  const withKey = createClient({ apiKey, baseUrl });
  const withProvider = createClient({ accessToken: async () => token, baseUrl });
  const bare = createFetchClient<paths>({ baseUrl, headers: { [API_KEY_HEADER]: apiKey } });
  const ax = axios.create({ baseURL: baseUrl, headers: { [API_KEY_HEADER]: apiKey } });
  const url = `${baseUrl}/items/149`;
  const rawHeaders = { [API_KEY_HEADER]: apiKey };
  const init = { params: { path: { id: 149 } } } as const;
  return new Map<string, Call>([
    ["@mkp/client (API key)", async () => checkItem((await withKey.GET("/items/{id}", init)).data)],
    ["@mkp/client (token provider)", async () => checkItem((await withProvider.GET("/items/{id}", init)).data)],
    ["openapi-fetch (bare)", async () => checkItem((await bare.GET("/items/{id}", init)).data)],
    [
      "fetch (raw)",
      async () => {
        const response = await fetch(url, { headers: rawHeaders });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        checkItem(await response.json());
      },
    ],
    ["axios", async () => checkItem((await ax.get("/items/149")).data)],
  ]);
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface Tally {
  requests: number;
  cpuMicros: number;
  turnCpuMicros: number[];
  wallMs: number;
  latencies: number[];
}

/**
 * One turn of one variant: `requests` calls in sequence. No forced GC between turns: a full GC
 * shrinks V8's young generation and made every call ~5× dearer in a trial, so turns are long
 * enough (hundreds of calls) for each variant to meet its own scavenges.
 */
async function turn(call: Call, requests: number, tally: Tally): Promise<void> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < requests; i++) {
    const t = performance.now();
    await call();
    tally.latencies.push(performance.now() - t);
  }
  tally.wallMs += performance.now() - started;
  const used = process.cpuUsage(cpu);
  tally.cpuMicros += used.user + used.system;
  tally.turnCpuMicros.push(used.user + used.system);
  tally.requests += requests;
}

const fresh = (): Tally => ({ requests: 0, cpuMicros: 0, turnCpuMicros: [], wallMs: 0, latencies: [] });
const all = [...variants()].filter(([name]) => !input.variants || input.variants.includes(name));
// Warm every path (JIT, connection pool) before anything is recorded.
for (const [, call] of all) await turn(call, input.warmupRequests, fresh());
const results: ClientBlockResult[] = [];
// A fixed-seed shuffle of the turn order each round: which variant follows which changes, so
// whatever one leaves behind (a late socket read, garbage) does not always land on the same neighbour.
let seed = 0x9e3779b9;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}
for (let block = 0; block < input.blocks; block++) {
  const tallies = new Map(all.map(([name]) => [name, fresh()]));
  for (let round = 0; round < input.roundsPerBlock; round++) {
    for (const [name, call] of shuffled(all)) await turn(call, input.batch, tallies.get(name)!);
  }
  for (const [variant, tally] of tallies) {
    const sorted = Float64Array.from(tally.latencies).sort();
    results.push({
      variant,
      block,
      requests: tally.requests,
      cpuMs: tally.cpuMicros / 1000,
      turnCpuMicros: tally.turnCpuMicros,
      wallMs: tally.wallMs,
      p50Ms: percentile(sorted, 50),
      p99Ms: percentile(sorted, 99),
    });
  }
}
process.stdout.write(`${JSON.stringify(results)}\n`);
