import { defineErrors } from 'aura/plugin';

/** Every code this plugin answers with, besides the core's (listed in README.md too). */
export const certificatesErrors = defineErrors({
  CERTIFICATE_INVALID: {
    status: 422,
    meaning: "A cert.pem is not a PEM X.509 certificate; it is shown as that entry's error, the list still answers.",
  },
  CERTIFICATE_UNREADABLE: {
    status: 502,
    meaning: "A folder's cert.pem could not be read (missing, not a folder); shown as that entry's error.",
  },
});
