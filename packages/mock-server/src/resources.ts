import type { IncomingMessage } from "node:http";
import { isLoopbackHost, type OperationId } from "@mkp/client/internal";
import type { Handler, OperationHandler, RequestContext, Sandbox } from "./context.js";
import { singleQuery } from "./from-spec.js";
import { BodyTooLargeError, FORM, mediaTypeOf, type Reply } from "./http.js";
import { apiError } from "./respond.js";
import { randomToken } from "./state.js";
import type { SpecValidator } from "./validate.js";

const MULTIPART = "multipart/form-data";

/** How a sandbox fix moves on the injected clock: `queued`, then `processing` (progress 0→99), then `done` (100). */
export interface FixTiming {
  /** How long a fix stays `queued`, in ms. Default 1000. */
  queuedMs: number;
  /** How long it is `processing`, in ms. Default 5000. */
  processingMs: number;
}

/** One `callback_url` POST the sandbox made (or tried) when a fix was done. */
export interface FixCallbackDelivery {
  fixId: number;
  url: string;
  /** The form fields sent: the fix as `GET /fixes/{id}` returns it. */
  body: Readonly<Record<string, string>>;
  /** The receiver's status, or undefined when the request failed. */
  status: number | undefined;
  /** Why the request failed, when it did. */
  error: string | undefined;
}

/** A `fileurl` given to `POST /items`: downloaded when its origin is in `fileUrlOrigins`, else only recorded. */
export interface FileUrlRecord {
  itemId: number;
  url: string;
  downloaded: boolean;
}

interface StoredItem {
  id: number;
  userId: number;
  fileName: string;
  fileExt: string;
  createdAt: number;
  bytes: Uint8Array | undefined;
}

interface StoredFix {
  id: number;
  userId: number;
  itemId: number;
  createdAt: number;
  /** Chosen (by the failure modes) to end `failed` instead of `done`. */
  fails: boolean;
  callbackUrl: string | undefined;
  downloadToken: string;
  callback: "none" | "pending" | "sent";
}

/**
 * A handler's object, then every other field the operation's response schema documents a value
 * for (its example or default), so a field added to the spec appears without a change here.
 * `omitted` names fields the handler leaves out on purpose.
 */
function withDocumentedFields(
  validator: SpecValidator,
  operationId: OperationId,
  fields: Record<string, unknown>,
  omitted: readonly string[],
): Record<string, unknown> {
  const object: Record<string, unknown> = { ...fields };
  for (const [name, value] of validator.documentedFields(operationId, 200)) {
    if (!(name in object) && !omitted.includes(name)) object[name] = structuredClone(value);
  }
  return object;
}

/** Whether a URL points at this machine (loopback), the only place the sandbox sends requests to. */
export function isLoopbackUrl(url: URL): boolean {
  return (url.protocol === "http:" || url.protocol === "https:") && isLoopbackHost(url.hostname) && url.username === "" && url.password === "";
}

const badRequest = (description: string): Reply => apiError(400, "invalid_request", description);

function notFound(): Reply {
  return { status: 404, json: { error: "not_found", error_description: "No such resource in your account." } };
}

function ownerOf(context: RequestContext<unknown>): number {
  // The server checks the credential of every protected operation before its handler runs.
  if (!context.credential) throw new Error("a protected operation ran without a credential");
  return context.credential.userId;
}

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** Splits `box_longline.obj` (or `C:\models\box.STL`) into name and lower-case extension. */
function splitFileName(raw: string): { fileName: string; fileExt: string } | undefined {
  const base = raw.split(/[\\/]/).pop() ?? "";
  const dot = base.lastIndexOf(".");
  if (dot <= 0 || dot === base.length - 1) return undefined;
  return { fileName: base.slice(0, dot), fileExt: base.slice(dot + 1).toLowerCase() };
}

