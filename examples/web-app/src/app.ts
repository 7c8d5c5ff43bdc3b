import { Hono } from "hono";
import { CALLBACK_PATH, WebAppContext, type WebAppConfig } from "./context.js";
import { problem } from "./pages.js";
import { itemRoutes } from "./routes/items.js";
import { repairRoutes } from "./routes/repairs.js";
import { signInRoutes } from "./routes/sign-in.js";

export type { WebAppConfig } from "./context.js";

/** The example app: "Connect Makeprintable" → authorize → consent → callback → signed in. */
export function createWebApp(config: WebAppConfig): Hono {
  const context = new WebAppContext(config);
  const app = new Hono();
  // Every state-changing request must come from this app's own pages (Makeprintable's callback is
  // server to server: it proves itself with the secret in its URL instead).
  app.use("*", async (c, next) => {
    if (c.req.method === "POST" && c.req.header("origin") !== config.appUrl && !c.req.path.startsWith(`${CALLBACK_PATH}/`)) {
      return c.html(problem("Request refused", "This form was not sent from this site.", false), 403);
    }
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'");
    await next();
  });
  app.route("/", signInRoutes(context));
  app.route("/", itemRoutes(context));
  app.route("/", repairRoutes(context));
  return app;
}
