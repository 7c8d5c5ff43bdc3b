import { startMockServer } from "@mkp/mock-server";
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { lastJson, runOk, worker } from "./child.js";
import type { Section, Table } from "./report.js";
import { formatInteger, formatNumber, formatRatio } from "./stats.js";

export interface BatchOptions {
  /** Models per run at each concurrency. */
  models: number;
  concurrencies: readonly number[];
  /** The sandbox's repair time, in ms. */
  fixMs: number;
  /** The pause between polls of one repair, in ms. */
  pollMs: number;
  /** The rate limit of the rate-limited run, in requests a second, and its models and concurrency. */
  rateLimit: { perSecond: number; models: number; concurrency: number };
  /** The smaller batch that the memory of the largest is compared with. */
  memoryModels: number;
}

interface WorkerResult {
  seconds: number;
  repaired: number;
  failed: number;
  retries: number;
  firstFailures: string[];
  /** CPU time of the batch's loop (user + system), in seconds: the process's start-up and the writing of the models left out. */
  loopCpu: number;
  /** The wall time of a model's stages, in ms, averaged over the models. */
  stageMs: { upload: number; repair: number; download: number };
}

interface Run extends WorkerResult {
  models: number;
  concurrency: number;
  peakMb: number;
  /** CPU time of the sandbox (this process) while the batch ran, in seconds. */
  sandboxCpu: number;
  /** API requests answered (429s excluded) and the 429s, as the sandbox saw them. */
  requests: number;
  limited: number;
}

