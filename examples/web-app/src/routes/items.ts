import { APIError, itemsOf, unwrap, uploadItem, type Fix, type Item } from "@mkp/client";
import { Hono } from "hono";
import { CALLBACK_PATH, Repairs, type WebAppContext } from "../context.js";
import { homeSignedIn, homeSignedOut, problem, type ItemRow } from "../pages.js";

/** A Unix time as an ISO date; anything else the API sent, as text (never a crash). */
const addedOn = (seconds: unknown) => (typeof seconds === "number" && Number.isFinite(Math.abs(seconds) * 1000) ? new Date(seconds * 1000) : undefined);
const rowOf = (item: Item): ItemRow => ({
  id: item.id,
  name: `${item.file_name}.${item.file_ext}`,
  added: addedOn(item.created_at)?.toISOString() ?? String(item.created_at ?? ""),
});
const statusOf = (error: unknown) => (error instanceof APIError && error.status !== undefined ? String(error.status) : "no answer");

/** The signed-in home page (the models, the upload form), uploads and starting a repair. */
export function itemRoutes(context: WebAppContext): Hono {
  const routes = new Hono();

  routes.get("/", async (c) => {
    const session = await context.sessionOf(c);
    if (!session) return c.html(homeSignedOut());
    let items: Item[];
    try {
      items = itemsOf(await unwrap(context.apiFor(session.token).GET("/items")));
    } catch (error) {
      return c.html(problem("Could not load your models", `Makeprintable answered ${statusOf(error)}. Try signing in again.`), 502);
    }
    return c.html(homeSignedIn(items.map(rowOf), c.req.query("uploaded") ? "Your model was uploaded." : undefined));
  });

  routes.post("/upload", async (c) => {
    const session = await context.sessionOf(c);
    if (!session) return c.redirect("/", 303);
    const file = (await c.req.formData()).get("file");
    if (!(file instanceof File) || file.size === 0) return c.html(problem("Nothing uploaded", "Choose a 3D file to upload.", false), 400);
    const { error, response } = await uploadItem(context.apiFor(session.token), { file });
    if (error) return c.html(problem("Upload failed", `Makeprintable answered ${response.status}.`, false), 502);
    return c.redirect("/?uploaded=1", 303);
  });

  routes.post("/items/:id/repair", async (c) => {
    const session = await context.sessionOf(c);
    if (!session) return c.redirect("/", 303);
    const itemId = Number(c.req.param("id"));
    if (!Number.isSafeInteger(itemId) || itemId < 1) return c.html(problem("No such model", "Choose a model from your list.", false), 404);
    const api = context.apiFor(session.token);
    const { secret, digest } = Repairs.newSecret();
    let started: Fix;
    let fileName: string;
    try {
      const item = await unwrap(api.GET("/items/{id}", { params: { path: { id: itemId } } }));
      fileName = `${item.file_name}.${item.file_ext}`;
      const callback = context.fixCallbacks ? { callback_url: `${context.config.appUrl}${CALLBACK_PATH}/${secret}` } : {};
      started = await unwrap(api.POST("/fixes", { body: { item_id: itemId, name: item.file_name, ...callback } }));
    } catch (error) {
      return c.html(problem("Repair failed", `Makeprintable could not start the repair (${statusOf(error)}).`, false), 502);
    }
    context.repairs.add({ fixId: started.id, sessionId: session.id, fileName, callbackDigest: digest });
    return c.redirect(`/repairs/${started.id}`, 303);
  });

  return routes;
}
