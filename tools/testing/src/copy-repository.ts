import { execFile } from "node:child_process";
import { cp, lstat, mkdir, mkdtemp, readdir, readlink, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const BIG = 64 * 1024 * 1024;

/** A temporary copy of the repository, made by {@link copyRepository}. */
export interface RepositoryCopy {
  /** The copy's root folder. */
  dir: string;
  remove(): Promise<void>;
}

export interface CopyRepositoryOptions {
  /** Copy only these files and folders (relative to the root), and the workspace packages in them. Default: everything. */
  paths?: readonly string[] | undefined;
  /** Make the copy a git repository whose `main` branch holds it, for tools that compare with the base branch. Default: false. */
  commit?: boolean | undefined;
  /** The temporary folder's name prefix. Default: `mkp-repo-`. */
  prefix?: string | undefined;
  /** Copy each workspace package's `dist`. `false` gives a clone that was only installed, never built. Default: true. */
  builds?: boolean | undefined;
}

/** Recreates a node_modules folder of pnpm's layout: its links point where the originals do. */
async function linkNodeModules(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from)) {
    const source = join(from, entry);
    const target = join(to, entry);
    const stats = await lstat(source);
    if (entry === ".pnpm" || entry.startsWith(".vite")) await symlink(source, target);
    else if (stats.isSymbolicLink()) await symlink(await readlink(source), target);
    else if (stats.isDirectory()) await linkNodeModules(source, target);
    else await cp(source, target);
  }
}

/**
 * Copies the repository at `root` into a fresh temporary folder where its commands run as in the
 * original, without an install: the files git tracks or would track (untracked ones that are not
 * ignored), each workspace package's built `dist` (ignored by git, needed by the tools that import
 * a sibling's build) unless `builds` is false, and every `node_modules` recreated as links, as pnpm lays them out.
 */
export async function copyRepository(root: string, options: CopyRepositoryOptions = {}): Promise<RepositoryCopy> {
  const dir = await mkdtemp(join(tmpdir(), options.prefix ?? "mkp-repo-"));
  const paths = options.paths ?? [];
  const { stdout: files } = await run("git", ["ls-files", "-co", "--exclude-standard", "-z", "--", ...paths], { cwd: root, maxBuffer: BIG });
  for (const file of files.split("\0").filter(Boolean)) {
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await cp(join(root, file), join(dir, file), { verbatimSymlinks: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error; // deleted in the working tree, not yet in git
    });
  }
  const { stdout: workspaces } = await run("pnpm", ["ls", "-r", "--depth", "-1", "--json"], { cwd: root, maxBuffer: BIG });
  for (const { path } of JSON.parse(workspaces) as { path: string }[]) {
    const at = relative(root, path);
    // The root's node_modules always: the packages' links lead into its .pnpm store.
    if (at !== "" && paths.length > 0 && !paths.some((wanted) => at === wanted || at.startsWith(`${wanted}/`))) continue;
    await linkNodeModules(join(path, "node_modules"), join(dir, at, "node_modules")).catch(() => undefined);
    if (options.builds !== false) await cp(join(path, "dist"), join(dir, at, "dist"), { recursive: true }).catch(() => undefined);
  }
  if (options.commit) {
    const git = (...args: string[]) => run("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], { cwd: dir, maxBuffer: BIG });
    await git("init", "-q", "-b", "main");
    await git("add", "-A");
    await git("commit", "-q", "-m", "base");
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}
