import type { Fix } from "@mkp/client";
import { Presets, SingleBar } from "cli-progress";
import type { OutputStream } from "./context.js";
import { printable } from "./output.js";

/** Shows how a repair goes: a bar on a terminal, otherwise one plain line per change. */
export interface FixProgress {
  /** Takes the fix as the last poll returned it. */
  update(fix: Fix): void;
  /** Ends the bar (the line stays on screen). */
  stop(): void;
}

/** The fix's progress as a whole percentage, 0–100 (the sandbox counts 0 to 100; the API does not publish the scale). */
export function percentOf(fix: Pick<Fix, "progress">): number {
  const value = Number(fix.progress);
  return Number.isFinite(value) ? Math.min(100, Math.max(0, Math.round(value))) : 0;
}

/** A progress display on `stream` for the repair of `label`. */
export function fixProgress(stream: OutputStream, label: string): FixProgress {
  if (stream.isTTY) {
    const bar = new SingleBar(
      { stream: stream as NodeJS.WritableStream, format: `Repairing ${printable(label)} |{bar}| {percentage}% {status}`, hideCursor: true, barsize: 30 },
      Presets.shades_classic,
    );
    let started = false;
    return {
      update(fix) {
        const payload = { status: printable(fix.status ?? "") };
        if (!started) bar.start(100, percentOf(fix), payload);
        else bar.update(percentOf(fix), payload);
        started = true;
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = "";
  return {
    update(fix) {
      const line = `fix ${fix.id}: ${printable(fix.status ?? "")} ${percentOf(fix)}%`;
      if (line !== last) stream.write(`${line}\n`);
      last = line;
    },
    stop() {},
  };
}
