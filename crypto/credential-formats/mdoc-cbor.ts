import { Encoder, Tag } from 'cbor-x';

/**
 * CBOR as ISO/IEC 18013-5 §8.1 uses it for mdoc structures: maps (not records, not tag 259),
 * byte strings without cbor-x's typed-array tags, shortest length headers, and the three tags
 * an mdoc needs (24 embedded CBOR, 0 tdate, 1004 full-date). Values are tagged explicitly with
 * `Tag`, never through cbor-x's process-wide class extensions, so that our bytes do not change
 * when another library registers its own (the @auth0/mdl verifier does, for Date and tag 24).
 */
const cbor = new Encoder({
  useRecords: false,
  mapsAsObjects: false,
  tagUint8Array: false,
  variableMapSize: true,
  // cbor-x's own option, not in its typings: no tag 259 around decoded maps.
  ...({ useTag259ForMaps: false } as object),
});

/**
 * JSON values as CBOR values: cbor-x writes an integer beyond 32 bits as a float64 (RFC 7049
 * Appendix A's 1000000000000 came back as fb426d1a94a2000000), so safe integers of that size
 * become BigInt, which it writes as the integer (major type 0/1) they are. Byte strings, tags
 * and other non-JSON values pass through.
 */
export function cborValueFromJson(value: unknown): unknown {
  if (typeof value === 'number') return Number.isSafeInteger(value) && Math.abs(value) > 0xffffffff ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(cborValueFromJson);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, cborValueFromJson(member)]));
  }
  return value;
}

/** RFC 8949 §3.4.5.1 / ISO 18013-5 §8.1: tag 24 marks a byte string holding encoded CBOR. */
export const embeddedCborTag = 24;
/** RFC 8949 §3.4.1: tag 0, an RFC 3339 date-time text ("tdate" in the ISO CDDL). */
export const dateTimeTag = 0;
/** RFC 8943: tag 1004, an RFC 3339 full-date text ("full-date" in the ISO CDDL). */
export const fullDateTag = 1004;

export function encodeCbor(value: unknown): Uint8Array {
  return new Uint8Array(cbor.encode(value));
}

/** Maps decode as Map, byte strings as Uint8Array (Buffer), unknown tags as cbor-x `Tag`. */
export function decodeCbor(bytes: Uint8Array): unknown {
  return cbor.decode(bytes);
}

/** `#6.24(bstr .cbor T)`: the item's exact bytes travel, so digests and signatures stay checkable. */
export function embeddedCbor(encoded: Uint8Array): Tag {
  return new Tag(encoded, embeddedCborTag);
}

/** The bytes inside a `#6.24(bstr .cbor T)`, or undefined when `value` is not one. */
export function embeddedBytes(value: unknown): Uint8Array | undefined {
  return value instanceof Tag && value.tag === embeddedCborTag && value.value instanceof Uint8Array ? value.value : undefined;
}

/** ISO 18013-5 §9.1.2.4: a tdate is UTC and has no fraction of seconds. */
export function tdate(date: Date): Tag {
  return new Tag(`${date.toISOString().slice(0, 19)}Z`, dateTimeTag);
}

/** Drops the milliseconds a tdate cannot carry: the instant the MSO will state. */
export function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

const fullDatePattern = /^\d{4}-\d{2}-\d{2}$/;

/** `full-date` (RFC 8943 tag 1004) from a `YYYY-MM-DD` text that is a real calendar date. */
export function fullDate(text: string): Tag {
  const parsed = new Date(`${text}T00:00:00Z`);
  if (!fullDatePattern.test(text) || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== text) {
    throw new Error(`not a full-date (YYYY-MM-DD): ${JSON.stringify(text)}`);
  }
  return new Tag(text, fullDateTag);
}

/** The text of a decoded full-date (tag 1004), or undefined when `value` is not one. */
export function fullDateText(value: unknown): string | undefined {
  return value instanceof Tag && value.tag === fullDateTag && typeof value.value === 'string' ? value.value : undefined;
}

export { Tag };
