import { chmod, chown, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { inspect } from "node:util";
import { shownForms } from "@mkp/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  configDir,
  deleteLogin,
  findCredentials,
  LoginElsewhereError,
  LoginExpiredError,
  NotLoggedInError,
  readLogin,
  resolveCredential,
  saveLogin,
  StoredLoginError,
  tokenFilePath,
} from "../src/index.js";

const TOKEN = "tok_secret_0123456789";
const API = "http://127.0.0.1:4010/v1";
let home: string;
let env: Record<string, string | undefined>;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), "mkp-credentials-"));
  env = { XDG_CONFIG_HOME: join(home, "config") };
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe("configDir", () => {
  const cases: [string, { platform: NodeJS.Platform; env: Record<string, string>; want: string }][] = [
    ["Linux, XDG_CONFIG_HOME set", { platform: "linux", env: { XDG_CONFIG_HOME: "/x/conf" }, want: "/x/conf" }],
    ["Linux, no XDG_CONFIG_HOME", { platform: "linux", env: {}, want: "/home/ada/.config" }],
    ["Linux, a relative XDG_CONFIG_HOME (invalid: ignored)", { platform: "linux", env: { XDG_CONFIG_HOME: "conf" }, want: "/home/ada/.config" }],
    ["macOS", { platform: "darwin", env: {}, want: "/home/ada/Library/Application Support" }],
    ["macOS, XDG_CONFIG_HOME set", { platform: "darwin", env: { XDG_CONFIG_HOME: "/x/conf" }, want: "/x/conf" }],
    ["Windows", { platform: "win32", env: { APPDATA: "/users/ada/AppData/Roaming" }, want: "/users/ada/AppData/Roaming" }],
    ["Windows without APPDATA", { platform: "win32", env: {}, want: "/home/ada/AppData/Roaming" }],
    ["FreeBSD", { platform: "freebsd", env: {}, want: "/home/ada/.config" }],
  ];
  it.each(cases)("%s", (_name, { platform, env, want }) => {
    expect(configDir({ platform, env, homedir: "/home/ada" })).toBe(want);
    expect(tokenFilePath({ platform, env, homedir: "/home/ada" })).toBe(join(want, "makeprintable", "token.json"));
  });
});

describe("the token file", () => {
  it("is written with mode 0600 in a 0700 directory, and read back", async () => {
    const expiresAt = new Date("2030-01-01T00:00:00.000Z");
    const file = await saveLogin({ baseUrl: API, accessToken: TOKEN, expiresAt, scopes: ["fix"] }, { env });
    expect(file).toBe(join(home, "config", "makeprintable", "token.json"));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(file))).mode & 0o777).toBe(0o700);
    expect(JSON.parse(await readFile(file, "utf8"))).toMatchObject({
      version: 1,
      baseUrl: API,
      tokenType: "Bearer",
      accessToken: TOKEN,
      expiresAt: "2030-01-01T00:00:00.000Z",
      scopes: ["fix"],
    });
    const login = (await readLogin({ env }))!;
    expect(login).toMatchObject({ baseUrl: API, expiresAt, scopes: ["fix"], file });
    expect(login.accessToken()).toBe(TOKEN);
  });

  it("replaces an earlier login through a rename, leaving no temporary file", async () => {
    await saveLogin({ baseUrl: API, accessToken: "first" }, { env });
    await saveLogin({ baseUrl: API, accessToken: TOKEN }, { env });
    expect((await readLogin({ env }))!.accessToken()).toBe(TOKEN);
    expect(await readdir(join(home, "config", "makeprintable"))).toEqual(["token.json"]);
  });

  it("lets a reader see one whole login or another while logins are being saved, never part of one", async () => {
    await saveLogin({ baseUrl: API, accessToken: "token-0" }, { env });
    const tokens = Array.from({ length: 20 }, (_, i) => `token-${i + 1}-${"x".repeat(4096)}`);
    const seen = await Promise.all(
      tokens.flatMap((accessToken) => [
        saveLogin({ baseUrl: API, accessToken }, { env }).then(() => undefined),
        readLogin({ env }).then((login) => login!.accessToken()),
      ]),
    );
    for (const token of seen) if (token !== undefined) expect(["token-0", ...tokens]).toContain(token);
    expect(tokens).toContain((await readLogin({ env }))!.accessToken());
    expect(await readdir(join(home, "config", "makeprintable"))).toEqual(["token.json"]);
  });

  it("never shows the token in JSON, a spread or util.inspect", async () => {
    await saveLogin({ baseUrl: API, accessToken: TOKEN }, { env });
    const login = (await readLogin({ env }))!;
    expect(JSON.stringify(login)).not.toContain(TOKEN);
    expect(JSON.stringify({ ...login })).not.toContain(TOKEN);
    expect(inspect(login)).not.toContain(TOKEN);
    expect(inspect(login)).toContain("[redacted]");
    expect(inspect(login, { showHidden: true, customInspect: false, getters: true })).not.toContain(TOKEN);
  });

  it("keeps the token out of every printed or copied form, readable only through accessToken()", async () => {
    await saveLogin({ baseUrl: API, accessToken: TOKEN }, { env });
    const login = (await readLogin({ env }))!;
    // A method is never called by inspection, even when getters are.
    const forms = [...shownForms(login), inspect(login, { showHidden: true, getters: true, customInspect: false, depth: Number.POSITIVE_INFINITY })];
    for (const shown of forms) expect(shown).not.toContain(TOKEN);
    expect(inspect(login)).toContain("accessToken: '[redacted]'");
    expect(login.accessToken()).toBe(TOKEN);
  });

  it("reads as no login when there is no file, and deletes it", async () => {
    expect(await readLogin({ env })).toBeUndefined();
    expect(await deleteLogin({ env })).toBeUndefined();
    const file = await saveLogin({ baseUrl: API, accessToken: TOKEN }, { env });
    expect(await deleteLogin({ env })).toBe(file);
    expect(await readLogin({ env })).toBeUndefined();
  });

  it.each([
    ["not JSON", `{"accessToken":"${TOKEN}"`],
    ["another version", JSON.stringify({ version: 2, baseUrl: API, accessToken: TOKEN, expiresAt: null, scopes: [], savedAt: "2030-01-01T00:00:00Z" })],
    ["an empty token", JSON.stringify({ version: 1, baseUrl: API, accessToken: "", expiresAt: null, scopes: [], savedAt: "2030-01-01T00:00:00Z" })],
    ["a bad expiry", JSON.stringify({ version: 1, baseUrl: API, accessToken: TOKEN, expiresAt: "soon", scopes: [], savedAt: "2030-01-01T00:00:00Z" })],
  ])("calls a file with %s damaged, naming the file and the fix but not its content", async (_name, content) => {
    const file = tokenFilePath({ env });
    await mkdir(dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(file, content, { mode: 0o600 });
    const error = await readLogin({ env }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(StoredLoginError);
    expect((error as Error).message).toBe(`the stored login ${file} is damaged: run \`mkp logout\` and \`mkp login\``);
    expect((error as StoredLoginError).code).toBe("MKP_STORED_LOGIN_UNREADABLE");
  });
});