/** One batch against a fresh sandbox (in this process); the batch runs in a child, whose peak memory is measured. */
async function batchRun(options: BatchOptions, models: number, concurrency: number, rateLimit?: number): Promise<Run> {
  const counts = { requests: 0, limited: 0 };
  const sandbox = await startMockServer({
    fixTiming: { queuedMs: 0, processingMs: options.fixMs },
    // The client streams an upload without a Content-Length, so the sandbox holds back room for a
    // whole 10 MiB upload while it reads one: with its default 100 MiB of storage, uploads past the
    // tenth at once would get 507 and wait a backoff. Room for 64 at once keeps the storage cap out
    // of a measurement of the batch.
    maxStoredBytes: 64 * 10 * 1024 * 1024,
    ...(rateLimit !== undefined && { failures: { rateLimit } }),
    onRequest: ({ path, status }) => {
      if (!path.startsWith("/v1/")) return;
      if (status === 429) counts.limited++;
      else counts.requests++;
    },
  });
  const dir = await mkdtemp(join(tmpdir(), "mkp-bench-batch-"));
  // The sandbox is this process: its CPU while the batch runs is this process's.
  const cpu = process.cpuUsage();
  try {
    const { file, execArgv } = worker("batch-worker");
    const args = [sandbox.apiUrl, sandbox.demo.apiKey, String(models), String(concurrency), dir, String(options.pollMs)];
    const child = await runOk(process.execPath, [...execArgv, file, ...args], { measureMemory: true });
    const result = lastJson<WorkerResult>(child);
    const sandboxCpu = (({ user, system }) => (user + system) / 1e6)(process.cpuUsage(cpu));
    return { ...result, ...counts, models, concurrency, peakMb: (child.maxRssKb ?? Number.NaN) / 1024, sandboxCpu };
  } finally {
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `repairMany` against the sandbox: models a second at each concurrency against the ideal
 * (concurrency / repair time), the request rate under a rate limit, and peak memory against the
 * number of models.
 */
export async function measureBatch(options: BatchOptions): Promise<Section> {
  const runs: Run[] = [];
  for (const concurrency of options.concurrencies) runs.push(await batchRun(options, options.models, concurrency));
  const small = await batchRun(options, options.memoryModels, Math.max(...options.concurrencies));
  const { perSecond, models, concurrency } = options.rateLimit;
  const limited = await batchRun(options, models, concurrency, perSecond);

  const throughput = throughputTable(runs, options);
  const largest = runs.at(-1)!;
  const memory: Table = {
    caption: `peak RSS of the batch's process at concurrency ${largest.concurrency}`,
    columns: ["models", "peak RSS MB"],
    rows: [
      [String(small.models), formatNumber(small.peakMb)],
      [String(largest.models), formatNumber(largest.peakMb)],
    ],
  };
  const achieved = limited.requests / limited.seconds;
  const rateTable: Table = {
    caption: `rate limit ${perSecond} requests / s per credential (token bucket), ${models} models at concurrency ${concurrency}`,
    columns: ["API requests / s", "of the limit", "429s", "models / s", "failed"],
    rows: [
      [
        formatNumber(achieved),
        formatRatio(achieved / perSecond),
        formatInteger(limited.limited),
        formatNumber(limited.repaired / limited.seconds),
        formatInteger(limited.failed),
      ],
    ],
  };
  const failures = [...runs, small, limited].flatMap((run) => run.firstFailures);
  return {
    title: "Batch repair",
    method:
      `\`@mkp/node\`'s \`repairMany\` (with its journal) in a child process, against \`@mkp/mock-server\` in the bench's process ` +
      `(a fresh sandbox per run, repairs done ${options.fixMs} ms after they start). Small models streamed from a folder; ` +
      `models a second = repaired models / wall time of the loop; ideal = concurrency / repair time. Peak memory from ` +
      `\`/usr/bin/time -v\`. CPU: the batch's loop (\`process.cpuUsage\` in the child, its start-up and the writing of the models left out) and the sandbox (\`process.cpuUsage\` of the bench's process while the batch runs). Requests and 429s are counted by the sandbox (API paths only; downloads are not API requests). ` +
      "One run each: the machine is shared, so read the ratios, not the last digit.",
    tables: [throughput, perModelTable(runs, options), rateTable, memory],
    headlines: [
      ...runs.map((run) => ({
        what: `batch repair, concurrency ${run.concurrency}, of the ideal`,
        result: formatRatio(run.repaired / run.seconds / ((run.concurrency * 1000) / options.fixMs)),
        target: "",
        verdict: "" as const,
      })),
      {
        what: `batch repair under a ${perSecond} req/s limit, of the limit`,
        result: formatRatio(achieved / perSecond),
        target: "no failed model",
        verdict: limited.failed === 0 ? "met" : "missed",
      },
      {
        what: `batch repair peak RSS, ${small.models} → ${largest.models} models`,
        result: `${formatNumber(small.peakMb)} → ${formatNumber(largest.peakMb)} MB`,
        target: "flat",
        verdict: "",
      },
    ],
    notes: failures.length > 0 ? [`first failures: ${failures.join("; ")}`] : [],
  };
}

/** The CPU both processes spend on one model, in ms. */
const cpuMsPerModel = (run: Run) => ((run.loopCpu + run.sandboxCpu) * 1000) / run.models;

/**
 * Models a second at each concurrency against the ideal, and against what the CPU allows: this
 * machine's cores divided by the CPU the batch and the sandbox spend on one model. Where that
 * ceiling is below the ideal, the two processes cannot go faster on this machine, however the
 * batch waits.
 */
function throughputTable(runs: Run[], options: BatchOptions): Table {
  const cores = availableParallelism();
  return {
    caption: `${options.models} models, repair time ${options.fixMs} ms, polled every ${options.pollMs} ms; CPU ceiling = ${cores} cores / CPU per model`,
    columns: ["concurrency", "models / s", "ideal", "of ideal", "CPU ceiling", "failed", "retries", "peak RSS MB"],
    rows: runs.map((run) => {
      const rate = run.repaired / run.seconds;
      const ideal = (run.concurrency * 1000) / options.fixMs;
      return [
        String(run.concurrency),
        formatNumber(rate),
        formatNumber(ideal),
        formatRatio(rate / ideal),
        formatNumber((cores * 1000) / cpuMsPerModel(run)),
        formatInteger(run.failed),
        formatInteger(run.retries),
        formatNumber(run.peakMb),
      ];
    }),
  };
}

/** Where a model's time and CPU go at each concurrency: its stages' wall time, its API requests, each process's CPU. */
function perModelTable(runs: Run[], options: BatchOptions): Table {
  return {
    caption: `per model: wall time of each stage (the repair's ideal is ${options.fixMs} ms), API requests (polls included, 429s left out) and CPU`,
    columns: ["concurrency", "upload ms", "repair ms", "download ms", "API requests", "CPU ms: batch", "sandbox"],
    rows: runs.map((run) => [
      String(run.concurrency),
      formatNumber(run.stageMs.upload),
      formatNumber(run.stageMs.repair),
      formatNumber(run.stageMs.download),
      formatNumber(run.requests / run.models),
      formatNumber((run.loopCpu * 1000) / run.models),
      formatNumber((run.sandboxCpu * 1000) / run.models),
    ]),
  };
}
