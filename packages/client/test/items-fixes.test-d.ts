import { describe, expectTypeOf, it } from "vitest";
import { createClient, fixesOf, itemsOf, parseFixCallback, unwrap, uploadItem, waitForFix, type Fix, type Item } from "../src/index.js";

const client = createClient({ apiKey: "12345weLove3DPrinting" });

describe("types of items and fixes", () => {
  it("takes a Blob or File for the multipart `file`, not a string", () => {
    void client.POST("/items", { body: { file: new Blob(["v 0 0 0"]) } });
    void client.POST("/items", { body: { file: new File(["v 0 0 0"], "a.obj") } });
    void client.POST("/items", { body: { fileurl: "https://example.com/a.obj" } });
    // @ts-expect-error a file is bytes, not a string
    void client.POST("/items", { body: { file: "v 0 0 0" } });
  });

  it("needs a file name for bare bytes, not for a File", () => {
    void uploadItem(client, { file: new File([], "a.obj") });
    void uploadItem(client, { file: new Uint8Array(4), fileName: "a.obj" });
    void uploadItem(client, { fileUrl: new URL("https://example.com/a.obj") });
    // @ts-expect-error bytes carry no name
    void uploadItem(client, { file: new Uint8Array(4) });
    // @ts-expect-error a file or a URL, not both
    void uploadItem(client, { file: new File([], "a.obj"), fileUrl: "https://example.com/a.obj" });
  });

  it("unwraps to the success data", () => {
    const item = unwrap(client.GET("/items/{id}", { params: { path: { id: 149 } } }));
    expectTypeOf(item).resolves.toHaveProperty("file_ext").toEqualTypeOf<string>();
    expectTypeOf(item).resolves.toHaveProperty("created_at").toEqualTypeOf<number>();
  });

  it("types fixes from the spec", () => {
    expectTypeOf(waitForFix(client, 17)).resolves.toEqualTypeOf<Fix>();
    expectTypeOf(parseFixCallback("id=17")).toEqualTypeOf<Fix>();
    expectTypeOf<Fix["progress"]>().toEqualTypeOf<number | string | undefined>();
    // @ts-expect-error `create fix` needs the item
    void client.POST("/fixes", { body: { name: "box" } });
    // @ts-expect-error print_quality is one of three presets
    void client.POST("/fixes", { body: { item_id: 149, print_quality: "ultra" } });
  });

  it("types the main job end to end without casts", async () => {
    const item = await unwrap(uploadItem(client, { file: new File([], "part.stl") }));
    const started = await unwrap(client.POST("/fixes", { body: { item_id: item.id } }));
    expectTypeOf(started.id).toEqualTypeOf<number>();
    const done = await waitForFix(client, started.id);
    expectTypeOf(done.download_url).toEqualTypeOf<string | undefined>();
    expectTypeOf(itemsOf(await unwrap(client.GET("/items")))).toEqualTypeOf<Item[]>();
    expectTypeOf(fixesOf(await unwrap(client.GET("/fixes"))).map((fix) => fix.id)).toEqualTypeOf<number[]>();
  });
});
