import { FixCallbackError, isFixDone, parseFixCallback, type Fix } from "@mkp/client";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { CALLBACK_PATH, type Repair, type WebAppContext } from "../context.js";
import { problem, repairPage } from "../pages.js";

/** The largest fix-done callback body read: a fix is a small JSON object. */
export const MAX_CALLBACK_BYTES = 64 * 1024;
const isWebUrl = (url: unknown): url is string => typeof url === "string" && URL.canParse(url) && /^https?:$/.test(new URL(url).protocol);

/** The repair page (polled or told by the callback) and Makeprintable's fix-done callback. */
export function repairRoutes(context: WebAppContext): Hono<{ Variables: { repair: Repair } }> {
  const routes = new Hono<{ Variables: { repair: Repair } }>();

  routes.get("/repairs/:id", async (c) => {
    const session = await context.sessionOf(c);
    if (!session) return c.redirect("/", 303);
    const fixId = Number(c.req.param("id"));
    const repair = context.repairs.get(fixId);
    if (!repair || repair.sessionId !== session.id) return c.html(problem("No such repair", "Start a repair from your list of models.", false), 404);
    // The callback's fix, once it came; until then the API's (this is where polling happens).
    let fix = repair.notified;
    if (!fix) {
      const { data, response } = await context.apiFor(session.token).GET("/fixes/{id}", { params: { path: { id: fixId } } });
      if (!data) return c.html(problem("Could not load the repair", `Makeprintable answered ${response.status}.`, false), 502);
      fix = data;
    }
    const downloadUrl = isFixDone(fix) && isWebUrl(fix.download_url) ? fix.download_url : undefined;
    return c.html(
      repairPage({
        fileName: repair.fileName,
        status: String(fix.status ?? ""),
        progress: Math.max(0, Math.min(100, Math.round(Number(fix.progress) || 0))),
        downloadUrl,
        notified: repair.notified !== undefined,
        refreshSeconds: downloadUrl ? undefined : 1,
      }),
    );
  });

  // Makeprintable POSTs the finished fix here (the `fixDone` callback of `POST /fixes`). The URL is
  // public, so the secret in it is checked first and anything else is answered before a byte of
  // the body is read, closing the connection so the rest is never received either.
  routes.post(
    `${CALLBACK_PATH}/:secret`,
    async (c, next) => {
      const repair = context.repairs.bySecret(c.req.param("secret"));
      if (!repair) return c.text("unknown callback", 404, { connection: "close" });
      c.set("repair", repair);
      await next();
    },
    bodyLimit({
      maxSize: MAX_CALLBACK_BYTES,
      onError: (c) => c.text(`a fix-done callback is at most ${MAX_CALLBACK_BYTES} bytes`, 413, { connection: "close" }),
    }),
    async (c) => {
      const repair = c.get("repair");
      let fix: Fix;
      try {
        fix = parseFixCallback(await c.req.text());
      } catch (error) {
        if (error instanceof FixCallbackError) return c.text(error.message, 400);
        throw error;
      }
      // The secret was this fix's own: a callback for another fix does not count.
      if (fix.id !== repair.fixId) return c.text("unknown callback", 404);
      repair.notified = fix;
      return c.text("ok", 200);
    },
  );

  return routes;
}
