import { SecretHolder } from "@mkp/client/internal";
import { randomUUID } from "node:crypto";
import type { Stats } from "node:fs";
import { mkdir, open, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { tokenFilePath, type PlaceOptions } from "./config-dir.js";
import { StoredLoginError } from "./errors.js";

/** What {@link saveLogin} stores. */
export interface LoginToSave {
  /** The API base URL the token was issued for; the token is only ever sent there. */
  baseUrl: string;
  /** The bearer token. */
  accessToken: string;
  /** When it expires, if the server said. */
  expiresAt?: Date | undefined;
  /** The scopes granted, if the server listed them. */
  scopes?: readonly string[] | undefined;
}

/**
 * A login read back from the token file. The token is kept the SDK's one way (a `SecretHolder`'s
 * private field), read only through the `accessToken()` method, so no `JSON.stringify`, spread,
 * `structuredClone` or `util.inspect` (with any options, even `showHidden` and `getters`) shows it.
 */
export class StoredLogin extends SecretHolder<{ accessToken: string }> {
  /** The API base URL the token was issued for. */
  readonly baseUrl: string;
  /** When the token expires, if the server said. */
  readonly expiresAt: Date | undefined;
  /** The scopes granted, if the server listed them. */
  readonly scopes: readonly string[];
  /** When `mkp login` saved it. */
  readonly savedAt: Date;
  /** The file it was read from. */
  readonly file: string;

  constructor(fields: LoginToSave & { savedAt: Date; file: string }) {
    super({ accessToken: fields.accessToken });
    this.baseUrl = fields.baseUrl;
    this.expiresAt = fields.expiresAt;
    this.scopes = [...(fields.scopes ?? [])];
    this.savedAt = fields.savedAt;
    this.file = fields.file;
  }

  /** The bearer token: pass it to `createClient({ accessToken })`, never to a log. */
  accessToken(): string {
    return this.secret("accessToken");
  }
}

// The file format, version 1. Only what the tools use is kept: no refresh token, nothing else secret.
interface TokenFileV1 {
  version: 1;
  baseUrl: string;
  tokenType: "Bearer";
  accessToken: string;
  expiresAt: string | null;
  scopes: string[];
  savedAt: string;
}

function parseDate(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/**
 * Refuses, as ssh and gh do, a token file or its directory that another user owns or can change
 * (and a token file others can read): whoever could write it could point the tools at their own
 * account, or take the token. Windows (no `getuid`) keeps `%APPDATA%` per user instead.
 */
function checkPrivate(found: Stats, path: string, kind: "file" | "directory"): void {
  const uid = process.getuid?.();
  if (uid === undefined) return;
  // A directory others can read is fine (the file is 0600); one they can write lets them swap the file.
  const open = found.mode & (kind === "file" ? 0o077 : 0o022);
  if (found.uid === uid && !open) return;
  const problem =
    found.uid !== uid
      ? `belongs to another user (uid ${found.uid})`
      : `can be ${kind === "file" ? "read or " : ""}changed by other users (mode ${octal(found.mode)})`;
  if (kind === "file") throw new StoredLoginError(`the stored login ${path} ${problem}, so its token is not trusted: run \`mkp logout\` and \`mkp login\``);
  const fix = found.uid !== uid ? "move it away and run `mkp login`" : `run \`chmod 700 ${path}\``;
  throw new StoredLoginError(`the directory ${path} of the stored login ${problem}, who could replace the login: ${fix}`);
}

/** Creates the token file's directory (0700) if needed, and checks it is the user's alone. */
async function privateDirectory(file: string): Promise<string> {
  const directory = dirname(file);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  checkPrivate(await stat(directory), directory, "directory");
  return directory;
}

/**
 * Saves a login to the token file ({@link tokenFilePath}), replacing any earlier one: written to a
 * temporary file in the same directory with mode 0600 (the directory 0700), flushed, then renamed
 * over the old file, so a reader sees the old login or the new one, never half of one.
 * @returns the file's path.
 * @throws {StoredLoginError} when the directory belongs to another user or others can write it
 *   (nothing is written; the message names the fix).
 */
export async function saveLogin(login: LoginToSave, options: PlaceOptions = {}): Promise<string> {
  const file = tokenFilePath(options);
  const content: TokenFileV1 = {
    version: 1,
    baseUrl: login.baseUrl,
    tokenType: "Bearer",
    accessToken: login.accessToken,
    expiresAt: login.expiresAt?.toISOString() ?? null,
    scopes: [...(login.scopes ?? [])],
    savedAt: new Date().toISOString(),
  };
  const temporary = join(await privateDirectory(file), `.token.json.${randomUUID()}.tmp`);
  try {
    const handle = await open(temporary, "wx", 0o600);
    try {
      // The umask can only take bits away from 0600; set it exactly anyway.
      await handle.chmod(0o600);
      await handle.writeFile(`${JSON.stringify(content, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return file;
}

/**
 * Reads the stored login, or `undefined` when there is none.
 * @throws {StoredLoginError} when the file exists but is unreadable or not a login, or when it or
 *   its directory belongs to another user or others can change it (or read the file): the message
 *   names the file and the fix, never its content.
 */
export async function readLogin(options: PlaceOptions = {}): Promise<StoredLogin | undefined> {
  const file = tokenFilePath(options);
  const directory = await stat(dirname(file)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw new StoredLoginError(`cannot read the directory of the stored login ${dirname(file)} (${error.code ?? "error"}): fix its permissions`);
  });
  if (!directory) return undefined;
  checkPrivate(directory, dirname(file), "directory");
  let text: string;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    // The checks and the reading are of one open file, which nobody can swap in between.
    handle = await open(file, "r");
    checkPrivate(await handle.stat(), file, "file");
    text = await handle.readFile("utf8");
  } catch (error) {
    if (error instanceof StoredLoginError) throw error;
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StoredLoginError(
      `cannot read the stored login ${file} (${(error as NodeJS.ErrnoException).code ?? "error"}): fix its permissions, or run \`mkp logout\` and \`mkp login\``,
    );
  } finally {
    await handle?.close();
  }
  let data: Partial<TokenFileV1> | undefined;
  try {
    data = JSON.parse(text) as Partial<TokenFileV1>;
  } catch {}
  const savedAt = parseDate(data?.savedAt);
  const expiresAt = data?.expiresAt === null ? undefined : parseDate(data?.expiresAt);
  if (
    data?.version !== 1 ||
    typeof data.baseUrl !== "string" ||
    typeof data.accessToken !== "string" ||
    data.accessToken === "" ||
    !savedAt ||
    (data.expiresAt !== null && !expiresAt) ||
    !Array.isArray(data.scopes)
  ) {
    throw new StoredLoginError(`the stored login ${file} is damaged: run \`mkp logout\` and \`mkp login\``);
  }
  return new StoredLogin({ baseUrl: data.baseUrl, accessToken: data.accessToken, expiresAt, scopes: data.scopes.map(String), savedAt, file });
}

/** Deletes the stored login. Resolves to the file's path if there was one, else `undefined`. */
export async function deleteLogin(options: PlaceOptions = {}): Promise<string | undefined> {
  const file = tokenFilePath(options);
  try {
    await rm(file);
    return file;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StoredLoginError(`cannot delete the stored login ${file} (${(error as NodeJS.ErrnoException).code ?? "error"}): delete it by hand`);
  }
}
