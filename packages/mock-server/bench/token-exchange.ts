// Benchmark (not a test): authorization-code exchanges per second at POST /v1/token, with p50/p99
// latency, at 1 and 64 concurrent connections over loopback. Run: pnpm --filter @mkp/mock-server bench
// The sandbox runs in its own process (the CLI with --auto-approve), as users run it.
import { spawn } from "node:child_process";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Agent, request } from "node:http";

const EXCHANGES = Number(process.env["BENCH_EXCHANGES"] ?? 4000);
const WARMUP = 300;
const REDIRECT_URI = "http://127.0.0.1:7777/callback";

const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url));
const child = spawn(process.execPath, ["--import", "tsx", cli, "--port", "0", "--auto-approve"], {
  stdio: ["ignore", "pipe", "inherit"],
  cwd: fileURLToPath(new URL("..", import.meta.url)),
});
const url = await new Promise<string>((resolve, reject) => {
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    const match = /website \(authorize page\): (\S+)/.exec(output);
    if (match?.[1]) resolve(match[1]);
  });
  child.once("exit", () => reject(new Error("the sandbox exited")));
});
// Drop the per-request log lines so a full pipe never blocks the server.
child.stdout.resume();

/** One HTTP request over a keep-alive agent: status, Location and the body, read to the end. */
function send(agent: Agent, method: string, target: string, body?: string): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body) };
    const outgoing = request(target, { method, agent, headers }, (response) => {
      response.resume();
      response.once("end", () => resolve({ status: response.statusCode ?? 0, location: response.headers.location }));
    });
    outgoing.once("error", reject);
    outgoing.end(body);
  });
}

// The sandbox keeps at most 1000 unused codes (so a page cannot grow its memory): codes are fetched and exchanged in rounds below that.
const ROUND = 500;

async function run(concurrency: number, count: number): Promise<{ perSecond: number; p50: number; p99: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const authorize = `${url}/authorize?${new URLSearchParams({ client_id: "demo-app", redirect_uri: REDIRECT_URI, response_type: "code" })}`;
  const latencies: number[] = [];
  let seconds = 0;
  for (let done = 0; done < count; done += ROUND) {
    // Codes are fetched first, untimed: only the exchanges are measured.
    const codes: string[] = [];
    for (let i = 0; i < Math.min(ROUND, count - done); i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, count - done - i) }, async () => {
          const response = await send(agent, "GET", authorize);
          return new URL(response.location ?? "").searchParams.get("code") ?? "";
        }),
      );
      codes.push(...batch);
    }
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < codes.length) {
          const code = codes[next++] ?? "";
          const t0 = performance.now();
          const body = new URLSearchParams({
            grant_type: "authorization_code",
            code,
            redirect_uri: REDIRECT_URI,
            client_id: "demo-app",
            client_secret: "demo-secret",
          });
          const response = await send(agent, "POST", `${url}/v1/token`, body.toString());
          if (response.status !== 200) throw new Error(`exchange failed with ${response.status}`);
          latencies.push(performance.now() - t0);
        }
      }),
    );
    seconds += (performance.now() - started) / 1000;
  }
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
  return { perSecond: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

try {
  console.log(`Node ${process.version}, ${availableParallelism()} CPUs, ${EXCHANGES} exchanges per run, sandbox at ${url}`);
  for (const concurrency of [1, 64]) {
    await run(concurrency, WARMUP);
    const { perSecond, p50, p99 } = await run(concurrency, EXCHANGES);
    console.log(`${String(concurrency).padStart(2)} connection(s): ${perSecond.toFixed(0)} exchanges/s, p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms`);
  }
} finally {
  child.kill("SIGTERM");
}
