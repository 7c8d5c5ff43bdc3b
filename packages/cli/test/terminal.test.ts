import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MKP, mkpOnPath, startSandbox, temporaryDirectory, TIMING, type Sandbox } from "./helpers.js";

// `mkp repair` in a real terminal: tmux runs a shell, the test types the command with send-keys and
// reads the screen with capture-pane, while it moves the sandbox's clock.
const run = promisify(execFile);
const HAS_TMUX = await run("tmux", ["-V"]).then(
  () => true,
  () => false,
);
// Without tmux the terminal test skips on a workstation; under CI the check below fails, naming the fix.
const IN_CI = process.env["CI"] === "true";
const SOCKET = `mkp-cli-test-${process.pid}`;
const tmux = (...args: string[]) => run("tmux", ["-L", SOCKET, ...args]);
// -J joins the lines the terminal wrapped, so a long line reads as the one line it is (it keeps
// trailing spaces, which go).
const screen = async () =>
  (await tmux("capture-pane", "-p", "-J", "-t", "mkp")).stdout
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");

/** Reads the screen until `pattern` is on it (the test's timeout bounds the wait). */
async function waitForScreen(pattern: RegExp): Promise<string> {
  for (;;) {
    const text = await screen();
    if (pattern.test(text)) return text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it.runIf(IN_CI)("CI has tmux for the terminal test", () => {
  expect(HAS_TMUX, "tmux is missing: install it with `node tools/dev/ensure-debian-packages.mjs` (as root; .ci/run runs it) or `apt-get install tmux`").toBe(
    true,
  );
});

describe.skipIf(!HAS_TMUX)("in a real terminal (tmux)", () => {
  let sandbox: Sandbox;
  let dir: { path: string; remove(): Promise<void> };

  beforeAll(async () => {
    sandbox = await startSandbox();
    dir = await temporaryDirectory();
    await writeFile(join(dir.path, "part.stl"), "solid part\nendsolid part\n");
    // The key reaches the shell's environment through tmux, never through the keyboard (or the screen).
    await tmux(
      "new-session",
      "-d",
      "-s",
      "mkp",
      "-x",
      "100",
      "-y",
      "12",
      "-c",
      dir.path,
      "-e",
      `MAKEPRINTABLE_API_KEY=${sandbox.apiKey}`,
      "-e",
      `MAKEPRINTABLE_BASE_URL=${sandbox.server.apiUrl}`,
      "-e",
      `XDG_CONFIG_HOME=${join(dir.path, "config")}`,
      "-e",
      "PS1=$ ",
      "sh",
    );
    // Keys sent before the shell's first prompt are echoed ahead of it, and the prompt then lands on
    // the command's first line of output: wait for the prompt ("$", or "#" for root) first.
    await waitForScreen(/^[$#]\s*$/m);
    // `mkp` on PATH, as an installed one is (the shell's start-up files reset a PATH given with -e).
    await tmux("send-keys", "-t", "mkp", `export PATH='${await mkpOnPath(dir.path)}'; clear`, "Enter");
  });

  afterAll(async () => {
    await tmux("kill-server").catch(() => {});
    await sandbox?.close();
    await dir?.remove();
  });

  it("shows a progress bar that moves with the repair, then the final line", async () => {
    await tmux("send-keys", "-t", "mkp", `node ${MKP} repair part.stl; echo "exit $?"`, "Enter");
    await waitForScreen(/Repairing part\.stl \|░{30}\| 0% queued/);

    sandbox.advance(TIMING.queuedMs + TIMING.processingMs / 2);
    const half = await waitForScreen(/\| 50% processing/);
    expect(half).toMatch(/^Uploading part\.stl…$/m);
    expect(half).toMatch(/^Repairing part\.stl \|█{15}░{15}\| 50% processing$/m);

    sandbox.advance(TIMING.processingMs);
    const done = await waitForScreen(/^exit \d+$/m);
    const lines = done.split("\n").map((line) => line.trimEnd());
    const output = join(dir.path, "part.fixed.stl");
    expect(lines.slice(lines.indexOf("Uploading part.stl…"), lines.indexOf("exit 0") + 1)).toEqual([
      "Uploading part.stl…",
      "Repairing part.stl |██████████████████████████████| 100% done",
      `Repaired part.stl → ${output} (fix 1, 25 B)`,
      "exit 0",
    ]);
    expect(await readFile(output, "utf8")).toBe("solid part\nendsolid part\n");
    expect(done).not.toContain(sandbox.apiKey);
  });

  it("after Ctrl-C, the resume hint typed exactly as printed writes the file where --out said", async () => {
    await writeFile(join(dir.path, "sphere.stl"), "solid sphere\nendsolid sphere\n");
    await mkdir(join(dir.path, "out"));
    await tmux("send-keys", "-t", "mkp", "clear", "Enter");
    await tmux("send-keys", "-t", "mkp", `mkp repair sphere.stl --out out/ball.stl; echo "stopped: $?"`, "Enter");
    await waitForScreen(/Repairing sphere\.stl \|░{30}\| 0% queued/);
    await tmux("send-keys", "-t", "mkp", "C-c");
    const stopped = await waitForScreen(/^stopped: \d+$/m);
    expect(stopped).toMatch(/^stopped: 130$/m);
    const hint = /resume with `(mkp fixes get \d+ --download --out out\/ball\.stl)`$/m.exec(stopped)?.[1];
    expect(hint, stopped).toBeDefined();

    sandbox.advance(TIMING.queuedMs + TIMING.processingMs);
    await tmux("send-keys", "-t", "mkp", "clear", "Enter");
    // Typed as printed, key by key (-l: literally, no key names).
    await tmux("send-keys", "-t", "mkp", "-l", hint!);
    await tmux("send-keys", "-t", "mkp", `; echo "resumed: $?"`, "Enter");
    const resumed = await waitForScreen(/^resumed: \d+$/m);
    expect(resumed).toMatch(
      new RegExp(
        `^Downloaded fix \\d+ → ${join(dir.path, "out", "ball.stl").replace(/[.]/g, "\\.")} \\(${"solid sphere\nendsolid sphere\n".length} B\\)$`,
        "m",
      ),
    );
    expect(resumed).toMatch(/^resumed: 0$/m);
    expect(await readFile(join(dir.path, "out", "ball.stl"), "utf8")).toBe("solid sphere\nendsolid sphere\n");
  });

  it("many models: a live bar; Ctrl-C starts nothing new, waits for those under way, and the resume command works as printed", async () => {
    await mkdir(join(dir.path, "batch"));
    for (let i = 1; i <= 6; i++) await writeFile(join(dir.path, "batch", `b${i}.stl`), `solid b${i}\nendsolid\n`);
    // Wide enough that the resume command fits on one line of the screen.
    await tmux("resize-window", "-t", "mkp", "-x", "220", "-y", "20");
    await tmux("send-keys", "-t", "mkp", "clear", "Enter");
    await tmux("send-keys", "-t", "mkp", `mkp repair batch --concurrency 2; echo "exit $?"`, "Enter");
    // The sandbox's clock stands still: the first two repairs wait, queued.
    await waitForScreen(/^Repairing \|░{24}\| 0\/6 · 2 under way · 0 failed · 0\.0 models\/s · \? left$/m);
    await tmux("send-keys", "-t", "mkp", "C-c");
    const stopping = await waitForScreen(/^To resume: .*--concurrency 2$/m);
    expect(stopping).toMatch(/^Stopping: no new uploads; waiting for the models under way\. Press Ctrl-C again to leave now/m);
    sandbox.advance(TIMING.queuedMs + TIMING.processingMs);
    const stopped = await waitForScreen(/^exit \d+$/m);
    expect(stopped).toMatch(/^exit 130$/m);
    expect(stopped).toMatch(/^2 repaired, 0 already done, 0 failed, 4 not started or stopped of 6 in /m);
    expect((await readdir(join(dir.path, "batch"))).filter((name) => name.includes(".fixed.")).sort()).toEqual(["b1.fixed.stl", "b2.fixed.stl"]);

    // Typed exactly as printed, it repairs the four left and skips the two done.
    const resume = /^To resume: (.*)$/m.exec(stopped)![1]!;
    expect(resume).toBe(`mkp repair batch --journal ${join(dir.path, "mkp-repair-journal.json")} --concurrency 2`);
    await tmux("send-keys", "-t", "mkp", "clear", "Enter");
    await tmux("send-keys", "-t", "mkp", `${resume}; echo "exit $?"`, "Enter");
    // Each new repair ends once the clock moves past it.
    const ticking = setInterval(() => sandbox.advance(TIMING.queuedMs + TIMING.processingMs), 100);
    try {
      const resumed = await waitForScreen(/^exit \d+$/m);
      expect(resumed).toMatch(/^4 repaired, 2 already done, 0 failed of 6 in /m);
      expect(resumed).toMatch(/^exit 0$/m);
    } finally {
      clearInterval(ticking);
    }
    expect((await readdir(join(dir.path, "batch"))).filter((name) => name.includes(".fixed."))).toHaveLength(6);
  }, 120_000);
});
