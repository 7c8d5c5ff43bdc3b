import type { OperationId } from "@mkp/client";
import type { Handler, RequestContext } from "./context.js";
import type { Reply } from "./http.js";

type ResourceOperation = Exclude<OperationId, "authorize" | "createToken">;

function notFound(): Reply {
  return { status: 404, json: { error: "not_found", error_description: "No such resource in your account." } };
}

function owner(context: RequestContext): number {
  // Protected operations always carry a checked credential (the server checks it before the handler).
  if (!context.credential) throw new Error("a protected operation ran without a credential");
  return context.credential.userId;
}

/** Handlers of the items and fixes operations. */
export const resourceHandlers: Record<ResourceOperation, Handler> = {
  listItems: (_sandbox, context) => {
    owner(context);
    return { status: 200, json: [] };
  },
  createItem: async (_sandbox, context) => {
    await context.readBody().catch(() => undefined);
    return { status: 400, json: { error: "invalid_request", error_description: "Uploads arrive in the next version of the sandbox." } };
  },
  getItem: (_sandbox, context) => {
    owner(context);
    return notFound();
  },
  deleteItem: (_sandbox, context) => {
    owner(context);
    return notFound();
  },
  listFixes: (_sandbox, context) => {
    owner(context);
    return { status: 200, json: [] };
  },
  createFix: async (_sandbox, context) => {
    await context.readBody().catch(() => undefined);
    return { status: 400, json: { error: "invalid_request", error_description: "Fixes arrive in the next version of the sandbox." } };
  },
  getFix: (_sandbox, context) => {
    owner(context);
    return notFound();
  },
};