describe("which credential", () => {
  const now = () => Date.parse("2030-01-01T00:00:00Z");

  it("uses MAKEPRINTABLE_API_KEY first, even with a stored login, and hides the key", async () => {
    await saveLogin({ baseUrl: API, accessToken: TOKEN }, { env });
    const credential = await resolveCredential({ env: { ...env, MAKEPRINTABLE_API_KEY: "key_secret" }, baseUrl: API });
    expect(credential.kind).toBe("apiKey");
    expect(credential.clientOptions()).toEqual({ apiKey: "key_secret" });
    expect(JSON.stringify(credential) + inspect(credential, { showHidden: true, getters: true, customInspect: false })).not.toContain("key_secret");
  });

  it("uses a stored login for the same API that has not expired", async () => {
    await saveLogin({ baseUrl: `${API}/`, accessToken: TOKEN, expiresAt: new Date(now() + 3600_000) }, { env });
    const credential = await resolveCredential({ env, baseUrl: API, now });
    expect(credential.kind).toBe("login");
    expect(credential.clientOptions()).toEqual({ accessToken: TOKEN });
    expect(inspect(credential, { showHidden: true, getters: true, customInspect: false })).not.toContain(TOKEN);
  });

  it.each([
    ["an API key", { MAKEPRINTABLE_API_KEY: "key_secret_0123456789" }, "key_secret_0123456789", { apiKey: "key_secret_0123456789" }],
    ["a stored login", {}, TOKEN, { accessToken: TOKEN }],
  ])("keeps %s out of every printed or copied form of the credential, readable only through clientOptions()", async (_, extra, secret, options) => {
    await saveLogin({ baseUrl: API, accessToken: TOKEN }, { env });
    const credential = await resolveCredential({ env: { ...env, ...extra }, baseUrl: API });
    const forms = [...shownForms(credential), inspect(credential, { showHidden: true, getters: true, customInspect: false, depth: Number.POSITIVE_INFINITY })];
    for (const shown of forms) expect(shown).not.toContain(secret);
    expect(inspect(credential)).toContain(`${Object.keys(options)[0]}: '[redacted]'`);
    expect(credential.clientOptions()).toEqual(options);
  });

  it("never echoes an unusable API key in the error that refuses it", async () => {
    const error = await resolveCredential({ env: { ...env, MAKEPRINTABLE_API_KEY: "key_secret_0123456789 " }, baseUrl: API }).catch(
      (thrown: unknown) => thrown,
    );
    expect((error as Error).message).toBe("MAKEPRINTABLE_API_KEY has a space at its end: remove it");
    for (const shown of shownForms(error)) expect(shown).not.toContain("key_secret_0123456789");
  });

  it("says to log in again when the stored login has expired (30 s early)", async () => {
    await saveLogin({ baseUrl: API, accessToken: TOKEN, expiresAt: new Date(now() + 20_000) }, { env });
    const error = await resolveCredential({ env, baseUrl: API, now }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LoginExpiredError);
    expect((error as Error).message).toBe("your login expired at 2030-01-01T00:00:20.000Z: log in again with `mkp login`");
  });

  it("never sends a login's token to another API", async () => {
    await saveLogin({ baseUrl: API, accessToken: TOKEN }, { env });
    const error = await resolveCredential({ env, baseUrl: "https://api.example/v1", now }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(LoginElsewhereError);
    expect((error as Error).message).toBe(
      `you are logged in to ${API}, not https://api.example/v1: run \`mkp login --base-url https://api.example/v1\`, or set MAKEPRINTABLE_API_KEY`,
    );
  });

  it("names both ways in when there is no credential", async () => {
    const error = await resolveCredential({ env: { ...env, MAKEPRINTABLE_API_KEY: "" }, baseUrl: API }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(NotLoggedInError);
    expect((error as Error).message).toBe("no credential: set MAKEPRINTABLE_API_KEY to your API key, or run `mkp login`");
  });

  it("reports everything it found, usable or not", async () => {
    await saveLogin({ baseUrl: API, accessToken: TOKEN, expiresAt: new Date(now() - 1) }, { env });
    expect(await findCredentials({ env: { ...env, MAKEPRINTABLE_API_KEY: "k" }, baseUrl: "https://api.example/v1", now })).toMatchObject({
      apiKey: true,
      loginExpired: true,
      loginMatchesBaseUrl: false,
    });
  });
});

// As ssh and gh do with their own files: a login that someone else could have written (or read)
// is not trusted. Modes and owners are POSIX facts; Windows keeps %APPDATA% per user instead.
describe.skipIf(process.platform === "win32")("who may touch the token file", () => {
  const place = async (dirMode: number, fileMode?: number) => {
    const file = tokenFilePath({ env });
    await mkdir(dirname(file), { recursive: true });
    await chmod(dirname(file), dirMode);
    if (fileMode !== undefined) {
      await writeFile(
        file,
        JSON.stringify({ version: 1, baseUrl: API, tokenType: "Bearer", accessToken: "planted", expiresAt: null, scopes: [], savedAt: "2030-01-01T00:00:00Z" }),
      );
      await chmod(file, fileMode);
    }
    return file;
  };
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error,
    );

  it("refuses a planted token file that others can write (0666), naming the fix and never its token", async () => {
    const file = await place(0o700, 0o666);
    const error = await failure(readLogin({ env }));
    expect(error).toBeInstanceOf(StoredLoginError);
    expect((error as Error).message).toBe(
      `the stored login ${file} can be read or changed by other users (mode 0666), so its token is not trusted: run \`mkp logout\` and \`mkp login\``,
    );
    expect(inspect(error) + JSON.stringify(error)).not.toContain("planted");
  });

  it("refuses a token file others can read (0644): its token may have been seen", async () => {
    const file = await place(0o700, 0o644);
    expect(await failure(readLogin({ env }))).toMatchObject({ message: expect.stringContaining(`${file} can be read or changed by other users (mode 0644)`) });
  });

  it("refuses to read or save a login in a directory others can write (0777), and writes nothing", async () => {
    const file = await place(0o777, 0o600);
    const message = `the directory ${dirname(file)} of the stored login can be changed by other users (mode 0777), who could replace the login: run \`chmod 700 ${dirname(file)}\``;
    expect(await failure(readLogin({ env }))).toEqual(new StoredLoginError(message));
    expect(await failure(saveLogin({ baseUrl: API, accessToken: TOKEN }, { env }))).toEqual(new StoredLoginError(message));
    expect(await readdir(dirname(file))).toEqual(["token.json"]);
    expect(JSON.parse(await readFile(file, "utf8")).accessToken).toBe("planted");
  });

  it("reads and saves again once the directory is 0700", async () => {
    const file = await place(0o777);
    await chmod(dirname(file), 0o700);
    await saveLogin({ baseUrl: API, accessToken: TOKEN }, { env });
    expect((await readLogin({ env }))!.accessToken()).toBe(TOKEN);
  });

  // Only root can give a file away, so only a root test run can plant one as another user.
  it.runIf(process.getuid?.() === 0)("refuses a token file or directory that belongs to another user", async () => {
    const file = await place(0o700, 0o600);
    await chown(file, 4242, 4242);
    expect(await failure(readLogin({ env }))).toEqual(
      new StoredLoginError(`the stored login ${file} belongs to another user (uid 4242), so its token is not trusted: run \`mkp logout\` and \`mkp login\``),
    );
    await rm(file);
    await chown(dirname(file), 4242, 4242);
    const message = `the directory ${dirname(file)} of the stored login belongs to another user (uid 4242), who could replace the login: move it away and run \`mkp login\``;
    expect(await failure(readLogin({ env }))).toEqual(new StoredLoginError(message));
    expect(await failure(saveLogin({ baseUrl: API, accessToken: TOKEN }, { env }))).toEqual(new StoredLoginError(message));
  });
});
