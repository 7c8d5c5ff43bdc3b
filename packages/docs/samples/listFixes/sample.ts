import { createClient, unwrap } from "@mkp/client";

/** Your repaired items. */
export async function listFixes() {
  // The API key comes from $MAKEPRINTABLE_API_KEY.
  const client = createClient();
  const fixes = await unwrap(client.GET("/fixes"));
  for (const fix of Array.isArray(fixes) ? fixes : []) {
    console.log(fix.id, fix.status, fix.progress);
  }
  return fixes;
}
