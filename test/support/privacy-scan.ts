import type { Payload, PayloadCodec } from '@temporalio/common';

/**
 * The text of a workflow history with every payload decoded by the issuer's codec: histories are
 * stored encrypted, so a search of the raw history could never find a leak in a workflow input.
 */
export async function decodedHistoryText(history: unknown, codec: PayloadCodec): Promise<string> {
  const decode = async (value: unknown): Promise<unknown> => {
    if (Array.isArray(value)) return Promise.all(value.map(decode));
    if (value === null || typeof value !== 'object') return value;
    const record = value as Record<string, unknown>;
    if (record.metadata && typeof record.metadata === 'object' && 'encoding' in (record.metadata as object) && 'data' in record) {
      const [decoded] = await codec.decode([record as Payload]);
      return { decoded: Buffer.from(decoded?.data ?? new Uint8Array()).toString('utf8') };
    }
    return Object.fromEntries(await Promise.all(Object.entries(record).map(async ([key, child]) => [key, await decode(child)])));
  };
  return JSON.stringify(await decode(history));
}

/** Every (place, needle) where a needle appears in clear or base64 (standard or url-safe). */
export function findLeaks(haystacks: Record<string, string>, needles: string[]): string[] {
  const leaks: string[] = [];
  for (const [where, text] of Object.entries(haystacks)) {
    for (const needle of needles.filter((n) => n.length > 0)) {
      const forms = [needle, Buffer.from(needle).toString('base64'), Buffer.from(needle).toString('base64url')];
      if (forms.some((form) => text.includes(form))) leaks.push(`${where}: ${needle}`);
    }
  }
  return leaks;
}
