import { createClient, unwrap } from "@mkp/client";

/** A repair's status and progress. */
export async function getFix(id: number) {
  // The API key comes from $MAKEPRINTABLE_API_KEY.
  const client = createClient();
  const fix = await unwrap(client.GET("/fixes/{id}", { params: { path: { id } } }));
  console.log(`fix ${id}: ${fix.status}, ${fix.progress}`);
  return fix;
}
