import type { OperationId } from "@mkp/client/internal";

/**
 * The `mkp` command that calls each operation of the spec. An operation missing here has no
 * command yet: `pnpm spec:status` lists it after a spec edit, and a name the spec does not have is
 * a type error. The CLI's tests run every command named here.
 */
export const COMMAND_FOR_OPERATION = {
  authorize: "mkp login",
  createToken: "mkp login",
  createItem: "mkp repair",
  listItems: "mkp items list",
  getItem: "mkp items get",
  deleteItem: "mkp items delete",
  createFix: "mkp repair",
  listFixes: "mkp fixes list",
  getFix: "mkp fixes get",
} as const satisfies { readonly [Operation in OperationId]?: `mkp ${string}` };
