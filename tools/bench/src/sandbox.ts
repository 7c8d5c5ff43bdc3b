import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { REPO_ROOT, runOk } from "./child.js";
import type { Section, Table } from "./report.js";
import { formatNumber, formatSpread, median, spread } from "./stats.js";

export interface SandboxOptions {
  /** Runs of the sandbox's own benchmark script (each starts a fresh sandbox). */
  rounds: number;
  /** Timed exchanges per connection count and run (`BENCH_EXCHANGES`). */
  exchanges: number;
}

/** The token-exchange benchmark that ships with `@mkp/mock-server`. */
export const SANDBOX_BENCH = resolve(REPO_ROOT, "packages/mock-server/bench/token-exchange.ts");

export function sandboxAvailable(): boolean {
  return existsSync(SANDBOX_BENCH);
}

interface Line {
  connections: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** Reads lines like ` 1 connection(s): 971 exchanges/s, p50 0.56 ms, p99 8.32 ms`. */
export function parseSandboxOutput(output: string): Line[] {
  return [...output.matchAll(/^\s*(\d+) connection\(s\): ([\d.]+) exchanges\/s, p50 ([\d.]+) ms, p99 ([\d.]+) ms/gm)].map((m) => ({
    connections: Number(m[1]),
    perSecond: Number(m[2]),
    p50: Number(m[3]),
    p99: Number(m[4]),
  }));
}

/** Authorization-code exchanges per second at `POST /v1/token`, at 1 and 64 connections, by the sandbox's own script. */
export async function measureSandbox(options: SandboxOptions): Promise<Section> {
  const lines: Line[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const child = await runOk("pnpm", ["--filter", "@mkp/mock-server", "bench"], { env: { ...process.env, BENCH_EXCHANGES: String(options.exchanges) } });
    const parsed = parseSandboxOutput(child.stdout);
    if (parsed.length === 0) throw new Error(`the sandbox benchmark printed no results:\n${child.stdout.slice(-1000)}`);
    lines.push(...parsed);
  }
  const counts = [...new Set(lines.map((l) => l.connections))].sort((a, b) => a - b);
  const table: Table = {
    columns: ["connections", "exchanges / s", "p50 ms", "p99 ms"],
    rows: counts.map((connections) => {
      const mine = lines.filter((l) => l.connections === connections);
      return [
        String(connections),
        formatSpread(spread(mine.map((l) => l.perSecond))),
        formatNumber(median(mine.map((l) => l.p50))),
        formatNumber(median(mine.map((l) => l.p99))),
      ];
    }),
  };
  return {
    title: "Sandbox token exchanges",
    method:
      `\`@mkp/mock-server\`'s own benchmark (\`pnpm --filter @mkp/mock-server bench\`, \`packages/mock-server/bench/token-exchange.ts\`): ` +
      `the sandbox runs in its own process (its CLI with \`--auto-approve\`); codes are fetched first, untimed; then ` +
      `${options.exchanges} authorization-code exchanges at \`POST /v1/token\` over keep-alive loopback connections, ` +
      `after a warm-up. ${options.rounds} runs, each with a fresh sandbox; medians (min–max). The load generator ` +
      `shares the 2 cores with the sandbox, so the 64-connection figure is a floor.`,
    tables: [table],
    headlines: counts.map((connections) => ({
      what: `sandbox token exchanges / s, ${connections} connection${connections === 1 ? "" : "s"}`,
      result: formatNumber(median(lines.filter((l) => l.connections === connections).map((l) => l.perSecond))),
      target: "",
      verdict: "" as const,
    })),
    notes: [],
  };
}
