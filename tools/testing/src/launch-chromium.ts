import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

/** Debian's Chromium (`apt-get install chromium`, installed by tools/dev/ensure-debian-packages.mjs); `MKP_CHROMIUM` points elsewhere. */
export const CHROMIUM_PATH = process.env.MKP_CHROMIUM ?? "/usr/bin/chromium";

/** The flags DEVELOPERS.md names: headless, no sandbox (containers), and nothing that reaches the network on its own. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export interface LaunchChromiumOptions {
  /** Window size of every page; Playwright's default (1280×720) when absent. */
  viewport?: { width: number; height: number };
}

export interface LaunchedChromium {
  context: BrowserContext;
  /** Closes the browser, then removes its profile directory. */
  close(): Promise<void>;
}

/**
 * Headless Chromium with a fresh profile in a temporary directory.
 * playwright-core 1.65 refuses `--user-data-dir` in `args`, so the profile goes through `launchPersistentContext`.
 */
export async function launchChromium(options: LaunchChromiumOptions = {}): Promise<LaunchedChromium> {
  const profile = await mkdtemp(join(tmpdir(), "mkp-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: [...CHROMIUM_ARGS],
      ...(options.viewport ? { viewport: options.viewport } : {}),
    });
    return {
      context,
      async close() {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
