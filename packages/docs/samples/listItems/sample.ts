import { createClient, unwrap } from "@mkp/client";

/** Your items, a page at a time. */
export async function listItems(page = 1, pageSize = 20) {
  const client = createClient(); // the API key from $MAKEPRINTABLE_API_KEY
  const items = await unwrap(client.GET("/items", { params: { query: { page, pageSize } } }));
  for (const item of Array.isArray(items) ? items : []) console.log(item.id, `${item.file_name}.${item.file_ext}`);
  return items;
}
