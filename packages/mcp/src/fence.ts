import { lstat, realpath, stat } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { McpError } from "@modelcontextprotocol/sdk/types.js";

/** An input a tool refuses (a path outside the fence, an output that exists …): `field` names it, `message` says why and what to do. */
export class InputError extends Error {
  override readonly name = "InputError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Where the folders come from and what stays closed whatever they are. */
export interface FenceOptions {
  /** The folders the person gave the server (`--allow-dir`), absolute. Used when the client offers no roots. */
  allowDirs: readonly string[];
  /** The MCP client's roots (`roots/list`), or undefined when the client does not offer roots. */
  listRoots: () => Promise<readonly { uri: string }[] | undefined>;
  /** The user's configuration directory (where `mkp login` keeps its token, and other apps their settings): never read or written. */
  configDir: string;
  /** Where a root that cannot be used is reported (the server's stderr). */
  warn: (message: string) => void;
  /** Default: `process.platform` (macOS and Windows compare paths without case). */
  platform?: NodeJS.Platform | undefined;
}

/** Where the folders came from: the client's roots, the command line, or nowhere. */
export type FolderSource = "roots" | "--allow-dir" | "none";

const NO_FOLDER =
  "no folder is open to this server, so it reads and writes no files. The person can open one: a folder or workspace in the MCP client (its roots), or `--allow-dir <folder>` in the server's arguments. A model at an http(s) URL needs no folder.";

/**
 * The folders a tool may read and write: the client's roots (asked for when first needed, asked
 * again after `notifications/roots/list_changed`), else `--allow-dir`. Every path is resolved
 * with `realpath` before it is checked, so neither a symbolic link nor `..` leads out; below a
 * folder, hidden files and folders (a name starting with `.`) are refused, and the configuration
 * directory is refused wherever it is.
 */
export class FileFence {
  readonly #options: FenceOptions;
  #roots: Promise<string[] | undefined> | undefined;

  constructor(options: FenceOptions) {
    this.#options = options;
  }

  /** The client said its roots changed: the next file tool asks for them again. */
  forgetRoots(): void {
    this.#roots = undefined;
  }

  /** The real paths of the folders in use, and where they came from. */
  async folders(): Promise<{ folders: string[]; from: FolderSource }> {
    this.#roots ??= this.#readRoots();
    const roots = await this.#roots;
    if (roots !== undefined && roots.length > 0) return { folders: roots, from: "roots" };
    const folders = await realFolders(this.#options.allowDirs, this.#options.warn, "--allow-dir");
    return { folders, from: folders.length > 0 ? "--allow-dir" : "none" };
  }

  async #readRoots(): Promise<string[] | undefined> {
    let roots: readonly { uri: string }[] | undefined;
    try {
      roots = await this.#options.listRoots();
    } catch (error) {
      // The SDK refuses an answer off the schema (a root that is not a file:// URI) with a long validation report.
      const why = error instanceof McpError ? error.message : "its answer to roots/list is not valid";
      this.#options.warn(`the client's roots could not be read (${why}); using --allow-dir`);
      return undefined;
    }
    if (roots === undefined) return undefined;
    // The SDK has checked that every root is a file:// URI.
    return realFolders(
      roots.map(({ uri }) => fileURLToPath(uri)),
      this.#options.warn,
      "root",
    );
  }

  /**
   * The real path of the existing regular file `path` names, checked to be inside the fence.
   * @throws {InputError} (`field`) naming the reason and the fix.
   */
  async readable(field: string, path: string): Promise<string> {
    const folders = await this.#open(field, path);
    const real = await realpath(path).catch((error: NodeJS.ErrnoException) => {
      throw new InputError(field, error.code === "ENOENT" ? `no such file: ${path}` : `${path} cannot be read (${error.code})`);
    });
    await this.#check(field, path, real, folders);
    if (!(await stat(real)).isFile()) throw new InputError(field, `${path} is not a regular file`);
    return real;
  }

  /**
   * The real path a file `path` names may be written at: its folder resolved with `realpath`, its
   * name kept, checked to be inside the fence and not a symbolic link.
   * @throws {InputError} (`field`) naming the reason and the fix.
   */
  async writable(field: string, path: string): Promise<string> {
    const folders = await this.#open(field, path);
    const parent = dirname(resolve(path));
    const realParent = await realpath(parent).catch(() => {
      throw new InputError(field, `${parent} is not a directory: create it first, or write elsewhere`);
    });
    const target = join(realParent, basename(resolve(path)));
    await this.#check(field, path, target, folders);
    if ((await lstat(target).catch(() => undefined))?.isSymbolicLink()) throw new InputError(field, `${path} is a symbolic link: choose another output`);
    return target;
  }

  async #open(field: string, path: string): Promise<string[]> {
    const { folders } = await this.folders();
    if (folders.length === 0) throw new InputError(field, NO_FOLDER);
    if (!isAbsolute(path))
      throw new InputError(field, `give an absolute path inside ${folders.join(", ")} (${JSON.stringify(path.slice(0, 200))} is relative)`);
    return folders;
  }

  async #check(field: string, path: string, real: string, folders: readonly string[]): Promise<void> {
    const fold = this.#fold();
    const configDir = await realpath(this.#options.configDir).catch(() => resolve(this.#options.configDir));
    if (below(fold(configDir), fold(real)) !== undefined)
      throw new InputError(field, `${path} is in the configuration directory, which this server never reads or writes`);
    const inside = folders.map((folder) => below(fold(folder), fold(real))).find((rest) => rest !== undefined);
    if (inside === undefined) throw new InputError(field, `${path} is outside the folders this server may use: ${folders.join(", ")}`);
    if (inside.split(sep).some((part) => part.startsWith(".")))
      throw new InputError(field, `${path} is hidden (a name starting with "."): hidden files and folders are never read or written`);
  }

  #fold(): (path: string) => string {
    const platform = this.#options.platform ?? process.platform;
    // The default file systems of macOS and Windows ignore case: so must the comparison.
    return platform === "darwin" || platform === "win32" ? (path) => path.toLowerCase() : (path) => path;
  }
}

/** `path` relative to `folder` when it is the folder or below it ("" for the folder itself), else undefined. */
function below(folder: string, path: string): string | undefined {
  const rest = relative(folder, path);
  if (rest === "") return "";
  return rest.split(sep)[0] === ".." || isAbsolute(rest) ? undefined : rest;
}

/** The real paths of the directories among `paths`; the others are reported and left out. */
async function realFolders(paths: readonly string[], warn: (message: string) => void, what: string): Promise<string[]> {
  const folders: string[] = [];
  for (const path of paths) {
    const real = await realpath(path).catch(() => undefined);
    if (real !== undefined && (await stat(real)).isDirectory()) folders.push(real);
    else warn(`${what} ${path} is not an existing directory; skipped`);
  }
  return folders;
}
