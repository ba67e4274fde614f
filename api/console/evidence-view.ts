import type { VerificationEvidence } from '../../store/verification-data';
import { html, type Html } from './html';

/** Images a reviewer is shown inline: data: URIs of these types, up to this size. */
const inlineImage = /^data:image\/(png|jpeg|webp|gif);base64,[A-Za-z0-9+/]+={0,2}$/;
const maxInlineImageChars = 8 * 1024 * 1024;
/** Nested evidence is shown this deep; deeper values as JSON text. */
const maxDepth = 4;

/** Documents (a scanned form, a certificate) a reviewer downloads and opens: data: URIs of these types. */
const documentTypes: Record<string, string> = { 'application/pdf': 'pdf' };
const dataUri = /^data:([a-z]+\/[a-z0-9.+-]+);base64,([A-Za-z0-9+/]+={0,2})$/;

function value(label: string, v: unknown, depth: number): Html {
  if (typeof v === 'string' && v.length <= maxInlineImageChars && inlineImage.test(v)) {
    return html`<img src="${v}" alt="${label}" class="evidence-image" />`;
  }
  const document = typeof v === 'string' && v.length <= maxInlineImageChars ? dataUri.exec(v) : null;
  const extension = document ? documentTypes[document[1] as string] : undefined;
  if (document && extension) {
    const kilobytes = Math.ceil(((document[2] as string).length * 3) / 4 / 1024);
    // A download, not a page: the browser never renders it inside the console.
    return html`<a href="${v}" download="${label}.${extension}">Download ${label} (${extension.toUpperCase()}, ${kilobytes} KB)</a>`;
  }
  if (Array.isArray(v))
    return html`<ol>
      ${v.map((item, i) => html`<li>${value(`${label} ${i + 1}`, item, depth + 1)}</li>`)}
    </ol>`;
  if (v !== null && typeof v === 'object') {
    if (depth >= maxDepth) return html`<code>${JSON.stringify(v)}</code>`;
    return fields(v as Record<string, unknown>, depth + 1);
  }
  return html`<span>${String(v)}</span>`;
}

function fields(item: Record<string, unknown>, depth: number): Html {
  return html`<dl>
    ${Object.entries(item).map(
      ([key, v]) =>
        html`<dt>${key}</dt>
          <dd>${value(key, v, depth)}</dd>`,
    )}
  </dl>`;
}

function section(title: string, items: Record<string, unknown>[]): Html {
  if (items.length === 0) return html``;
  return html`<section aria-labelledby="${slug(title)}">
    <h3 id="${slug(title)}">${title}</h3>
    ${items.map(
      (item, i) =>
        html`<article class="evidence-item">
          <h4>${typeof item.type === 'string' ? item.type : `Item ${i + 1}`}${typeof item.id === 'string' ? html` <small>(${item.id})</small>` : ''}</h4>
          ${fields(item, 0)}
        </article>`,
    )}
  </section>`;
}

const slug = (title: string) => title.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/**
 * The decrypted evidence of a case, as a reviewer reads it: each item with its fields, images
 * (data: URIs) shown as images, PDF documents offered as downloads, references and codes as
 * text. Everything is escaped.
 */
export function evidenceView(evidence: VerificationEvidence | null): Html {
  if (!evidence) return html`<p>The evidence is no longer held (its retention period ended).</p>`;
  return html`${section('From the Wallet Client', evidence.clientItems as Record<string, unknown>[])}
  ${section('From the Wallet Server', evidence.serverItems as Record<string, unknown>[])}
  ${section('Wallet Server assessments', evidence.additionalAssessments)}`;
}
