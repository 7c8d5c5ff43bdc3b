import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Stand-ins for the browser openers, made by {@link fakeOpener}. */
export interface FakeOpener {
  /** The folder that holds them: put it first on `PATH`. */
  dir: string;
  /** One entry per run: its name, its arguments, where its stdout went, and `own` or `shared` (its session). */
  runs(): Promise<string[][]>;
  /** Resolves to the URL (the last argument) of the `n`th run (1-based) once it has happened. */
  nthUrl(n: number): Promise<string>;
  remove(): Promise<void>;
}

/**
 * Stand-ins for the platforms' browser openers (`xdg-open`, `open`, `rundll32`, or any name given) in a fresh folder to put
 * first on PATH: each run appends a line with its name, its arguments, where its stdout goes and
 * whether it leads its own session (Linux: it reads `/proc`).
 */
export async function fakeOpener(names: readonly string[] = ["xdg-open"]): Promise<FakeOpener> {
  const dir = await mkdtemp(join(tmpdir(), "mkp-opener-"));
  const log = join(dir, "runs.txt");
  const script = [
    "#!/bin/sh",
    "out=$(readlink /proc/$$/fd/1)",
    "sid=$(cut -d' ' -f6 /proc/$$/stat)",
    'if [ "$sid" = "$$" ]; then session=own; else session=shared; fi',
    `line="$(basename "$0")"; for arg in "$@"; do line="$line\t$arg"; done`,
    `printf '%s\t%s\t%s\n' "$line" "$out" "$session" >> "${log}"`,
  ].join("\n");
  for (const name of names) {
    await writeFile(join(dir, name), `${script}\n`);
    await chmod(join(dir, name), 0o755);
  }
  const runs = async () =>
    (await readFile(log, "utf8").catch(() => ""))
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split("\t"));
  return {
    dir,
    runs,
    async nthUrl(n) {
      for (;;) {
        const all = await runs();
        if (all.length >= n) return all[n - 1]!.at(-3)!;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
