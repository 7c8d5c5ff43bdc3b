import type { MakeprintableClient } from "./create-client.js";
import { MakeprintableError } from "./errors.js";
import type { RequestOptions } from "./retry.js";

/** The input of {@link uploadItem} could not become an upload. Nothing was sent. */
export class InvalidUploadError extends MakeprintableError {
  static override readonly code = "MKP_INVALID_UPLOAD";
}

/**
 * The bytes of a 3D file (or a zip holding one): a `Blob`/`File`, an `ArrayBuffer`, a typed array
 * such as Node's `Buffer`, a web `ReadableStream`, or any async iterable of chunks such as a Node
 * `Readable` (`fs.createReadStream(path)`). Streams are read into memory before sending.
 */
export type UploadSource = Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array | string>;

/** What {@link uploadItem} sends: a file and its name, or a URL Makeprintable downloads the file from. */
export type ItemUploadInput =
  | { file: File; fileName?: string | undefined; fileUrl?: undefined }
  | { file: UploadSource; fileName: string; fileUrl?: undefined }
  | { fileUrl: string | URL; file?: undefined; fileName?: undefined };

/** Per-call options of {@link uploadItem}: an abort signal, headers, a timeout. */
export type UploadItemOptions = RequestOptions & { signal?: AbortSignal; headers?: Record<string, string> };

// The item's file_name and file_ext come from this name, so it must be a name, not a path.
function checkFileName(name: unknown): string {
  if (typeof name !== "string" || name.trim() === "") throw new InvalidUploadError('fileName must be a non-empty string such as "part.stl"');
  if (/[/\\\u0000-\u001f\u007f]/.test(name)) throw new InvalidUploadError("fileName must be a file name without a directory or control characters");
  return name;
}

async function toFile(source: UploadSource, fileName: string | undefined): Promise<File> {
  // The file's kind first: a path string is the likeliest mistake, and its fix is not a fileName.
  if (typeof source === "string") {
    // The hint is a whole input that works as written: a Blob from openAsBlob carries no name.
    const given = String(source).slice(0, 80);
    const [path, name] = [JSON.stringify(given), JSON.stringify(given.split(/[\\/]/).pop())];
    throw new InvalidUploadError(
      `file must be the file's bytes, not a path: read it first, e.g. { file: await openAsBlob(${path}), fileName: ${name} } with openAsBlob from node:fs, or give fileUrl for a URL`,
    );
  }
  if (source instanceof Blob) {
    if (fileName === undefined && source instanceof File) return source;
    return new File([source], checkFileName(fileName), { type: source.type });
  }
  const isBytes = source instanceof ArrayBuffer || ArrayBuffer.isView(source);
  const isStream = typeof ReadableStream !== "undefined" && source instanceof ReadableStream;
  if (!isBytes && !isStream && typeof (source as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] !== "function") {
    throw new InvalidUploadError("file must be a Blob, File, ArrayBuffer, typed array (Buffer), ReadableStream or async iterable of bytes");
  }
  const name = checkFileName(fileName);
  if (isBytes) return new File([source as BlobPart], name);
  if (isStream) return new File([await new Response(source as ReadableStream).blob()], name);
  const parts: BlobPart[] = [];
  for await (const chunk of source as AsyncIterable<unknown>) {
    if (typeof chunk !== "string" && !ArrayBuffer.isView(chunk)) throw new InvalidUploadError("the file stream yielded something other than bytes or text");
    parts.push(chunk as BlobPart);
  }
  return new File(parts, name);
}

function checkFileUrl(fileUrl: unknown): string {
  let url: URL;
  try {
    url = new URL(String(fileUrl));
  } catch {
    throw new InvalidUploadError("fileUrl must be an absolute URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new InvalidUploadError("fileUrl must be an http(s) URL");
  return url.href;
}

/**
 * Adds a 3D model to your account (`POST /items`): uploads `file` as the multipart field `file`
 * under `fileName`, or asks Makeprintable to download it from `fileUrl`. Returns the call's
 * `{ data } | { error }` result (pass it to `unwrap` to throw on error). Never retried: an upload
 * must not happen twice.
 *
 * @example
 * const { data: item } = await uploadItem(client, { file: fs.createReadStream("box.obj"), fileName: "box.obj" });
 * @throws {InvalidUploadError} before sending anything, when the input is unusable.
 * @see https://www.rfc-editor.org/rfc/rfc7578 multipart/form-data
 */
export async function uploadItem(client: MakeprintableClient, input: ItemUploadInput, options: UploadItemOptions = {}) {
  const { file, fileName, fileUrl } = (input ?? {}) as unknown as { file?: UploadSource; fileName?: string; fileUrl?: string | URL };
  if ((file === undefined) === (fileUrl === undefined)) throw new InvalidUploadError("give exactly one of file and fileUrl");
  const body = fileUrl !== undefined ? { fileurl: checkFileUrl(fileUrl) } : { file: await toFile(file!, fileName) };
  return client.POST("/items", { ...options, body });
}
