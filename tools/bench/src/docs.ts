import { readFileSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { launchChromium } from "@mkp/testing";
import { REPO_ROOT, runOk } from "./child.js";
import type { Section, Table } from "./report.js";
import { formatNumber, formatSpread, median, spread } from "./stats.js";

export const DOCS_ROOT = resolve(REPO_ROOT, "packages/docs");
export const DOCS_PAGE = resolve(DOCS_ROOT, "dist/index.html");

/** Whether `@mkp/docs` has a real build (the scaffold's build script only echoes). */
export function docsAvailable(): boolean {
  try {
    const manifest = JSON.parse(readFileSync(resolve(DOCS_ROOT, "package.json"), "utf8")) as { scripts?: { build?: string } };
    const build = manifest.scripts?.build;
    return typeof build === "string" && !/^echo\b/.test(build.trim());
  } catch {
    return false;
  }
}

export interface DocsOptions {
  /** Docs builds (each from scratch, past turbo's cache). */
  buildRounds: number;
  /** Page loads in a fresh headless Chromium. */
  loadRounds: number;
}

interface Load {
  domContentLoadedMs: number;
  loadMs: number;
  renderedMs: number;
  interactiveMs: number;
  longTasks: number;
  external: number;
}

// Redoc (2 and 3) marks each rendered section of the reference with data-section-id.
const SECTIONS = "[data-section-id]";
const QUIET_MS = 1000;

/**
 * Loads the page and measures, from navigation start: DOMContentLoaded, load, the reference's
 * sections rendered, and "interactive" — the end of the last long task (> 50 ms) once the page has rendered
 * and the main thread has then stayed free of long tasks for a second (Lighthouse's TTI waits 5 s).
 */
export async function loadOnce(page: string = DOCS_PAGE): Promise<Load> {
  const chromium = await launchChromium();
  const browser = chromium.context;
  try {
    const tab = await browser.newPage();
    let external = 0;
    // Nothing may leave the machine: count and refuse any request that is not the file itself.
    await tab.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("file:") || url.startsWith("data:") || url.startsWith("blob:")) return route.continue();
      external++;
      return route.abort();
    });
    await tab.addInitScript(() => {
      const w = window as unknown as { __longTasks: { start: number; end: number }[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.__longTasks.push({ start: entry.startTime, end: entry.startTime + entry.duration });
      }).observe({ type: "longtask", buffered: true });
    });
    await tab.goto(pathToFileURL(page).href, { waitUntil: "load", timeout: 60_000 });
    // Rendered: the intro and at least one section after it are in the DOM.
    await tab.waitForFunction((selector) => document.querySelectorAll(selector).length > 1, SECTIONS, { timeout: 60_000 });
    const renderedMs = await tab.evaluate(() => performance.now());
    // Wait until a second passes with no new long task (at most 20 s).
    for (let waited = 0; waited < 20_000; waited += 250) {
      const quietFor = await tab.evaluate(() => {
        const tasks = (window as unknown as { __longTasks: { end: number }[] }).__longTasks;
        return performance.now() - Math.max(0, ...tasks.map((t) => t.end));
      });
      if (quietFor >= QUIET_MS) break;
      await tab.waitForTimeout(250);
    }
    const timing = await tab.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
      const tasks = (window as unknown as { __longTasks: { end: number }[] }).__longTasks;
      return { dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, lastLongTask: Math.max(0, ...tasks.map((t) => t.end)), longTasks: tasks.length };
    });
    return {
      domContentLoadedMs: timing.dcl,
      loadMs: timing.load,
      renderedMs,
      interactiveMs: Math.max(renderedMs, timing.lastLongTask),
      longTasks: timing.longTasks,
      external,
    };
  } finally {
    await chromium.close();
  }
}

/** Docs build time, the page's weight, and how long until it is interactive in headless Chromium. */
export async function measureDocs(options: DocsOptions): Promise<Section> {
  const builds: { wallMs: number; cpuSeconds: number }[] = [];
  for (let round = 0; round < options.buildRounds; round++) {
    const child = await runOk("pnpm", ["--filter", "@mkp/docs", "build"], { measureMemory: true });
    builds.push({ wallMs: child.wallMs, cpuSeconds: child.cpuSeconds ?? Number.NaN });
  }
  const html = await readFile(DOCS_PAGE);
  const bytes = (await stat(DOCS_PAGE)).size;
  const gzipped = gzipSync(html, { level: 9 }).length;
  const loads: Load[] = [];
  for (let round = 0; round < options.loadRounds; round++) loads.push(await loadOnce());
  const ms = (pick: (l: Load) => number) => formatSpread(spread(loads.map(pick)), "ms");
  const buildRows = builds.length
    ? [
        ["docs build (`pnpm --filter @mkp/docs build`), wall", formatSpread(spread(builds.map((b) => b.wallMs / 1000)), "s")],
        ["docs build, CPU", formatSpread(spread(builds.map((b) => b.cpuSeconds)), "s")],
      ]
    : [];
  const table: Table = {
    columns: ["", "value"],
    rows: [
      ...buildRows,
      ["page weight, `dist/index.html`", `${formatNumber(bytes / 1e6)} MB (${formatNumber(gzipped / 1e6)} MB gzipped)`],
      ["DOMContentLoaded", ms((l) => l.domContentLoadedMs)],
      ["load event", ms((l) => l.loadMs)],
      ["reference rendered (its sections in the DOM)", ms((l) => l.renderedMs)],
      ["interactive (last long task over, then 1 s quiet)", ms((l) => l.interactiveMs)],
      ["long tasks (> 50 ms) during load", formatNumber(median(loads.map((l) => l.longTasks)))],
      ["requests that tried to leave the machine (refused)", String(Math.max(...loads.map((l) => l.external)))],
    ],
  };
  return {
    title: "Docs",
    method:
      `${options.buildRounds} builds of \`@mkp/docs\` (past turbo's cache, \`/usr/bin/time -v\` for CPU); the page's size on ` +
      `disk and gzipped (level 9); ${options.loadRounds} loads of \`packages/docs/dist/index.html\` from \`file://\` in a fresh ` +
      `headless Chromium (Debian's \`/usr/bin/chromium\`, the flags of DEVELOPERS.md, a new profile each time), every ` +
      `non-file request refused and counted. Times are from navigation start: DOMContentLoaded, load, the reference's ` +
      `sections in the DOM, and "interactive": the end of the last long task once the reference has rendered and the main ` +
      `thread has stayed free of long tasks for 1 s (Lighthouse's TTI waits 5 s; with no network the rest of its rule holds).`,
    tables: [table],
    headlines: [
      ...(builds.length
        ? [{ what: "docs build (wall)", result: formatSpread(spread(builds.map((b) => b.wallMs / 1000)), "s"), target: "", verdict: "" as const }]
        : []),
      { what: "docs page weight", result: `${formatNumber(bytes / 1e6)} MB (${formatNumber(gzipped / 1e6)} MB gzipped)`, target: "", verdict: "" },
      { what: "docs page interactive in headless Chromium", result: `${formatNumber(median(loads.map((l) => l.interactiveMs)))} ms`, target: "", verdict: "" },
    ],
    notes: [],
  };
}
