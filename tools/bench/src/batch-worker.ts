// One batch repair, in its own process so that its peak memory is its own: `count` small models
// through @mkp/node's repairMany against the sandbox at `apiUrl`. Prints one JSON line.
import { createClient } from "@mkp/client";
import { repairMany } from "@mkp/node";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

const [apiUrl, apiKey, count, concurrency, dir, pollMs] = process.argv.slice(2) as [string, string, string, string, string, string];
const models = Number(count);
await mkdir(join(dir, "models"), { recursive: true });
for (let i = 0; i < models; i++) await writeFile(join(dir, "models", `m${i}.stl`), `solid m${i}\nendsolid m${i}\n`);

// The list is streamed, as a folder walk would be: no array of models is held.
async function* list() {
  for (let i = 0; i < models; i++) yield join(dir, "models", `m${i}.stl`);
}
const client = createClient({ apiKey, baseUrl: apiUrl });
const counts = { repaired: 0, failed: 0, retries: 0 };
const firstFailures: string[] = [];
// Where each model's time goes, summed over the models: from its upload to its repair's start (POST /items,
// POST /fixes, two journal writes), its repair (polls until done: the repair time plus the last poll's
// overshoot), its download (the file and the last journal write). Only the models under way are held.
const stages = { upload: 0, repair: 0, download: 0 };
const entered = new Map<string, { stage: string; at: number }>();
const enter = (source: string, stage: string) => {
  const now = performance.now();
  const before = entered.get(source);
  if (before) stages[before.stage === "uploading" ? "upload" : before.stage === "repairing" ? "repair" : "download"] += now - before.at;
  if (stage === "done") entered.delete(source);
  else entered.set(source, { stage, at: now });
};
const cpu = process.cpuUsage();
const started = performance.now();
for await (const result of repairMany(client, list(), {
  onStage: enter,
  concurrency: Number(concurrency),
  outDir: join(dir, "out"),
  journal: join(dir, "journal.json"),
  wait: { intervalMs: Number(pollMs), maxIntervalMs: Number(pollMs) },
})) {
  enter(result.source, "done");
  counts.retries += result.retries;
  if (result.status === "repaired") counts.repaired++;
  else {
    counts.failed++;
    if (firstFailures.length < 3) firstFailures.push(`${result.status}: ${result.error?.message}`);
  }
}
const seconds = (performance.now() - started) / 1000;
// The CPU of the loop alone, without the process's start-up and the writing of the models.
const { user, system } = process.cpuUsage(cpu);
const stageMs = { upload: stages.upload / models, repair: stages.repair / models, download: stages.download / models };
process.stdout.write(
  `${JSON.stringify({ seconds, ...counts, firstFailures, loopCpu: (user + system) / 1e6, stageMs, heapUsed: process.memoryUsage().heapUsed })}\n`,
);
