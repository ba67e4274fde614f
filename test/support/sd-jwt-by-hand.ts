import { createHash } from 'node:crypto';

/**
 * An SD-JWT decoder written from the text of SD-JWT (RFC 9901 §4, §7.1) with node:crypto only,
 * independent of the @sd-jwt libraries the issuing code uses: it recomputes every disclosure's
 * digest (base64url SHA-256 over the disclosure string as sent) and rebuilds the claims from
 * `_sd` and `{"...": digest}` array entries. It does not verify signatures: callers do, with jose.
 */
export interface HandDecodedSdJwt {
  issuerJwt: string;
  header: Record<string, unknown>;
  /** The payload as signed (with `_sd`, `_sd_alg`). */
  signedPayload: Record<string, unknown>;
  /** The claims after processing the disclosures sent (SD-JWT §7.1 steps 3–4). */
  claims: Record<string, unknown>;
  disclosures: { encoded: string; digest: string; salt: string; name?: string; value: unknown }[];
  /** Where each disclosure's digest was found: a path of object keys and array indices. */
  foundAt: Map<string, (string | number)[]>;
  keyBindingJwt?: string;
}

const b64json = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

export function sdDigest(disclosure: string): string {
  return createHash('sha256').update(disclosure, 'ascii').digest('base64url');
}

export function decodeSdJwtByHand(sdJwt: string): HandDecodedSdJwt {
  const parts = sdJwt.split('~');
  const issuerJwt = parts[0] as string;
  const last = parts.at(-1) as string;
  const keyBindingJwt = last === '' ? undefined : last;
  const encodedDisclosures = parts.slice(1, -1);
  const [h, p] = issuerJwt.split('.');
  const header = b64json(h as string);
  const signedPayload = b64json(p as string);
  if (signedPayload._sd_alg !== undefined && signedPayload._sd_alg !== 'sha-256') throw new Error(`unexpected _sd_alg ${String(signedPayload._sd_alg)}`);

  const disclosures = encodedDisclosures.map((encoded) => {
    const array = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as unknown[];
    if (!Array.isArray(array) || (array.length !== 2 && array.length !== 3)) throw new Error('a disclosure is an array of 2 or 3');
    const salt = String(array[0]);
    return array.length === 3
      ? { encoded, digest: sdDigest(encoded), salt, name: String(array[1]), value: array[2] }
      : { encoded, digest: sdDigest(encoded), salt, value: array[1] };
  });
  const byDigest = new Map(disclosures.map((d) => [d.digest, d]));
  if (byDigest.size !== disclosures.length) throw new Error('two disclosures with the same digest');
  const foundAt = new Map<string, (string | number)[]>();
  const seenDigests = new Set<string>();
  const use = (digest: string, path: (string | number)[]) => {
    if (seenDigests.has(digest)) throw new Error(`digest ${digest} appears twice`);
    seenDigests.add(digest);
    const disclosure = byDigest.get(digest);
    if (disclosure) foundAt.set(digest, path);
    return disclosure;
  };

  const processValue = (value: unknown, path: (string | number)[]): unknown => {
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      value.forEach((element, i) => {
        const digest = typeof element === 'object' && element !== null && !Array.isArray(element) ? (element as Record<string, unknown>)['...'] : undefined;
        if (typeof digest === 'string' && Object.keys(element as object).length === 1) {
          const disclosure = use(digest, [...path, i]);
          if (!disclosure) return; // a decoy or an undisclosed element
          if (disclosure.name !== undefined) throw new Error('an array element disclosure has no name');
          out.push(processValue(disclosure.value, [...path, i]));
        } else {
          out.push(processValue(element, [...path, i]));
        }
      });
      return out;
    }
    if (typeof value === 'object' && value !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, member] of Object.entries(value)) {
        if (key === '_sd' || (key === '_sd_alg' && path.length === 0)) continue;
        out[key] = processValue(member, [...path, key]);
      }
      const digests = (value as Record<string, unknown>)._sd;
      if (digests !== undefined) {
        if (!Array.isArray(digests)) throw new Error('_sd is an array');
        for (const digest of digests as string[]) {
          const disclosure = use(digest, path);
          if (!disclosure) continue;
          if (disclosure.name === undefined) throw new Error('an object property disclosure has a name');
          if (Object.hasOwn(out, disclosure.name)) throw new Error(`claim ${disclosure.name} disclosed and in clear`);
          out[disclosure.name] = processValue(disclosure.value, [...path, disclosure.name]);
        }
      }
      return out;
    }
    return value;
  };

  const claims = processValue(signedPayload, []) as Record<string, unknown>;
  const unused = disclosures.filter((d) => !foundAt.has(d.digest));
  if (unused.length > 0) throw new Error(`${unused.length} disclosure(s) whose digest is in no _sd`);
  return { issuerJwt, header, signedPayload, claims, disclosures, foundAt, ...(keyBindingJwt ? { keyBindingJwt } : {}) };
}

/** SD-JWT §4.3.1: sd_hash is the digest of the presentation up to and including the last `~`. */
export function sdHashOf(presentation: string): string {
  return createHash('sha256')
    .update(presentation.slice(0, presentation.lastIndexOf('~') + 1), 'ascii')
    .digest('base64url');
}
