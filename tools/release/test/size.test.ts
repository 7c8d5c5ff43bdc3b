import { describe, expect, it } from "vitest";
import { evaluateBudgets, formatBudgets, type SizeResult } from "../src/size.ts";

// Shaped like `size-limit --json` output.
const results: SizeResult[] = [
  { name: "@mkp/client", size: 3913, sizeLimit: 4000, passed: true },
  { name: "@mkp/client + @mkp/oauth", size: 6870 },
  { name: "peer: openapi-fetch", size: 2557 },
];

describe("size budgets", () => {
  it("judges size-limit's entries and what @mkp/oauth adds on top of @mkp/client", () => {
    expect(evaluateBudgets(results)).toEqual([
      { name: "@mkp/client", size: 3913, limit: 4000, ok: true },
      { name: "@mkp/client + @mkp/oauth", size: 6870, ok: true },
      { name: "peer: openapi-fetch", size: 2557, ok: true },
      { name: "@mkp/oauth core, on top of @mkp/client", size: 2957, limit: 3200, ok: true },
    ]);
  });

  it("fails an increment over its budget and an absolute size over its limit", () => {
    const grown = [
      { ...results[0]!, size: 4100, passed: false },
      { ...results[1]!, size: 7400 },
    ];
    const lines = evaluateBudgets(grown);
    expect(lines.filter((line) => !line.ok).map((line) => [line.name, line.size])).toEqual([
      ["@mkp/client", 4100],
      ["@mkp/oauth core, on top of @mkp/client", 3300],
    ]);
    const text = formatBudgets(lines);
    expect(text).toMatch(/✗ @mkp\/client +4\.10 kB {2}> 4\.00 kB\n/);
    expect(text.split("\n").at(-1)).toBe("2 budget(s) exceeded: make it smaller, or raise the limit in .size-limit.json (and say why in the README)");
  });

  it("fails when size-limit has no entry an increment needs", () => {
    const [line] = evaluateBudgets([results[0]!]).filter((entry) => !entry.ok);
    expect(line?.name).toBe('@mkp/oauth core, on top of @mkp/client (size-limit has no "@mkp/client + @mkp/oauth" entry)');
  });
});
