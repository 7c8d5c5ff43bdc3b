import { afterEach, describe, expect, it } from "vitest";
import { APIUserAbortError, createClient, FixTimeoutError, isFixDone, NotFoundError, waitForFix, type Fix } from "../src/index.js";
import { json, startRecordingServer } from "@mkp/testing";

const API_KEY = "12345weLove3DPrinting";
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A fix server whose fix 17 moves one step along `steps` per poll (and stays at the last). */
async function fixServer(steps: Fix[]) {
  const api = await startRecordingServer((request, response, index) => {
    if (request.url !== "/v1/fixes/17") return json(response, 404, { error: "not_found" });
    json(response, 200, steps[Math.min(index, steps.length - 1)]);
  });
  closers.push(api.close);
  return api;
}

/** A client, a clock that only moves when the injected sleep is called, and the sleeps asked for. */
function harness(url: string) {
  const client = createClient({ apiKey: API_KEY, baseUrl: `${url}/v1` });
  let clock = 1_000_000;
  const delays: number[] = [];
  const sleep = async (ms: number, signal: AbortSignal) => {
    delays.push(ms);
    clock += ms;
    if (signal.aborted) throw signal.reason;
  };
  return { client, delays, sleep, now: () => clock };
}

const queued = { id: 17, item_id: 149, status: "queued", progress: 0 };
const processing = (progress: number) => ({ id: 17, item_id: 149, status: "processing", progress });
const done = { id: 17, item_id: 149, status: "done", progress: 100, download_url: "http://127.0.0.1/d/17.obj" };

describe("waitForFix", () => {
  it("polls until the sandbox says done, backing off 1.5× per poll", async () => {
    const api = await fixServer([queued, processing(40), processing(80), done]);
    const { client, delays, sleep, now } = harness(api.url);
    const fix = await waitForFix(client, 17, { sleep, now });
    expect(fix).toEqual(done);
    expect(api.requests.map((request) => `${request.method} ${request.url} ${request.headers.key}`)).toEqual(Array(4).fill(`GET /v1/fixes/17 ${API_KEY}`));
    expect(delays).toEqual([1000, 1500, 2250]);
  });

  it("caps the pause at maxIntervalMs and starts at intervalMs", async () => {
    const api = await fixServer([queued, queued, queued, queued, done]);
    const { client, delays, sleep, now } = harness(api.url);
    await waitForFix(client, 17, { sleep, now, intervalMs: 200, maxIntervalMs: 400 });
    expect(delays).toEqual([200, 300, 400, 400]);
  });

  it("takes its own isDone when the API's status values differ", async () => {
    const api = await fixServer([
      { id: 17, status: 2 },
      { id: 17, status: 3 },
      { id: 17, status: 4 },
    ]);
    const { client, sleep, now } = harness(api.url);
    const fix = await waitForFix(client, 17, { sleep, now, isDone: (state) => state.status === 3 });
    expect(fix.status).toBe(3);
    expect(api.requests).toHaveLength(2);
  });

  it("fails with FixTimeoutError at the deadline, carrying the last state", async () => {
    const api = await fixServer([queued, processing(10)]);
    const { client, delays, sleep, now } = harness(api.url);
    const failure = await waitForFix(client, 17, { sleep, now, timeoutMs: 5000 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(FixTimeoutError);
    expect(failure).toMatchObject({ code: "MKP_FIX_TIMEOUT", message: 'fix 17 was not done after 5000 ms (last status: "processing")', fix: processing(10) });
    // 1000 + 1500 + 2250 = 4750, then the last 250 ms up to the deadline, then one last poll
    expect(delays).toEqual([1000, 1500, 2250, 250]);
    expect(api.requests).toHaveLength(5);
  });

  it("stops with APIUserAbortError when the signal aborts while waiting", async () => {
    const api = await fixServer([queued]);
    const { client, now } = harness(api.url);
    const controller = new AbortController();
    const sleep = async (_ms: number, signal: AbortSignal) => {
      controller.abort();
      if (signal.aborted) throw signal.reason;
    };
    await expect(waitForFix(client, 17, { sleep, now, signal: controller.signal })).rejects.toBeInstanceOf(APIUserAbortError);
    expect(api.requests).toHaveLength(1);
  });

  it("does not poll at all with an aborted signal", async () => {
    const api = await fixServer([done]);
    const { client, sleep, now } = harness(api.url);
    await expect(waitForFix(client, 17, { sleep, now, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(APIUserAbortError);
    expect(api.requests).toHaveLength(0);
  });

  it("throws the typed error of a failed poll", async () => {
    const api = await fixServer([done]);
    const { client, sleep, now } = harness(api.url);
    await expect(waitForFix(client, 99, { sleep, now })).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("isFixDone (the documented default)", () => {
  it.each([
    [{ status: "done" }, true],
    [{ status: "DONE" }, true],
    [{ progress: 100 }, true],
    [{ progress: "100" }, true],
    [{ status: "processing", progress: 99.5 }, false],
    [{ status: "queued" }, false],
    [{ status: 1 }, false],
    [{}, false],
  ] as const)("%o → %s", (fix, expected) => {
    expect(isFixDone(fix)).toBe(expected);
  });
});
