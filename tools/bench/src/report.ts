/** A table of one section: header cells and rows of already formatted cells. */
export interface Table {
  caption?: string;
  columns: string[];
  rows: string[][];
}

/** One line of the summary: a measured figure, the target it is held to, and the verdict. */
export interface Headline {
  what: string;
  result: string;
  target: string;
  /** "met", "missed", or "" where the figure has no target. */
  verdict: "met" | "missed" | "";
}

/** The outcome of one suite: one section of bench/RESULTS.md. */
export interface Section {
  title: string;
  /** How it was measured, one paragraph of markdown. */
  method: string;
  tables: Table[];
  headlines: Headline[];
  notes: string[];
  /** Set when nothing could be measured: the reason, shown instead of tables. */
  notMeasured?: string;
}

/** What the whole run knows about where it ran. */
export interface RunInfo {
  date: string;
  machine: string;
  node: string;
  commit: string;
  command: string;
  durationSeconds: number;
  /** The 1-minute load average when the run started and ended, and its samples during the run. */
  load: string;
}

export function notMeasured(title: string, why: string): Section {
  const short = why.length <= 70 ? why : `${why.slice(0, 67)}…`;
  return {
    title,
    method: "",
    tables: [],
    headlines: [{ what: title, result: `not measured: ${short}`, target: "", verdict: "" }],
    notes: [],
    notMeasured: why,
  };
}

const escapeCell = (cell: string) => cell.replaceAll("|", "\\|").replaceAll("\n", " ");

export function markdownTable(table: Table): string {
  const lines = [
    `| ${table.columns.map(escapeCell).join(" | ")} |`,
    `| ${table.columns.map(() => "---").join(" | ")} |`,
    ...table.rows.map((row) => `| ${row.map(escapeCell).join(" | ")} |`),
  ];
  return `${table.caption ? `${table.caption}\n\n` : ""}${lines.join("\n")}`;
}

/** A table in fixed-width text for the terminal. */
export function textTable(table: Table): string {
  const widths = table.columns.map((column, i) => Math.max(column.length, ...table.rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const lines = [line(table.columns), widths.map((w) => "─".repeat(w)).join("  "), ...table.rows.map(line)];
  return `${table.caption ? `${table.caption}\n` : ""}${lines.join("\n")}`;
}

export function summaryTable(sections: readonly Section[]): Table {
  return {
    columns: ["measurement", "result", "target", "verdict"],
    rows: sections.flatMap((section) =>
      section.headlines.map((h) => [h.what, h.result, h.target || "–", h.verdict === "met" ? "✓ met" : h.verdict === "missed" ? "✗ missed" : "–"]),
    ),
  };
}

/** The whole report as markdown (`bench/RESULTS.md`). */
export function renderMarkdown(info: RunInfo, sections: readonly Section[]): string {
  const parts = [
    "# Benchmark results",
    "",
    `Written by \`${info.command}\` (\`tools/bench\`); do not edit by hand — run it again.`,
    "",
    "| | |",
    "| --- | --- |",
    `| date | ${info.date} |`,
    `| machine | ${escapeCell(info.machine)} |`,
    `| Node | ${info.node} |`,
    `| commit | ${info.commit} |`,
    `| bench duration | ${Math.round(info.durationSeconds)} s |`,
    `| load average (1 min) | ${info.load} |`,
    "",
    "Figures are the median of several runs with the min–max in brackets; ratios are taken run by run",
    "(each variant against its peer in the same round) and then the median is quoted. The machine is",
    "shared with other work, so single times mean little: read the medians and ratios.",
    "",
    "## Summary",
    "",
    markdownTable(summaryTable(sections)),
  ];
  sections.forEach((section, index) => {
    parts.push("", `## ${index + 1}. ${section.title}`, "");
    if (section.notMeasured !== undefined) {
      parts.push(`Not measured: ${section.notMeasured}`);
      return;
    }
    if (section.method) parts.push(section.method, "");
    for (const table of section.tables) parts.push(markdownTable(table), "");
    for (const note of section.notes) parts.push(`- ${note}`);
    if (section.notes.length === 0) parts.pop();
  });
  return `${parts.join("\n")}\n`;
}

/** The terminal version: every section's tables, then the summary. */
export function renderText(sections: readonly Section[]): string {
  const parts: string[] = [];
  for (const section of sections) {
    parts.push(`\n== ${section.title}`);
    if (section.notMeasured !== undefined) parts.push(`not measured: ${section.notMeasured}`);
    for (const table of section.tables) parts.push(textTable(table), "");
  }
  parts.push("\n== Summary", textTable(summaryTable(sections)));
  return parts.join("\n");
}
