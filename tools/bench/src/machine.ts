import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem, type, release } from "node:os";
import { isAbsolute, relative } from "node:path";
import { REPO_ROOT } from "./child.js";

/** CPU model and count, memory, OS: what a reader needs to compare figures across machines. */
export function describeMachine(): string {
  const cores = cpus();
  const model = cores[0]?.model.trim() ?? "unknown CPU";
  return `${model}, ${cores.length} cores, ${Math.round(totalmem() / 1024 ** 3)} GB RAM, ${type()} ${release()}`;
}

/** The 1-minute load average, a hint of how busy the machine was (other work shares it). */
export function load(): string {
  return loadavg()[0]!.toFixed(2);
}

/**
 * Samples the 1-minute load average every `everyMs` until stopped; `stop()` describes the samples
 * (other helpers' test runs come and go during a bench run, so the start and end alone mislead).
 */
export function sampleLoad(everyMs = 5000): { stop(): string } {
  const samples = [loadavg()[0]!];
  const timer = setInterval(() => samples.push(loadavg()[0]!), everyMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      samples.push(loadavg()[0]!);
      const sorted = [...samples].sort((a, b) => a - b);
      const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
      return `median ${median.toFixed(2)}, ${sorted[0]!.toFixed(2)}–${sorted.at(-1)!.toFixed(2)} (${samples.length} samples, every ${everyMs / 1000} s)`;
    },
  };
}

/**
 * The commit the bench ran on, with `+changes` when the work tree differs from it — apart from
 * `report`, the file the run is about to overwrite (a previous run's report is no change to the code).
 */
export function describeCommit(report?: string): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    // Only a report inside the repository can be excluded (git refuses a path outside it).
    const inside = report && relative(REPO_ROOT, report);
    const except = inside && !inside.startsWith("..") && !isAbsolute(inside) ? [`:(exclude)${inside}`] : [];
    const dirty = execFileSync("git", ["status", "--porcelain", "--untracked-files=no", "--", ".", ...except], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    return dirty ? `${commit}+changes` : commit;
  } catch {
    return "unknown";
  }
}
