/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** HTML that is safe to send as it is: only {@link html} makes it. */
export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const render = (value: unknown): string => {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(render).join("");
  return value === undefined || value === null || value === false ? "" : escapeHtml(String(value));
};

/**
 * The one way the app makes HTML: every value put into the template is escaped (text from the
 * API, the user or the app alike), except HTML this function made, so nothing from outside can
 * add markup. `undefined`, `null` and `false` put nothing; arrays put each entry.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  return new SafeHtml(strings.reduce((out, text, i) => out + render(values[i - 1]) + text));
}

const STYLE = html`<style>body{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;color:#1d2433}
h1{font-size:1.6rem}a.button,button{display:inline-block;background:#ff6a00;color:#fff;border:0;border-radius:6px;padding:.6rem 1.1rem;font:inherit;cursor:pointer;text-decoration:none}
button.secondary{background:#5a6478}.notice{border-left:4px solid #ff6a00;background:#fff5ec;padding:.75rem 1rem}
.error{border-left:4px solid #c62828;background:#fdecea;padding:.75rem 1rem}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #dde;padding:.35rem;text-align:left}</style>`;

/** A whole page, as the text to send. */
export function page(title: string, body: SafeHtml, head?: SafeHtml): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · Print Shop</title>${STYLE}${head}</head>
<body><header><strong>Print Shop</strong> — an example app for Makeprintable</header><main>
${body}
</main></body></html>`.toString();
}

/** One item row as the list shows it: whatever the API sent, shown as text. */
export interface ItemRow {
  id: unknown;
  name: string;
  /** When it was added, as the API said it (an ISO date when it was a Unix time). */
  added: string;
}

export function homeSignedOut(): string {
  return page(
    "Welcome",
    html`<h1>Repair your 3D models</h1>
<p>Connect your Makeprintable account to see and upload your models.</p>
<p><a class="button" id="connect" href="/login">Connect Makeprintable</a></p>`,
  );
}

const itemRow = (item: ItemRow) =>
  html`<tr><td>${item.id}</td><td>${item.name}</td><td>${item.added}</td><td><form method="post" action="/items/${encodeURIComponent(String(item.id))}/repair"><button type="submit" aria-label="Repair ${item.name}">Repair</button></form></td></tr>`;

export function homeSignedIn(items: ItemRow[], message?: string): string {
  return page(
    "Your models",
    html`<h1>Signed in with Makeprintable</h1>
${message && html`<p class="notice" role="status">${message}</p>`}
<h2>Your models</h2>
${items.length ? html`<table id="items"><thead><tr><th>id</th><th>file</th><th>added</th><th></th></tr></thead><tbody>${items.map(itemRow)}</tbody></table>` : html`<p id="items-empty">No models yet.</p>`}
<h2>Upload a model</h2>
<form method="post" action="/upload" enctype="multipart/form-data">
<input type="file" name="file" accept=".obj,.stl,.3mf,.zip" required> <button type="submit">Upload</button>
</form>
<form method="post" action="/logout"><p><button class="secondary" type="submit" id="logout">Sign out</button></p></form>`,
  );
}

/** What the repair page shows. */
export interface RepairView {
  fileName: string;
  status: string;
  /** 0–100. */
  progress: number;
  /** Set once the repair is done: an http(s) URL. */
  downloadUrl?: string | undefined;
  /** Whether Makeprintable's fix-done callback reached the app. */
  notified: boolean;
  /** Reload the page after this many seconds (while the repair runs). */
  refreshSeconds?: number | undefined;
}

export function repairPage(view: RepairView): string {
  const refresh = view.refreshSeconds === undefined ? undefined : html`<meta http-equiv="refresh" content="${view.refreshSeconds}">`;
  const body = view.downloadUrl
    ? html`<p class="notice" role="status" id="repair-status">Your model is repaired.${view.notified && " Makeprintable told this app as soon as it was done."}</p>
<p><a class="button" id="download" href="${view.downloadUrl}">Download repaired file</a></p>`
    : html`<p role="status" id="repair-status">${view.status || "starting"}: ${view.progress}%</p>
<p><progress id="repair-progress" max="100" value="${view.progress}">${view.progress}%</progress></p>
<p>This page updates itself until the repair is done.</p>`;
  return page(`Repairing ${view.fileName}`, html`<h1>Repairing ${view.fileName}</h1>\n${body}\n<p><a href="/">Back to your models</a></p>`, refresh);
}

export function problem(title: string, message: string, retry = true): string {
  return page(
    title,
    html`<h1>${title}</h1>
<p class="error" role="alert">${message}</p>
${retry ? html`<p><a class="button" href="/login">Sign in again</a> <a href="/">Back home</a></p>` : html`<p><a href="/">Back home</a></p>`}`,
  );
}
