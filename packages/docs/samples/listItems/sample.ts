import { createClient, unwrap } from "@mkp/client";

/** Your items, a page at a time. */
export async function listItems(page = 1, pageSize = 20) {
  // The API key comes from $MAKEPRINTABLE_API_KEY.
  const client = createClient();
  const items = await unwrap(client.GET("/items", { params: { query: { page, pageSize } } }));
  for (const item of Array.isArray(items) ? items : []) {
    console.log(item.id, `${item.file_name}.${item.file_ext}`);
  }
  return items;
}
