import { defineErrors } from '../../core/index.ts';

/** Every code this plugin answers with, its status and its meaning. */
export const portsErrors = defineErrors({
  PORTS_UNAVAILABLE: { status: 502, meaning: '`ss` (iproute2) is not installed on the server.' },
  PORTS_ERROR: { status: 502, meaning: '`ss` failed on the server; the detail has its message.' },
});
