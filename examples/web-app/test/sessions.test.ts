// A session ends with its token, and ended sessions do not pile up in memory (a server that
// never prunes them grows without bound). The whole sign-in over HTTP on 127.0.0.1: the app, and the sandbox approving at once.
import { afterEach, expect, it } from "vitest";
import { startWebApp, type RunningApp } from "../src/start.js";
import { signIn } from "./helpers.js";

let running: RunningApp | undefined;
afterEach(() => running?.close());

it("signs a browser out once its token has expired", async () => {
  let clock = Date.now();
  running = await startWebApp({ env: {}, sandbox: { autoApprove: true }, now: () => clock });
  const session = await signIn(running);
  const home = async () => (await (await fetch(running!.url, { headers: { cookie: session } })).text()).includes("Connect Makeprintable");
  expect(await home()).toBe(false);
  clock += 60 * 60 * 1000; // the sandbox's tokens live an hour
  expect(await home()).toBe(true);
  // A new sign-in drops the ended session; the old cookie stays signed out.
  await signIn(running);
  expect(await home()).toBe(true);
});
