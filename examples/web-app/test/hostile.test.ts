// What reaches the app from outside it: the public fix-done callback URL (anyone can POST to it)
// and the API's answers (a hostile or broken API). Over HTTP on 127.0.0.1: the app and the sandbox.
import { afterEach, expect, it } from "vitest";
import { startWebApp, type RunningApp } from "../src/start.js";
import { postHugeBody, signIn } from "./helpers.js";

let running: RunningApp | undefined;
afterEach(() => running?.close());
const MB = 1024 * 1024;

it("refuses a 300 MB callback to a wrong secret at once, without reading the body", async () => {
  running = await startWebApp({ env: {}, sandbox: { autoApprove: true } });
  const { status, sent } = await postHugeBody(`${running.url}/makeprintable/fix-done/not-the-secret`, 300 * MB);
  expect(status).toBe(404);
  // The answer came while the client had sent a sliver of the body: the app never waited for it.
  expect(sent).toBeLessThan(16 * MB);
});

it("answers a callback to its own secret with 413 once the body is over 64 KiB, before reading it", async () => {
  let callbackUrl: string | undefined;
  running = await startWebApp({
    env: {},
    sandbox: { autoApprove: true },
    // Watches what the app asks of the API, to learn the callback URL it gives for its repair.
    fetch: async (request) => {
      if (request.method === "POST" && new URL(request.url).pathname.endsWith("/fixes")) {
        callbackUrl = new URLSearchParams(await request.clone().text()).get("callback_url") ?? undefined;
      }
      return fetch(request);
    },
  });
  const app = running;
  const session = await signIn(app);
  const form = new FormData();
  form.append("file", new Blob(["v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n"]), "cube.obj");
  const headers = { cookie: session, origin: app.url };
  expect((await fetch(`${app.url}/upload`, { method: "POST", body: form, headers, redirect: "manual" })).status).toBe(303);
  const home = await (await fetch(app.url, { headers })).text();
  const itemId = /action="\/items\/(\d+)\/repair"/.exec(home)![1];
  expect((await fetch(`${app.url}/items/${itemId}/repair`, { method: "POST", headers, redirect: "manual" })).status).toBe(303);
  expect(callbackUrl).toMatch(new RegExp(`^${app.url}/makeprintable/fix-done/[\\w-]{43}$`));
  const { status, sent } = await postHugeBody(callbackUrl!, 300 * MB);
  expect(status).toBe(413);
  expect(sent).toBeLessThan(16 * MB);
});

it("shows whatever the API sends as text: markup in ids and names stays text, a date that is no number does not break the page", async () => {
  const hostile = [
    {
      id: '1"><form action="/logout" method="post"><button>Win</button></form>',
      user_id: 8,
      file_name: "<script>alert(1)</script>",
      file_ext: "stl",
      status: 1,
      created_at: "yesterday",
      updated_at: 0,
    },
    { id: 2, user_id: 8, file_name: "box", file_ext: "obj", status: 1, created_at: 1422295700, updated_at: 0 },
  ];
  running = await startWebApp({
    env: {},
    sandbox: { autoApprove: true },
    fetch: async (request) => (request.method === "GET" && new URL(request.url).pathname.endsWith("/items") ? Response.json(hostile) : fetch(request)),
  });
  const session = await signIn(running);
  const page = await fetch(running.url, { headers: { cookie: session } });
  expect(page.status).toBe(200);
  const html = await page.text();
  expect(html).not.toContain("<script>alert");
  expect(html).not.toContain('<form action="/logout"');
  expect(html).toContain("&#60;script&#62;alert(1)&#60;/script&#62;.stl");
  expect(html).toContain("<td>yesterday</td>");
  expect(html).toContain(`<td>${new Date(1422295700 * 1000).toISOString()}</td>`);
  expect(html).toContain(
    'action="/items/1%22%3E%3Cform%20action%3D%22%2Flogout%22%20method%3D%22post%22%3E%3Cbutton%3EWin%3C%2Fbutton%3E%3C%2Fform%3E/repair"',
  );
});
