/** Plays the user's browser through an authorization server's pages (over real HTTP). */
const attribute = (tag: string, name: string) => tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1]?.replace(/&amp;/g, "&");

/**
 * Plays the user's browser with a plain HTTP client: follows redirects by hand (keeping cookies),
 * and submits each HTML form it lands on — its hidden and prefilled fields, `fill`, and the
 * submit button whose value is `decision` — until a redirect leaves for `redirectUri`'s origin.
 * Resolves to that redirect's URL (the callback with `code` or `error`), not yet fetched.
 */
export async function actAsUser(
  startUrl: string,
  redirectUri: string,
  options: { fill?: Record<string, string>; decision?: string; visit?: (url: URL) => URL } = {},
): Promise<URL> {
  const cookies = new Map<string, string>();
  let url = new URL(startUrl);
  let init: RequestInit = {};
  for (let hop = 0; hop < 20; hop++) {
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers as object), cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair!.indexOf("=");
      cookies.set(pair!.slice(0, at).trim(), pair!.slice(at + 1));
    }
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      const next = new URL(location, url);
      if (next.origin === new URL(redirectUri).origin) return next;
      url = options.visit?.(next) ?? next;
      init = {};
      continue;
    }
    const html = await response.text();
    const form = html.match(/<form\b[^>]*>[\s\S]*?<\/form>/i)?.[0];
    if (!form) throw new Error(`HTTP ${response.status} at ${url.pathname} without a form or a redirect: ${html.slice(0, 300)}`);
    const fields = new URLSearchParams();
    for (const [input] of form.matchAll(/<input\b[^>]*>/gi)) {
      const name = attribute(input, "name");
      if (name && !/type="(submit|button|checkbox)"/i.test(input)) fields.set(name, attribute(input, "value") ?? "");
    }
    for (const [name, value] of Object.entries(options.fill ?? {})) if (fields.has(name) || form.includes(`name="${name}"`)) fields.set(name, value);
    for (const [button] of form.matchAll(/<button\b[^>]*>/gi)) {
      const name = attribute(button, "name");
      if (name && attribute(button, "value") === options.decision) fields.set(name, options.decision!);
    }
    url = new URL(attribute(form.match(/<form\b[^>]*>/i)![0], "action") ?? url.href, url);
    init = { method: "POST", body: fields.toString(), headers: { "content-type": "application/x-www-form-urlencoded", origin: url.origin } };
  }
  throw new Error("too many hops before the redirect back to the app");
}
