import pino, { type Logger } from 'pino';

/**
 * Members whose values are secrets or personal data wherever they appear in a log object, at any
 * depth: credentials (bearer tokens, one-time codes, MACs), private JWK members (RFC 7518 §6.2.2,
 * §6.4), and the wallet's payloads. Matched by exact name (case-insensitive).
 */
export const redactedLogMembers: ReadonlySet<string> = new Set(
  [
    'authorization',
    'cookie',
    'token',
    'password',
    'secret',
    'code',
    'mac',
    'd',
    'p',
    'q',
    'dp',
    'dq',
    'qi',
    'k',
    'privateKeyPem',
    'verificationData',
    'walletSigningKeyData',
    'clientEncryptedPayload',
    'clientEncryptedData',
    'serverVerificationDataItem',
    'jwe',
  ].map((name) => name.toLowerCase()),
);
export const redactedMarker = '[redacted]';
/** Deeper than this a log object is cut: a log line is not where nested data belongs. */
const maxLogDepth = 8;

function redact(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Error) return value;
  if (depth >= maxLogDepth) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, member] of Object.entries(value)) out[key] = redactedLogMembers.has(key.toLowerCase()) ? redactedMarker : redact(member, depth + 1);
  return out;
}

/** JSON logs on stdout. Callers log identifiers and states only; secret members are redacted at any depth. */
export function createLogger(name: string, level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = { name, level, formatters: { log: (object) => redact(object, 0) as Record<string, unknown> } };
  return destination ? pino(options, destination) : pino(options);
}
