import type { BatchStage, ModelResult } from "@mkp/node";
import { MultiBar, Presets, type SingleBar } from "cli-progress";
import type { Run } from "./context.js";
import { byteSize, printable } from "./output.js";

/** How a batch repair shows itself: a live bar on a terminal, otherwise one plain line per model. */
export interface BatchView {
  /** A model entered a stage. */
  stage(source: string, stage: BatchStage): void;
  /** A model ended; `reason` is the advice for a failure. */
  ended(result: ModelResult, reason: string | undefined): void;
  /** A note for the person (on stderr, above the bar). */
  note(text: string): void;
  stop(): void;
  /** Seconds since the view started. */
  seconds(): number;
}

/** One model's line: what happened to it, and why when it failed. */
function lineOf(result: ModelResult, reason: string | undefined): string {
  const source = printable(result.source);
  switch (result.status) {
    case "repaired":
      return `repaired ${source} → ${printable(result.output)} (fix ${result.fixId}, ${byteSize(result.bytes ?? 0)})`;
    case "skipped":
      return `already done ${source} → ${printable(result.output)}`;
    case "failed":
      return `failed ${source}: ${printable(reason ?? "")}`;
    default:
      return `stopped ${source}${result.fixId === undefined ? "" : ` (fix ${result.fixId} goes on)`}`;
  }
}

// "1 min 5 s", "42 s": time left for people.
const duration = (seconds: number) => (seconds >= 60 ? `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s` : `${Math.round(seconds)} s`);

/**
 * The view of a batch of `total` models: on a terminal (stderr) a bar with done, under way, failed,
 * throughput and time left, each model's line above it; elsewhere `[n/total] <line>` on stdout.
 * With `json`, stdout is the JSON lines': only the bar shows (on a terminal).
 */
export function batchView(run: Run, total: number, json: boolean): BatchView {
  const started = run.now();
  const seconds = () => (run.now() - started) / 1000;
  const underWay = new Set<string>();
  const counts = { ended: 0, worked: 0, failed: 0 };
  const { stderr, stdout } = run.io;
  let bars: MultiBar | undefined;
  let bar: SingleBar | undefined;
  if (stderr.isTTY) {
    bars = new MultiBar(
      {
        stream: stderr as NodeJS.WritableStream,
        format: "Repairing |{bar}| {value}/{total} · {underWay} under way · {failed} failed · {rate} models/s · {left} left",
        hideCursor: true,
        barsize: 24,
        clearOnComplete: false,
      },
      Presets.shades_classic,
    );
    bar = bars.create(total, 0, { underWay: 0, failed: 0, rate: "0.0", left: "?" });
  }
  const redraw = () => {
    // Throughput counts the models this run worked on: the ones a journal skipped take no time.
    const rate = counts.worked / Math.max(seconds(), 0.001);
    const left = rate > 0 ? duration((total - counts.ended) / rate) : "?";
    bar?.update(counts.ended, { underWay: underWay.size, failed: counts.failed, rate: rate.toFixed(1), left });
  };
  // A line above a live bar goes through it; otherwise straight to its stream.
  const say = (text: string, stream: "stdout" | "stderr") => {
    if (bars && (stream === "stderr" || stdout.isTTY)) bars.log(`${text}\n`);
    else (stream === "stdout" ? stdout : stderr).write(`${text}\n`);
  };
  return {
    stage(source) {
      underWay.add(source);
      redraw();
    },
    ended(result, reason) {
      underWay.delete(result.source);
      counts.ended++;
      if (result.status !== "skipped") counts.worked++;
      if (result.status === "failed") counts.failed++;
      redraw();
      if (!json) say(`[${counts.ended}/${total}] ${lineOf(result, reason)}`, "stdout");
    },
    note: (text) => say(text, "stderr"),
    stop() {
      redraw();
      bars?.stop();
    },
    seconds,
  };
}
