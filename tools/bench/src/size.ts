import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { REPO_ROOT, run } from "./child.js";
import type { Section, Table } from "./report.js";

export const SIZE_LIMIT_CONFIG = resolve(REPO_ROOT, ".size-limit.json");

export function sizeLimitAvailable(): boolean {
  return existsSync(SIZE_LIMIT_CONFIG);
}

interface Entry {
  name: string;
  size: number;
  sizeLimit?: number;
}

const kB = (bytes: number) => `${(bytes / 1000).toFixed(2)} kB`;

/**
 * The bundles of `.size-limit.json` (min+gzip, size-limit's esbuild preset) next to their peers.
 * An entry named `A + B` with an entry `A` also gives what B adds on top of A, as `pnpm size` counts it.
 */
export async function measureSizes(): Promise<Section> {
  // size-limit exits 1 when a budget is exceeded; the sizes are still worth reporting.
  const child = await run(process.execPath, [resolve(REPO_ROOT, "node_modules/size-limit/bin.js"), "--json"], { cwd: REPO_ROOT });
  const text = child.stdout;
  let entries: Entry[];
  try {
    entries = JSON.parse(text.slice(text.indexOf("["), text.lastIndexOf("]") + 1)) as Entry[];
  } catch {
    throw new Error(`size-limit printed no JSON (exit ${child.code}):\n${text.slice(-1000)}${child.stderr.slice(-1000)}`);
  }
  const byName = new Map(entries.map((e) => [e.name, e]));
  const config = JSON.parse(await readFile(SIZE_LIMIT_CONFIG, "utf8")) as { name: string }[];
  const rows: string[][] = [];
  const ours = entries.filter((e) => !e.name.startsWith("peer: "));
  for (const entry of ours) {
    rows.push([entry.name, kB(entry.size), entry.sizeLimit === undefined ? "–" : kB(entry.sizeLimit)]);
    const [base, added] = entry.name.split(" + ");
    const baseEntry = base === undefined ? undefined : byName.get(base);
    if (added && baseEntry) rows.push([`${added}, on top of ${base}`, kB(entry.size - baseEntry.size), "–"]);
  }
  for (const entry of entries.filter((e) => e.name.startsWith("peer: "))) rows.push([entry.name, kB(entry.size), "–"]);
  const table: Table = { columns: ["bundle (min+gzip)", "size", "limit in .size-limit.json"], rows };
  const client = byName.get("@mkp/client");
  const fetchPeer = entries.find((e) => e.name === "peer: openapi-fetch");
  const headlines: Section["headlines"] = [];
  if (client && fetchPeer) {
    headlines.push({
      what: "@mkp/client (with openapi-fetch) vs openapi-fetch alone, min+gzip",
      result: `${kB(client.size)} vs ${kB(fetchPeer.size)} (${(client.size / fetchPeer.size).toFixed(2)}×)`,
      target: "",
      verdict: "",
    });
  }
  const combined = entries.find((e) => e.name.includes(" + "));
  const [base] = combined?.name.split(" + ") ?? [];
  const baseEntry = base === undefined ? undefined : byName.get(base);
  if (combined && baseEntry) {
    const peers = entries.filter((e) => e.name.startsWith("peer: ") && e !== fetchPeer).map((e) => kB(e.size));
    headlines.push({
      what: `${combined.name.split(" + ")[1]} on top of ${base} vs the OAuth peers`,
      result: `${kB(combined.size - baseEntry.size)} vs ${peers.join(" / ")}`,
      target: "",
      verdict: "",
    });
  }
  return {
    title: "Bundle sizes",
    method:
      `\`size-limit --json\` over the ${config.length} entries of \`.size-limit.json\`: each bundled for the browser ` +
      `by size-limit's esbuild preset, minified and gzipped. Sizes are exact, so one run suffices. The budgets ` +
      `themselves are enforced by \`pnpm test\` (\`pnpm size\`).`,
    tables: [table],
    headlines,
    notes: [],
  };
}
