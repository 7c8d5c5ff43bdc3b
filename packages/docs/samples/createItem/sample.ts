import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { createClient, unwrap, uploadItem } from "@mkp/client";

/**
 * Uploads a 3D model (or a zip holding one). The file's name
 * gives the item's name and extension.
 */
export async function uploadModel(path: string) {
  // The API key comes from $MAKEPRINTABLE_API_KEY.
  const client = createClient();
  const item = await unwrap(
    uploadItem(client, {
      file: createReadStream(path),
      fileName: basename(path),
    }),
  );
  // Or let Makeprintable download it: { fileUrl: "https://…" }.
  console.log(`item ${item.id}: ${item.file_name}.${item.file_ext}`);
  return item;
}
