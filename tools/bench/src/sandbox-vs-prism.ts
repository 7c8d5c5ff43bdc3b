#!/usr/bin/env node
// `pnpm exec tsx tools/bench/src/sandbox-vs-prism.ts [--rounds 3] [--seconds 10]`: how many `GET /v1/items` the
// sandbox answers per second against Prism's mock of the same spec, in the same run. Each server
// runs in its own process with its default settings and its log thrown away; autocannon loads
// one, then the other, round after round, so a busy neighbour hits both alike.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { API_KEY_HEADER } from "@mkp/client";
import { API_KEY_EXAMPLE } from "@mkp/client/internal";
import { freePort } from "@mkp/testing";
import { REPO_ROOT, runOk } from "./child.js";
import { formatNumber, median } from "./stats.js";

const SPEC = resolve(REPO_ROOT, "packages/client/openapi.json");
const BIN = resolve(REPO_ROOT, "tools/bench/node_modules/.bin");
const CONNECTIONS = 64;

/** Polls `url` until it answers (any status), for at most 60 s. */
async function waitFor(url: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    try {
      await fetch(url, { headers: { [API_KEY_HEADER]: API_KEY_EXAMPLE } });
      return;
    } catch {
      await new Promise((wait) => setTimeout(wait, 100));
    }
  }
  throw new Error(`${url} never answered`);
}

async function start(name: string, command: string, args: string[], url: string): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd: REPO_ROOT, stdio: "ignore" });
  child.once("exit", (code) => code !== null && code !== 0 && console.error(`${name} exited with ${code}`));
  await waitFor(url);
  return child;
}

/** Answers per second that autocannon measured (every one a 200), and its errors (timeouts: no answer within 10 s). */
async function load(url: string, seconds: number): Promise<{ perSecond: number; errors: number }> {
  const args = ["-c", String(CONNECTIONS), "-d", String(seconds), "-j", "-H", `${API_KEY_HEADER}=${API_KEY_EXAMPLE}`, url];
  const result = JSON.parse((await runOk(resolve(BIN, "autocannon"), args)).stdout) as { requests: { average: number }; non2xx: number; errors: number };
  if (result.non2xx > 0) throw new Error(`${url}: ${result.non2xx} answers were not 2xx`);
  return { perSecond: result.requests.average, errors: result.errors };
}

const { values } = parseArgs({ options: { rounds: { type: "string", default: "3" }, seconds: { type: "string", default: "10" } }, strict: true });
const [rounds, seconds] = [Number(values.rounds), Number(values.seconds)];
if (!(Number.isInteger(rounds) && rounds > 0 && Number.isInteger(seconds) && seconds > 0)) throw new Error("--rounds and --seconds take whole numbers above 0");
const [sandboxPort, prismPort] = [await freePort(), await freePort()];
const sandboxUrl = `http://127.0.0.1:${sandboxPort}/v1/items`;
const prismUrl = `http://127.0.0.1:${prismPort}/items`;
const sandbox = await start(
  "the sandbox",
  process.execPath,
  [resolve(REPO_ROOT, "packages/mock-server/dist/cli.js"), "--port", String(sandboxPort)],
  sandboxUrl,
);
const prism = await start("Prism", resolve(BIN, "prism"), ["mock", "-p", String(prismPort), SPEC], prismUrl);
try {
  const ratios: number[] = [];
  console.log(`GET /items, autocannon -c ${CONNECTIONS} -d ${seconds}, ${rounds} rounds (sandbox then Prism in each)`);
  for (let round = 1; round <= rounds; round++) {
    const mine = await load(sandboxUrl, seconds);
    const theirs = await load(prismUrl, seconds);
    ratios.push(mine.perSecond / theirs.perSecond);
    const errors = (errors: number) => (errors > 0 ? ` (${errors} timeouts)` : "");
    console.log(
      `round ${round}: sandbox ${formatNumber(mine.perSecond)} req/s${errors(mine.errors)}, Prism ${formatNumber(theirs.perSecond)} req/s${errors(theirs.errors)}, ${ratios.at(-1)?.toFixed(2)}×`,
    );
  }
  console.log(`ratio: median ${median(ratios).toFixed(2)}×, range ${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)}×`);
} finally {
  sandbox.kill();
  prism.kill();
}
