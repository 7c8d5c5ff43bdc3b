import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { inspect } from "node:util";
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
 * A login read back from the token file. The token is a private field, read only through the
 * `accessToken()` method, so no `JSON.stringify`, spread or `util.inspect` (with any options, even
 * `showHidden` and `getters`) shows it.
 */
export class StoredLogin {
  readonly #accessToken: string;
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
    this.#accessToken = fields.accessToken;
    this.baseUrl = fields.baseUrl;
    this.expiresAt = fields.expiresAt;
    this.scopes = [...(fields.scopes ?? [])];
    this.savedAt = fields.savedAt;
    this.file = fields.file;
  }

  /** The bearer token: pass it to `createClient({ accessToken })`, never to a log. */
  accessToken(): string {
    return this.#accessToken;
  }

  [inspect.custom](): object {
    return { ...this, accessToken: "[redacted]" };
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

/**
 * Saves a login to the token file ({@link tokenFilePath}), replacing any earlier one: written to a
 * temporary file in the same directory with mode 0600 (the directory 0700), flushed, then renamed
 * over the old file, so a reader sees the old login or the new one, never half of one.
 * @returns the file's path.
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
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = join(dirname(file), `.token.json.${randomUUID()}.tmp`);
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
 * @throws {StoredLoginError} when the file exists but is unreadable or not a login (the message
 *   names the file and the fix, never its content).
 */
export async function readLogin(options: PlaceOptions = {}): Promise<StoredLogin | undefined> {
  const file = tokenFilePath(options);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new StoredLoginError(
      `cannot read the stored login ${file} (${(error as NodeJS.ErrnoException).code ?? "error"}): fix its permissions, or run \`mkp logout\` and \`mkp login\``,
    );
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
