import { createClient, NotFoundError, unwrap } from "@mkp/client";

/** One item, or `undefined` when your account has no such item. */
export async function getItem(id: number) {
  // The API key comes from $MAKEPRINTABLE_API_KEY.
  const client = createClient();
  try {
    return await unwrap(client.GET("/items/{id}", { params: { path: { id } } }));
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}
