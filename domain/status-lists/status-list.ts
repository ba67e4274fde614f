/**
 * Token Status List (draft-ietf-oauth-status-list) as a byte array: pure bit arithmetic, no
 * compression or signing (those are in crypto/status-list-token.ts).
 *
 * Draft §4.1: the Status List is a byte array; the status of the Referenced Token at index i
 * occupies `bits` bits starting at bit position i * bits, counted from the least significant bit
 * of byte 0 (so index 0 is the low bits of the first byte).
 */

/** Draft §4.1: 1, 2, 4 or 8 bits per Referenced Token. */
export type StatusListBits = 1 | 2 | 4 | 8;

/** Draft §7.1 (Status Types): the values this issuer writes. */
export const StatusValue = {
  valid: 0x00,
  invalid: 0x01,
  suspended: 0x02,
} as const;
export type StatusValue = (typeof StatusValue)[keyof typeof StatusValue];

/**
 * This issuer's lists carry 2 bits per credential: SUSPENDED (0x02) needs more than one bit, and
 * the S2S lifecycle suspends and resumes (S2S §Credential Manage). Value 0x03 is unused.
 */
export const issuerStatusListBits: StatusListBits = 2;

/**
 * Entries per list: 2^17 = 131 072, above the 100 000 that keeps one credential's index from
 * singling its holder out among few others (draft §Privacy Considerations: Herd Privacy), and a power of two so the
 * byte array is exactly 32 KiB at 2 bits.
 */
export const issuerStatusListSize = 131_072;

/**
 * A list's URI, `status_list.uri` in every credential it holds and `sub` of its tokens (draft
 * §6): the public listener's base URL and `/status-lists/{listId}` (profile §Status lists).
 */
export function statusListUri(publicBaseUrl: string, listId: string): string {
  return `${publicBaseUrl.replace(/\/+$/, '')}${statusListsPath}/${encodeURIComponent(listId)}`;
}

/** Where the public listener serves the lists. */
export const statusListsPath = '/status-lists';

export function isStatusListBits(value: unknown): value is StatusListBits {
  return value === 1 || value === 2 || value === 4 || value === 8;
}

/** The byte array for `size` entries, all VALID (0). */
export function createStatusListBytes(size: number, bits: StatusListBits): Uint8Array {
  if (!Number.isInteger(size) || size <= 0) throw new RangeError(`a status list needs a positive size, got ${size}`);
  return new Uint8Array(Math.ceil((size * bits) / 8));
}

/** How many entries a byte array of this length holds at `bits` bits each. */
export function statusListCapacity(bytes: Uint8Array, bits: StatusListBits): number {
  return Math.floor((bytes.length * 8) / bits);
}

function position(bytes: Uint8Array, bits: StatusListBits, index: number): { byte: number; shift: number } {
  if (!Number.isInteger(index) || index < 0 || index >= statusListCapacity(bytes, bits)) {
    throw new RangeError(`status list index ${index} is outside the list (${statusListCapacity(bytes, bits)} entries)`);
  }
  const bit = index * bits;
  return { byte: bit >> 3, shift: bit & 7 };
}

/** Draft §4.1: the status at `index`. */
export function statusAt(bytes: Uint8Array, bits: StatusListBits, index: number): number {
  const { byte, shift } = position(bytes, bits, index);
  return (bytes[byte]! >> shift) & ((1 << bits) - 1);
}

/** Writes `value` at `index` in place; other entries keep their bits. */
export function setStatusAt(bytes: Uint8Array, bits: StatusListBits, index: number, value: number): void {
  const mask = (1 << bits) - 1;
  if (!Number.isInteger(value) || value < 0 || value > mask) throw new RangeError(`status ${value} does not fit in ${bits} bits`);
  const { byte, shift } = position(bytes, bits, index);
  bytes[byte] = (bytes[byte]! & ~(mask << shift)) | (value << shift);
}

/** The byte array of a list whose entries not named are VALID. */
export function statusListFromEntries(size: number, bits: StatusListBits, entries: Iterable<{ index: number; status: number }>): Uint8Array {
  const bytes = createStatusListBytes(size, bits);
  for (const entry of entries) setStatusAt(bytes, bits, entry.index, entry.status);
  return bytes;
}

/**
 * Whether the lifecycle may move an entry from `current` to `requested`. Revocation is final:
 * a Referenced Token that was INVALID never becomes VALID or SUSPENDED again (draft §7.1: INVALID
 * means revoked, annulled or taken back). Repeating the current status is always allowed, so a
 * retried change is a no-op.
 */
export function isStatusChangeAllowed(current: StatusValue, requested: StatusValue): boolean {
  return current !== StatusValue.invalid || requested === StatusValue.invalid;
}