async function readLimited(response: Response, limit: number): Promise<Uint8Array> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw new BodyTooLargeError(limit);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** The sandbox's items and fixes, per account, and the callbacks of finished fixes. */
export class ResourceState {
  readonly items = new Map<number, StoredItem>();
  readonly fixes = new Map<number, StoredFix>();
  readonly deliveries: FixCallbackDelivery[] = [];
  readonly fileUrls: FileUrlRecord[] = [];
  readonly #downloads = new Map<string, number>();
  readonly #inFlight = new Set<Promise<FixCallbackDelivery | undefined>>();
  // Fixes whose callback is still to be sent: each request looks at these only, not at every fix.
  readonly #awaitingCallback = new Set<StoredFix>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  #nextItemId = 1;
  #nextFixId = 1;
  #failedFixes = 0;
  #closed = false;

  // Bytes of stored files, and of uploads being read (reserved before they are).
  #storedBytes = 0;
  #reservedBytes = 0;

  constructor(
    private readonly sandbox: Pick<Sandbox, "now" | "publicUrl" | "validator" | "reportViolations">,
    private readonly timing: FixTiming,
    private readonly maxStoredBytes: number,
    private readonly fixFails: (fixId: number) => boolean = () => false,
  ) {}

  /** How many items and fixes were ever created, and how many fixes were chosen to fail. */
  counts(): { uploads: number; fixes: number; failedFixes: number } {
    return { uploads: this.#nextItemId - 1, fixes: this.#nextFixId - 1, failedFixes: this.#failedFixes };
  }

  /** The 507 answer when `bytes` more would pass the storage cap, else undefined. */
  storageFull(bytes: number): Reply | undefined {
    if (this.#storedBytes + this.#reservedBytes + bytes <= this.maxStoredBytes) return undefined;
    const description = `The sandbox holds ${this.#storedBytes} of its ${this.maxStoredBytes} bytes of uploads: delete items (DELETE /items/{id}) or start it with a larger maxStoredBytes (--max-stored-bytes).`;
    // The sandbox's own limit, not an answer of the API: the spec does not describe it.
    return { status: 507, json: { error: "insufficient_storage", error_description: description }, outsideSpec: true };
  }

  /** Holds back room for an upload being read (a negative count gives it back). */
  reserve(bytes: number): void {
    this.#reservedBytes += bytes;
  }

  addItem(userId: number, name: { fileName: string; fileExt: string }, bytes: Uint8Array | undefined): StoredItem {
    const item: StoredItem = { id: this.#nextItemId++, userId, ...name, createdAt: this.sandbox.now(), bytes };
    this.items.set(item.id, item);
    this.#storedBytes += bytes?.length ?? 0;
    return item;
  }

  /** Deletes an item and frees its bytes. */
  removeItem(item: StoredItem): void {
    if (this.items.delete(item.id)) this.#storedBytes -= item.bytes?.length ?? 0;
  }

  /**
   * An item as the spec's `Item` schema has it, in the order of the published example, then any
   * other field the schema documents a value for (see {@link withDocumentedFields}).
   */
  itemView(item: StoredItem): Record<string, unknown> {
    const time = seconds(item.createdAt);
    const fields = { user_id: item.userId, file_name: item.fileName, file_ext: item.fileExt, status: 1, created_at: time, updated_at: time, id: item.id };
    return withDocumentedFields(this.sandbox.validator, "getItem", fields, []);
  }

  /** Whether the sandbox keeps this item or fix, in the caller's account when there is a caller. */
  holds(kind: "item" | "fix", id: number, userId: number | undefined): boolean {
    const found = kind === "item" ? this.items.get(id) : this.fixes.get(id);
    return found !== undefined && (userId === undefined || found.userId === userId);
  }

  addFix(userId: number, itemId: number, callbackUrl: string | undefined): StoredFix {
    const id = this.#nextFixId++;
    const fails = this.fixFails(id);
    if (fails) this.#failedFixes += 1;
    const fix: StoredFix = {
      id,
      userId,
      itemId,
      createdAt: this.sandbox.now(),
      fails,
      callbackUrl,
      downloadToken: randomToken(),
      callback: callbackUrl === undefined ? "none" : "pending",
    };
    this.fixes.set(fix.id, fix);
    this.#downloads.set(fix.downloadToken, fix.id);
    if (callbackUrl !== undefined) {
      this.#awaitingCallback.add(fix);
      this.#schedule(fix);
    }
    return fix;
  }

  #doneAt(fix: StoredFix): number {
    return fix.createdAt + this.timing.queuedMs + this.timing.processingMs;
  }

  /** A fix as `GET /fixes/{id}` returns it: status and progress computed from the clock, then the fields the schema documents values for. */
  fixView(fix: StoredFix): Record<string, unknown> {
    // download_url is the sandbox's to give or leave out (only a done fix has one).
    return withDocumentedFields(this.sandbox.validator, "getFix", this.#fixFields(fix), ["download_url"]);
  }

  #fixFields(fix: StoredFix): Record<string, unknown> {
    const elapsed = this.sandbox.now() - fix.createdAt;
    const { queuedMs, processingMs } = this.timing;
    const base = { id: fix.id, item_id: fix.itemId };
    if (elapsed < queuedMs) return { ...base, status: "queued", progress: 0 };
    if (elapsed < queuedMs + processingMs) {
      return { ...base, status: "processing", progress: Math.min(99, Math.floor((100 * (elapsed - queuedMs)) / processingMs)) };
    }
    // What a failed repair looks like is not published: the sandbox says `failed`, with the
    // progress it had reached and no download link (see the README).
    if (fix.fails) return { ...base, status: "failed", progress: 99 };
    const item = this.items.get(fix.itemId);
    const file = item ? `${encodeURIComponent(item.fileName)}.${encodeURIComponent(item.fileExt)}` : "file";
    return { ...base, status: "done", progress: 100, download_url: `${this.sandbox.publicUrl}/downloads/${fix.downloadToken}/${file}` };
  }

  /** The repaired file behind a done fix's `download_url` (the sandbox's repair returns the upload). */
  download(token: string): StoredItem | undefined {
    const fixId = this.#downloads.get(token);
    const fix = fixId === undefined ? undefined : this.fixes.get(fixId);
    if (!fix || fix.fails || this.sandbox.now() < this.#doneAt(fix)) return undefined;
    return this.items.get(fix.itemId);
  }

  #schedule(fix: StoredFix): void {
    if (this.#closed) return;
    // A real-time timer for a real clock; an injected clock is served by requests and flushCallbacks().
    const delay = Math.min(Math.max(0, this.#doneAt(fix) - this.sandbox.now()), 2 ** 31 - 1);
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      void this.deliverDue();
    }, delay);
    timer.unref();
    this.#timers.add(timer);
  }

  /** Starts the callback of every fix that is done on the clock and not yet called back (without waiting for it). */
  sendDueCallbacks(): void {
    if (this.#awaitingCallback.size === 0) return;
    const now = this.sandbox.now();
    for (const fix of this.#awaitingCallback) {
      if (now < this.#doneAt(fix) || fix.callbackUrl === undefined) continue;
      this.#awaitingCallback.delete(fix);
      fix.callback = "sent";
      const delivery = this.#deliver(fix, fix.callbackUrl);
      this.#inFlight.add(delivery);
      void delivery.finally(() => this.#inFlight.delete(delivery));
    }
  }

  /**
   * POSTs the callback of every fix that is done on the clock and not yet called back, and waits
   * for those and any delivery already under way. Resolves with the deliveries it waited for.
   */
  async deliverDue(): Promise<FixCallbackDelivery[]> {
    this.sendDueCallbacks();
    const results = await Promise.all([...this.#inFlight]);
    return results.filter((result): result is FixCallbackDelivery => result !== undefined);
  }

  async #deliver(fix: StoredFix, url: string): Promise<FixCallbackDelivery | undefined> {
    const model = this.fixView(fix);
    const problems = this.sandbox.validator.validateCallbackBody("createFix", "fixDone", FORM, model);
    if (this.sandbox.reportViolations("createFix", "the fixDone callback", problems) !== undefined) return undefined;
    const body = Object.fromEntries(Object.entries(model).map(([name, value]) => [name, String(value)]));
    const delivery: FixCallbackDelivery = { fixId: fix.id, url, body, status: undefined, error: undefined };
    this.deliveries.push(delivery);
    try {
      const target = new URL(url);
      // Checked when the fix was created; checked again so nothing but loopback is ever called.
      if (!isLoopbackUrl(target)) throw new Error("not a loopback URL");
      const response = await fetch(target, {
        method: "POST",
        headers: { "content-type": FORM },
        body: new URLSearchParams(body),
        redirect: "manual",
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer().catch(() => undefined);
      delivery.status = response.status;
    } catch (error) {
      delivery.error = error instanceof Error ? error.message : String(error);
    }
    return delivery;
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}

/** Reads the multipart body of `POST /items` and checks its fields against the spec: the form, or the answer. */
async function readItemForm(sandbox: Sandbox, context: RequestContext<unknown>): Promise<FormData | Reply> {
  const contentType = context.request.headers["content-type"];
  if (mediaTypeOf(contentType) !== MULTIPART) {
    await context.readBody().catch(() => undefined);
    return badRequest("The body must be multipart/form-data with a file or a fileurl field.");
  }
  const bytes = await context.readBody(sandbox.maxUploadBytes);
  let form: FormData;
  try {
    form = await new Request("http://sandbox.invalid/", { method: "POST", headers: { "content-type": contentType ?? MULTIPART }, body: bytes }).formData();
  } catch {
    return badRequest("The multipart body is malformed.");
  }
  const model: Record<string, unknown> = {};
  for (const name of new Set(form.keys())) {
    const values = form.getAll(name);
    if (values.length > 1) return badRequest(`The field ${name} is repeated.`);
    const value = values[0];
    // The file's bytes are checked below; the schema sees that a file part is there.
    model[name] = typeof value === "string" ? value : `(${value?.size ?? 0} bytes)`;
  }
  const checked = sandbox.validator.validateRequestBody("createItem", MULTIPART, model);
  return checked.ok ? form : badRequest(`Give exactly one of file and fileurl: ${checked.problems.join("; ")}.`);
}

async function itemFromFile(sandbox: Sandbox, userId: number, file: File): Promise<Reply> {
  const name = splitFileName(file.name);
  if (!name) return badRequest("The file's name needs a name and an extension, such as box.obj.");
  if (file.size === 0) return badRequest("The file is empty.");
  const data = new Uint8Array(await file.arrayBuffer());
  // A zip is accepted when it is one: a local-file header comes first (PKWARE APPNOTE §4.3.7).
  if (name.fileExt === "zip" && !(data[0] === 0x50 && data[1] === 0x4b && data[2] === 0x03 && data[3] === 0x04)) {
    return badRequest("The .zip file is not a zip archive.");
  }
  // No second check: room for the whole body, this file included, was reserved before reading it.
  return { status: 201, json: sandbox.resources.itemView(sandbox.resources.addItem(userId, name, data)) };
}

async function itemFromUrl(sandbox: Sandbox, userId: number, fileurl: string): Promise<Reply> {
  let url: URL;
  let path: string;
  try {
    url = new URL(fileurl);
    path = decodeURIComponent(url.pathname);
  } catch {
    return badRequest("fileurl is not a URL.");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return badRequest("fileurl must be an http or https URL.");
  const name = splitFileName(path);
  if (!name) return badRequest("fileurl's path must end in a file name with an extension, such as box.obj.");
  // Fetching for a caller would let any caller read services only this machine can reach, so only
  // origins the sandbox's owner listed are fetched (and only loopback ones can be listed).
  if (!sandbox.fileUrlOrigins.includes(url.origin)) {
    const item = sandbox.resources.addItem(userId, name, undefined);
    sandbox.resources.fileUrls.push({ itemId: item.id, url: url.href, downloaded: false });
    return { status: 201, json: sandbox.resources.itemView(item) };
  }
  let data: Uint8Array;
  try {
    const response = await fetch(url, { redirect: "error", signal: AbortSignal.timeout(10_000) });
    if (!response.ok) {
      await response.arrayBuffer().catch(() => undefined);
      return badRequest(`Downloading fileurl failed with HTTP ${response.status}.`);
    }
    data = await readLimited(response, sandbox.maxUploadBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return badRequest(`The file at fileurl is larger than ${error.limit} bytes.`);
    return badRequest("Downloading fileurl failed.");
  }
  if (data.length === 0) return badRequest("The file at fileurl is empty.");
  // The downloaded file was not part of the reserved body (which held only its URL).
  const full = sandbox.resources.storageFull(data.length);
  if (full) return full;
  const item = sandbox.resources.addItem(userId, name, data);
  sandbox.resources.fileUrls.push({ itemId: item.id, url: url.href, downloaded: true });
  return { status: 201, json: sandbox.resources.itemView(item) };
}

/**
 * `POST /items`: a file part or a `fileurl`. Room for the whole body is reserved before it is
 * read, so concurrent uploads cannot together pass the storage cap while they are in flight.
 */
async function createItem(sandbox: Sandbox, context: RequestContext): Promise<Reply> {
  const userId = ownerOf(context);
  const declared = Number(context.request.headers["content-length"]);
  const reservation = Math.min(Number.isFinite(declared) && declared > 0 ? declared : sandbox.maxUploadBytes, sandbox.maxUploadBytes);
  const full = sandbox.resources.storageFull(reservation);
  if (full) return full;
  sandbox.resources.reserve(reservation);
  try {
    const form = await readItemForm(sandbox, context);
    if (!(form instanceof FormData)) return form;
    const file = form.get("file");
    if (file === null) return await itemFromUrl(sandbox, userId, String(form.get("fileurl")));
    if (typeof file === "string") return badRequest("file must be a file part (with a filename), not a text field.");
    return await itemFromFile(sandbox, userId, file);
  } finally {
    sandbox.resources.reserve(-reservation);
  }
}

/**
 * Why the sandbox may not call `target` back for this request, or undefined when it may. A web
 * page (its request carries `Origin`) is called back on its own origin only; a program on this
 * machine (no `Origin`, a loopback connection) anywhere on loopback, which it could reach itself;
 * anyone else only where the owner listed (`callbackOrigins`), which also narrows both.
 */
function callbackRefusal(sandbox: Sandbox, request: IncomingMessage, target: URL): string | undefined {
  if (!isLoopbackUrl(target)) return "The sandbox only calls back loopback addresses (127.0.0.1, localhost, [::1]).";
  if (sandbox.callbackOrigins !== undefined) {
    if (sandbox.callbackOrigins.includes(target.origin)) return undefined;
    return `The sandbox calls back only ${sandbox.callbackOrigins.join(", ")} (its callbackOrigins option, --callback-origin).`;
  }
  const origin = request.headers.origin;
  if (origin !== undefined) {
    if (origin === target.origin) return undefined;
    return `A web page is called back on its own origin only: callback_url must start with ${origin.slice(0, 200)} and be on this machine (or start the sandbox with --callback-origin).`;
  }
  if (isLoopbackAddress(request.socket.remoteAddress)) return undefined;
  return "The sandbox calls back a program on another machine only at an origin its owner listed (--callback-origin).";
}

/** Whether a socket's peer address is this machine (`127.0.0.1`, `::1`, `::ffff:127.0.0.1`). */
function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice("::ffff:".length) : address;
  return isLoopbackHost(v4.includes(":") ? `[${v4}]` : v4);
}

async function createFix(sandbox: Sandbox, context: RequestContext): Promise<Reply> {
  const userId = ownerOf(context);
  const parsed = await context.readForm();
  if (!parsed.ok) return badRequest(parsed.message);
  const checked = sandbox.validator.validateRequestBody("createFix", FORM, parsed.fields);
  if (!checked.ok) return badRequest(`The request does not match POST /fixes: ${checked.problems.join("; ")}.`);
  const { item_id: itemId, callback_url: callback } = checked.value;
  const item = sandbox.resources.items.get(itemId);
  if (!item || item.userId !== userId) return badRequest(`There is no item ${itemId} in your account.`);
  if (callback !== undefined && !URL.canParse(callback)) return badRequest("callback_url is not a URL.");
  const refusal = callback === undefined ? undefined : callbackRefusal(sandbox, context.request, new URL(callback));
  if (refusal !== undefined) return badRequest(refusal);
  const fix = sandbox.resources.addFix(userId, itemId, callback);
  return { status: 201, json: sandbox.resources.fixView(fix) };
}

const listItems: OperationHandler<"listItems"> = (sandbox, context) => {
  const userId = ownerOf(context);
  const query = singleQuery(context.url);
  if (!query.ok) return badRequest(`The parameter ${query.repeated} is repeated.`);
  const checked = sandbox.validator.validateParameters("listItems", "query", query.query);
  if (!checked.ok) return badRequest(`Bad paging parameters: ${checked.problems.join("; ")}.`);
  // Every query parameter the spec gives this operation is acted on: a new one in the spec fails
  // to compile here until it is (the sandbox never ignores a parameter of its own spec silently).
  const { page = 1, pageSize = 20, ...unhandled } = checked.value;
  unhandled satisfies Record<string, never>;
  const mine = [...sandbox.resources.items.values()].filter((item) => item.userId === userId);
  const slice = mine.slice((page - 1) * pageSize, page * pageSize);
  return { status: 200, json: slice.map((item) => sandbox.resources.itemView(item)) };
};

const getItem: OperationHandler<"getItem"> = (sandbox, context) => {
  const item = sandbox.resources.items.get(context.pathParams.id);
  if (!item || item.userId !== ownerOf(context)) return notFound();
  return { status: 200, json: sandbox.resources.itemView(item) };
};

const deleteItem: OperationHandler<"deleteItem"> = (sandbox, context) => {
  const item = sandbox.resources.items.get(context.pathParams.id);
  if (!item || item.userId !== ownerOf(context)) return notFound();
  sandbox.resources.removeItem(item);
  return { status: 204 };
};

const listFixes: OperationHandler<"listFixes"> = (sandbox, context) => {
  const userId = ownerOf(context);
  const mine = [...sandbox.resources.fixes.values()].filter((fix) => fix.userId === userId);
  return { status: 200, json: mine.map((fix) => sandbox.resources.fixView(fix)) };
};

const getFix: OperationHandler<"getFix"> = (sandbox, context) => {
  const fix = sandbox.resources.fixes.get(context.pathParams.id);
  if (!fix || fix.userId !== ownerOf(context)) return notFound();
  return { status: 200, json: sandbox.resources.fixView(fix) };
};

/** Handlers of the items and fixes operations, each typed with its operation's parameters; every one sees only the caller's account. */
export const resourceHandlers: { [Op in "createItem" | "listItems" | "getItem" | "deleteItem" | "createFix" | "listFixes" | "getFix"]: OperationHandler<Op> } =
  {
    createItem,
    listItems,
    getItem,
    deleteItem,
    createFix,
    listFixes,
    getFix,
  };

/**
 * An attachment header for `name`: a plain-ASCII fallback and the exact name in RFC 8187 encoding,
 * so no part of a user's file name can end the parameter or add another (RFC 6266 §4.1).
 */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\;%]/g, "_");
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** `GET /downloads/{token}/{file}`: the repaired file of a done fix (a capability URL, like real download links). */
export const downloadHandler: Handler<{ token: string; file: string }> = (sandbox, context) => {
  const item = sandbox.resources.download(context.pathParams.token);
  if (!item?.bytes) return { status: 404, json: { error: "not_found", error_description: "No such download (yet)." } };
  return {
    status: 200,
    headers: { "content-disposition": contentDisposition(`${item.fileName}.${item.fileExt}`) },
    bytes: { data: item.bytes, mediaType: "application/octet-stream" },
  };
};
