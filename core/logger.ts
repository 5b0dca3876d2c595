import { pino, stdSerializers, type Logger, type DestinationStream } from 'pino';
import type { Redact } from './redact.ts';

export type { Logger };

/** Keys whose values never reach the log, at the top level or one or two levels down. */
const SECRET_KEYS = ['password', 'token', 'secret', 'authorization', 'cookie', 'privateKey', 'passphrase', 'apiKey'];
const REDACT = SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `req.headers["${k}"]`, `res.headers["set-cookie"]`]);

/**
 * JSON lines on stdout. Secrets are kept out twice: by key (above), and by value, when
 * `redact` is given, in messages and errors (a library that quotes a URL with its password).
 */
export function createLogger(level: string, destination?: DestinationStream, redact?: Redact): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: [...new Set(REDACT)], censor: '[redacted]' },
      ...(redact && {
        serializers: {
          err: (err: Error) => {
            const out = stdSerializers.err(err);
            return { ...out, message: redact(out.message), stack: out.stack && redact(out.stack) };
          },
        },
        hooks: {
          logMethod(args, method) {
            method.apply(this, args.map((a) => (typeof a === 'string' ? redact(a) : a)) as Parameters<typeof method>);
          },
        },
      }),
    },
    destination,
  );
}
