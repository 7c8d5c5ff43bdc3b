import { createClient, unwrap } from "@mkp/client";

/** Deletes an item from Makeprintable's servers. */
export async function deleteItem(id: number) {
  // The API key comes from $MAKEPRINTABLE_API_KEY.
  const client = createClient();
  await unwrap(client.DELETE("/items/{id}", { params: { path: { id } } }));
}
