import pino, { type Logger } from 'pino';

/** JSON logs on stdout. Callers log identifiers and states only: no request bodies, no keys. */
export function createLogger(name: string, level: string): Logger {
  return pino({ name, level, redact: { paths: ['*.verificationData', '*.walletSigningKeyData', '*.d'], remove: true } });
}
