import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

/** Keys whose values never reach the log, at the top level or one or two levels down. */
const SECRET_KEYS = ['password', 'token', 'secret', 'authorization', 'cookie', 'privateKey', 'passphrase', 'apiKey'];
const REDACT = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `req.headers["${k}"]`, `res.headers["set-cookie"]`]);

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, base: undefined, redact: { paths: [...new Set(REDACT)], censor: '[redacted]' } }, destination);
}
