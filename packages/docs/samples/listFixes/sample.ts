import { createClient, unwrap } from "@mkp/client";

/** Your repaired items. */
export async function listFixes() {
  const client = createClient(); // the API key from $MAKEPRINTABLE_API_KEY
  const fixes = await unwrap(client.GET("/fixes"));
  for (const fix of Array.isArray(fixes) ? fixes : []) console.log(fix.id, fix.status, fix.progress);
  return fixes;
}
