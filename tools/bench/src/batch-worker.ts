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
const started = performance.now();
for await (const result of repairMany(client, list(), {
  concurrency: Number(concurrency),
  outDir: join(dir, "out"),
  journal: join(dir, "journal.json"),
  wait: { intervalMs: Number(pollMs), maxIntervalMs: Number(pollMs) },
})) {
  counts.retries += result.retries;
  if (result.status === "repaired") counts.repaired++;
  else {
    counts.failed++;
    if (firstFailures.length < 3) firstFailures.push(`${result.status}: ${result.error?.message}`);
  }
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ seconds, ...counts, firstFailures, heapUsed: process.memoryUsage().heapUsed })}\n`);
