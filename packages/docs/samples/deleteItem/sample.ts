import { createClient, unwrap } from "@mkp/client";

/** Deletes an item from Makeprintable's servers. */
export async function deleteItem(id: number) {
  const client = createClient(); // the API key from $MAKEPRINTABLE_API_KEY
  await unwrap(client.DELETE("/items/{id}", { params: { path: { id } } }));
}
