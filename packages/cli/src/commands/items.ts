import { fixesOf, isFixDone, itemsOf, unwrap, type Fix, type Item, type MakeprintableClient } from "@mkp/client";
import { OPERATION_INPUTS } from "@mkp/client/internal";
import { fieldTable, printable, table, unixTime } from "../output.js";
import { percentOf } from "../progress.js";
import type { Program } from "../run-cli.js";
import { numberParser, specOption } from "../spec-options.js";

const itemId = numberParser(OPERATION_INPUTS.getItem.schema.properties.id);

const fileOf = (item: Item) => `${item.file_name}.${item.file_ext}`;

/** Each item's newest repair, by item id: the API publishes no meaning for an item's own status code. */
async function newestFixes(client: MakeprintableClient, signal: AbortSignal | undefined): Promise<Map<number, Fix>> {
  const newest = new Map<number, Fix>();
  for (const fix of fixesOf(await unwrap(client.GET("/fixes", signal ? { signal } : {})))) {
    if (fix.item_id === undefined) continue;
    if ((newest.get(fix.item_id)?.id ?? -1) < fix.id) newest.set(fix.item_id, fix);
  }
  return newest;
}

/** An item's state in words, from its newest repair: "repaired (fix 9)", "processing 40% (fix 9)", "not repaired". */
function repairState(fix: Fix | undefined): string {
  if (!fix) return "not repaired";
  return isFixDone(fix) ? `repaired (fix ${fix.id})` : `${printable(fix.status ?? "repairing")} ${percentOf(fix)}% (fix ${fix.id})`;
}

/** `mkp items list|get|delete`. */
export function addItemCommands(program: Program): void {
  const items = program.command.command("items").description("your 3D models: list, show or delete them");

  items
    .command("list")
    .description("list your models")
    .addOption(specOption("listItems", "page", "--page <n>"))
    .addOption(specOption("listItems", "pageSize", "--page-size <n>"))
    .option("--json", "print the list as JSON")
    .action(async (options: { page?: number; pageSize?: number; json?: boolean }) => {
      const run = program.run();
      const { client } = await run.client();
      const query = { ...(options.page !== undefined && { page: options.page }), ...(options.pageSize !== undefined && { pageSize: options.pageSize }) };
      const list = itemsOf(await unwrap(client.GET("/items", { params: { query }, ...(run.signal && { signal: run.signal }) })));
      if (options.json) return run.json(list);
      if (list.length === 0) return run.out("No models yet: add one with `mkp repair <file>`.");
      const fixes = await newestFixes(client, run.signal);
      run.out(
        table(
          ["id", "file", "status", "created"],
          list.map((item) => [item.id, fileOf(item), repairState(fixes.get(item.id)), unixTime(item.created_at)]),
        ),
      );
    });

  items
    .command("get")
    .description("show one model")
    .argument("<id>", "the item's id", itemId)
    .option("--json", "print the item as JSON")
    .action(async (id: number, options: { json?: boolean }) => {
      const run = program.run();
      run.whenNotFound(`no item ${id} in this account: see \`mkp items list\``);
      const { client } = await run.client();
      const item = await unwrap(client.GET("/items/{id}", { params: { path: { id } }, ...(run.signal && { signal: run.signal }) }));
      if (options.json) return run.json(item);
      const fixes = await newestFixes(client, run.signal);
      run.out(
        fieldTable([
          ["id", item.id],
          ["file", fileOf(item)],
          ["status", repairState(fixes.get(item.id))],
          ["owner", item.user_id],
          ["created", unixTime(item.created_at)],
          ["updated", unixTime(item.updated_at)],
        ]),
      );
    });

  items
    .command("delete")
    .description("delete a model from Makeprintable")
    .argument("<id>", "the item's id", itemId)
    .option("--json", "print the result as JSON")
    .action(async (id: number, options: { json?: boolean }) => {
      const run = program.run();
      run.whenNotFound(`no item ${id} in this account: see \`mkp items list\``);
      const { client } = await run.client();
      await unwrap(client.DELETE("/items/{id}", { params: { path: { id } }, ...(run.signal && { signal: run.signal }) }));
      if (options.json) return run.json({ id, deleted: true });
      run.out(`Deleted item ${id}.`);
    });
}
