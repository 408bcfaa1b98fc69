/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * A tagged template that escapes every interpolated value unless it is already {@link Html};
 * arrays are joined, each item escaped the same way.
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += Array.isArray(value) ? value.map(fragment).join('') : fragment(value);
    out += strings[index + 1] ?? '';
  });
  return new Html(out);
}

function fragment(value: unknown): string {
  return value instanceof Html ? value.text : escapeHtml(String(value));
}

/** Markup that is safe to insert as is. */
export class Html {
  constructor(readonly text: string) {}
}

/** A complete page in the node's plain style; `head` adds page-specific markup (styles, scripts). */
export function renderPage(title: string, body: Html, head: Html = new Html('')): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · sigmesh</title>
        <style>
          body {
            font:
              15px/1.5 system-ui,
              sans-serif;
            max-width: 52rem;
            margin: 2rem auto;
            padding: 0 1rem;
            color: #1d2330;
          }
          h1 {
            font-size: 1.4rem;
          }
          code,
          td.mono {
            font-family: ui-monospace, monospace;
            font-size: 13px;
            word-break: break-all;
          }
          table {
            border-collapse: collapse;
          }
          td,
          th {
            padding: 0.25rem 0.75rem 0.25rem 0;
            text-align: left;
            vertical-align: top;
          }
          .muted {
            color: #667;
          }
        </style>
        ${head}
      </head>
      <body>
        <h1>${title}</h1>
        ${body}
        <p class="muted">
          sigmesh — a decentralized WebRTC signaling mesh. Ask with
          <code>Accept: application/json</code> for JSON.
        </p>
      </body>
    </html> `.text;
}
