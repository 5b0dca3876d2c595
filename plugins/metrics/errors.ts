import { defineErrors } from '../../core/index.ts';

/** Every code this plugin answers with, its status and its meaning. */
export const metricsErrors = defineErrors({
  METRICS_UNREADABLE: {
    status: 502,
    meaning: "The server's /proc, df or ps could not be read or understood; the detail says what failed.",
  },
});
