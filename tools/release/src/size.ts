import { binPath } from "./bin-path.ts";
import { runCommand } from "./run-command.ts";

/** One entry of `size-limit --json`: bytes minified and gzipped, and its limit when it has one. */
export interface SizeResult {
  name: string;
  size: number;
  sizeLimit?: number;
  passed?: boolean;
}

/** A budget on what one bundle adds on top of another (size-limit only measures whole bundles). */
export interface IncrementBudget {
  name: string;
  /** The size-limit entry with both packages. */
  total: string;
  /** The size-limit entry with the base package alone. */
  base: string;
  /** Bytes, min+gzip. */
  limit: number;
}

/**
 * `@mkp/oauth` is measured as what it adds to an app that already has `@mkp/client` (the
 * combined bundle minus the client alone), so the code they share is counted once.
 */
// 3.2 kB since the scope, state and redirect-URI checks and the advice that fits the token error (3.00 kB measured).
export const INCREMENT_BUDGETS: readonly IncrementBudget[] = [
  { name: "@mkp/oauth core, on top of @mkp/client", total: "@mkp/client + @mkp/oauth", base: "@mkp/client", limit: 3200 },
];

export interface BudgetLine {
  name: string;
  size: number;
  limit?: number;
  ok: boolean;
}

/** Every size-limit entry, plus the increments, judged against their limits. */
export function evaluateBudgets(results: readonly SizeResult[], increments: readonly IncrementBudget[] = INCREMENT_BUDGETS): BudgetLine[] {
  const byName = new Map(results.map((result) => [result.name, result]));
  const lines: BudgetLine[] = results.map((result) => ({
    name: result.name,
    size: result.size,
    ...(result.sizeLimit === undefined ? {} : { limit: result.sizeLimit }),
    ok: result.sizeLimit === undefined || result.size <= result.sizeLimit,
  }));
  for (const budget of increments) {
    const total = byName.get(budget.total);
    const base = byName.get(budget.base);
    if (!total || !base) {
      lines.push({
        name: `${budget.name} (size-limit has no "${!total ? budget.total : budget.base}" entry)`,
        size: Number.NaN,
        limit: budget.limit,
        ok: false,
      });
      continue;
    }
    const size = total.size - base.size;
    lines.push({ name: budget.name, size, limit: budget.limit, ok: size <= budget.limit });
  }
  return lines;
}

const kB = (bytes: number) => (Number.isNaN(bytes) ? "?" : `${(bytes / 1000).toFixed(2)} kB`);

/** The table `pnpm size` prints. */
export function formatBudgets(lines: readonly BudgetLine[]): string {
  const width = Math.max(...lines.map((line) => line.name.length));
  const rows = lines.map((line) => {
    const mark = line.limit === undefined ? " " : line.ok ? "✓" : "✗";
    const limit = line.limit === undefined ? "(measured, no budget of its own)" : `${line.ok ? "≤" : ">"} ${kB(line.limit)}`;
    return `  ${mark} ${line.name.padEnd(width)}  ${kB(line.size).padStart(8)}  ${limit}`;
  });
  const failed = lines.filter((line) => !line.ok).length;
  return [
    `size budgets (minified + gzipped, measured by size-limit):`,
    ...rows,
    failed ? `${failed} budget(s) exceeded: make it smaller, or raise the limit in .size-limit.json (and say why in the README)` : "every budget holds",
  ].join("\n");
}

/** Runs size-limit (configured by `.size-limit.json` at the root) and reads its JSON report. */
export async function measureSizes(root: string): Promise<SizeResult[]> {
  const result = await runCommand(process.execPath, [binPath("size-limit", "size-limit"), "--json"], { cwd: root });
  const start = result.output.indexOf("[");
  try {
    return JSON.parse(result.output.slice(start, result.output.lastIndexOf("]") + 1)) as SizeResult[];
  } catch {
    throw new Error(`size-limit failed (exit ${result.code}):\n${result.output}`);
  }
}
