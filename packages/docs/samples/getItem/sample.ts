import { createClient, NotFoundError, unwrap } from "@mkp/client";

/** One item, or `undefined` when your account has no such item. */
export async function getItem(id: number) {
  const client = createClient(); // the API key from $MAKEPRINTABLE_API_KEY
  try {
    return await unwrap(client.GET("/items/{id}", { params: { path: { id } } }));
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
