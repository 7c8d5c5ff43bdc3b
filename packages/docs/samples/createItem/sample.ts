import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { createClient, unwrap } from "@mkp/client";

/**
 * Uploads a 3D model (or a zip holding one). The file's name
 * gives the item's name and extension.
 */
export async function uploadModel(path: string) {
  // The API key comes from $MAKEPRINTABLE_API_KEY.
  const client = createClient();
  const file = new File([await readFile(path)], basename(path));
  const item = await unwrap(client.POST("/items", { body: { file } }));
  console.log(`item ${item.id}: ${item.file_name}.${item.file_ext}`);
  return item;
}
