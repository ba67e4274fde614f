/**
 * Server-rendered HTML for the reviewer console: every interpolated value is escaped unless it
 * is already Html (built by `html` itself), so evidence and identifiers can never become markup.
 */
export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] as string);
}

function render(value: unknown): string {
  if (value instanceof Html) return value.text;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

/** A template whose interpolations are escaped (arrays joined, Html kept, nothing for undefined/null/false). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    text += render(value) + (strings[i + 1] ?? '');
  });
  return new Html(text);
}

export interface Viewer {
  adminId: string;
  role: string;
  csrfToken: string;
}

/** The hidden field every form of a signed-in page carries (checked on every POST). */
export function csrfField(viewer: Viewer): Html {
  return html`<input type="hidden" name="csrf" value="${viewer.csrfToken}" />`;
}

/** A table with a caption (what it lists, or that it is empty), column headers and rows. */
export function dataTable(caption: string, columns: readonly string[], rows: readonly Html[]): Html {
  return html`<table>
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        ${columns.map((column) => html`<th scope="col">${column}</th>`)}
      </tr>
    </thead>
    <tbody>
      ${rows}
    </tbody>
  </table>`;
}

/** "1 open case", "3 open cases". */
export const counted = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** How long ago, for people: "3 h 20 min", "2 d 4 h". */
export function age(since: Date, now: Date): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/**
 * A whole page: a skip link, the navigation the viewer's role allows, a sign-out form, and the
 * page's own content in <main>. `notice` is a status line read out by screen readers.
 */
export function page(options: { title: string; viewer?: Viewer; body: Html; notice?: string; problem?: string }): string {
  const { viewer } = options;
  const nav = viewer
    ? html`<nav aria-label="Console">
        <ul>
          ${viewer.role === 'reviewer' ? html`<li><a href="/console/queue">Review queue</a></li>` : ''}
          ${viewer.role === 'back-office' ? html`<li><a href="/console/holders">Holders’ credentials</a></li>` : ''}
        </ul>
        <form method="post" action="/console/logout">
          ${csrfField(viewer)}
          <span class="who">Signed in as ${viewer.adminId} (${viewer.role})</span>
          <button type="submit">Sign out</button>
        </form>
      </nav>`
    : '';
  return `<!doctype html>${
    html`<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${options.title} · Issuer console</title>
        <link rel="stylesheet" href="/console/console.css" />
      </head>
      <body>
        <a class="skip" href="#main">Skip to content</a>
        <header>
          <p class="brand">Issuer console</p>
          ${nav}
        </header>
        <main id="main" tabindex="-1">
          <h1>${options.title}</h1>
          ${options.notice ? html`<p class="notice" role="status">${options.notice}</p>` : ''}
          ${options.problem ? html`<p class="problem" role="alert">${options.problem}</p>` : ''} ${options.body}
        </main>
      </body>
    </html>`.text
  }`;
}
