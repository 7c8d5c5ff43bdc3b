import { homedir } from "node:os";
import { isAbsolute, join } from "node:path";

/** Where to look: the environment, the platform and the home directory (the process's by default). */
export interface PlaceOptions {
  /** Default: `process.env`. */
  env?: Record<string, string | undefined> | undefined;
  /** Default: `process.platform`. */
  platform?: NodeJS.Platform | undefined;
  /** Default: `os.homedir()`. */
  homedir?: string | undefined;
}

/**
 * The user's configuration directory: `$XDG_CONFIG_HOME` when it is set to an absolute path (on any
 * platform, as `gh` does), else `~/Library/Application Support` on macOS, `%APPDATA%` on Windows
 * and `~/.config` elsewhere (the XDG Base Directory default).
 * @see https://specifications.freedesktop.org/basedir-spec/latest/
 */
export function configDir(options: PlaceOptions = {}): string {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const home = options.homedir ?? homedir();
  // The spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
  const xdg = env.XDG_CONFIG_HOME;
  if (xdg && isAbsolute(xdg)) return xdg;
  if (platform === "darwin") return join(home, "Library", "Application Support");
  if (platform === "win32") return env.APPDATA || join(home, "AppData", "Roaming");
  return join(home, ".config");
}

/** The file `mkp login` keeps its token in: `makeprintable/token.json` under {@link configDir}. */
export function tokenFilePath(options: PlaceOptions = {}): string {
  return join(configDir(options), "makeprintable", "token.json");
}
