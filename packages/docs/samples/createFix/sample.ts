import { createClient, unwrap } from "@mkp/client";

/**
 * Starts the repair of an uploaded item. With `callbackUrl`,
 * Makeprintable POSTs the finished fix there (read it with
 * parseFixCallback); or wait with waitForFix(client, fix.id).
 */
export async function repairItem(itemId: number, callbackUrl?: string) {
  // The API key comes from $MAKEPRINTABLE_API_KEY.
  const client = createClient();
  const fix = await unwrap(
    client.POST("/fixes", {
      body: {
        item_id: itemId,
        name: "repaired",
        print_quality: "standard",
        ...(callbackUrl && { callback_url: callbackUrl }),
      },
    }),
  );
  console.log(`fix ${fix.id}: ${fix.status}`);
  return fix;
}
