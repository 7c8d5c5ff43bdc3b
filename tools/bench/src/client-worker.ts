// The client side of the client-overhead benchmark, in its own process so that
// `process.cpuUsage()` counts only the client's work. Every variant makes the same request
// (`GET /items/149` with the API key or a bearer token) sequentially. tinybench times and
// summarises: one of its iterations is one turn of `batch` requests, its clock is this process's
// CPU time, and each block is one tinybench run of every variant (in a shuffled order, so that a
// noisy neighbour hurts them all alike). In "in-process" mode the network is replaced by an
// injected fetch that answers at once, which isolates the layers' cost.
import { API_KEY_HEADER, createClient, type paths } from "@mkp/client";
import axios from "axios";
import createFetchClient from "openapi-fetch";
import { Bench } from "tinybench";

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

/** One variant's figures in one block: tinybench's statistics of its turns' client CPU. */
export interface ClientBlockResult {
  variant: string;
  block: number;
  /** Requests per turn (one tinybench iteration). */
  batch: number;
  turns: number;
  /** Client CPU (user + system) of a turn, in ms: the median (p50) and the mean of the block's turns. */
  turnCpuP50Ms: number;
  turnCpuMeanMs: number;
  /** tinybench's relative margin of error of the mean (95 %), in percent. */
  rme: number;
  /** Wall time of the block's turns, in ms. */
  wallMs: number;
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

/** The variants, each making the same checked `GET /items/149`. */
function variants(): Map<string, Call> {
  const inProcess = input.mode === "in-process";
  // Installed as the global fetch (this worker process is the bench's own), not passed as the `fetch`
  // option: @mkp/client gives a caller's `fetch` a Request, but the default fetch just the URL and
  // init, and the default path is the one the loopback figures measure.
  if (inProcess) globalThis.fetch = cannedFetch as typeof globalThis.fetch;
  const withKey = createClient({ apiKey, baseUrl });
  const withProvider = createClient({ accessToken: async () => token, baseUrl });
  const headers = { [API_KEY_HEADER]: apiKey };
  const bare = createFetchClient<paths>({ baseUrl, headers });
  const url = `${baseUrl}/items/149`;
  const init = { params: { path: { id: 149 } } } as const;
  const calls = new Map<string, Call>([
    ["@mkp/client (API key)", async () => checkItem((await withKey.GET("/items/{id}", init)).data)],
    ["@mkp/client (token provider)", async () => checkItem((await withProvider.GET("/items/{id}", init)).data)],
    ["openapi-fetch (bare)", async () => checkItem((await bare.GET("/items/{id}", init)).data)],
    [
      "fetch (raw)",
      async () => {
        const response = await (inProcess ? fetch(new Request(url, { headers })) : fetch(url, { headers }));
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        checkItem(await response.json());
      },
    ],
  ]);
  // axios sends through node:http, which the in-process fetch cannot stand in for.
  if (!inProcess) {
    const ax = axios.create({ baseURL: baseUrl, headers });
    calls.set("axios", async () => checkItem((await ax.get("/items/149")).data));
  }
  return calls;
}

/** This process's CPU time (user + system) in ms: the clock tinybench reads. */
function cpuNow(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** `requests` calls in sequence; no forced GC, which would distort the figures (see README). */
async function turn(call: Call, requests: number): Promise<void> {
  for (let i = 0; i < requests; i++) await call();
}

// A fixed-seed shuffle of the order each block: which variant follows which changes, so whatever
// one leaves behind (a late socket read, garbage) does not always land on the same neighbour.
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

/** One block: a tinybench run of every variant, `roundsPerBlock` turns each, on the CPU clock. */
async function runBlock(block: number, calls: readonly (readonly [string, Call])[]): Promise<ClientBlockResult[]> {
  const bench = new Bench({ now: cpuNow, iterations: input.roundsPerBlock, time: 0, warmup: false, throws: true, subtractTimerOverhead: false });
  const wall = new Map<string, number>();
  for (const [name, call] of shuffled(calls)) {
    bench.add(name, async () => {
      const started = performance.now();
      await turn(call, input.batch);
      wall.set(name, (wall.get(name) ?? 0) + performance.now() - started);
    });
  }
  await bench.run();
  return bench.tasks.map((task) => {
    const result = task.result;
    if (result.state !== "completed") throw new Error(`${task.name}: ${result.state === "errored" ? result.error.message : result.state}`);
    const { latency } = result;
    return {
      variant: task.name,
      block,
      batch: input.batch,
      turns: latency.samplesCount,
      turnCpuP50Ms: latency.p50,
      turnCpuMeanMs: latency.mean,
      rme: latency.rme,
      wallMs: wall.get(task.name) ?? Number.NaN,
    };
  });
}

const all = [...variants()].filter(([name]) => !input.variants || input.variants.includes(name));
// Warm every path (JIT, connection pool) before anything is recorded.
for (const [, call] of all) await turn(call, input.warmupRequests);
const results: ClientBlockResult[] = [];
for (let block = 0; block < input.blocks; block++) results.push(...(await runBlock(block, all)));
process.stdout.write(`${JSON.stringify(results)}\n`);
