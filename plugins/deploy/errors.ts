import { defineErrors } from '../../core/index.ts';

/** Every code this plugin answers with, its status and its meaning. */
export const deployErrors = defineErrors({
  INVALID_APP_ID: { status: 400, meaning: 'An app id is malformed (lowercase letters, digits and dashes, at most 63).' },
  INVALID_COMMIT: { status: 400, meaning: 'A commit is not 7 to 40 hex digits, or is not on the branch.' },
  INVALID_BRANCH: { status: 400, meaning: "A branch name fails git's own check (git check-ref-format --branch)." },
  UNSAFE_DIR: {
    status: 400,
    meaning: "An app's dir, symlinks resolved on its server, is not inside plugins.deploy.roots, or is missing.",
  },
  WEBHOOK_SIGNATURE_INVALID: {
    status: 401,
    meaning: "A webhook came without a valid X-Hub-Signature-256 for the app's secret.",
  },
  APP_NOT_FOUND: { status: 404, meaning: 'No app by that id is configured for that server.' },
  RUN_NOT_FOUND: { status: 404, meaning: 'No deploy run by that id on that server (it may have been pruned).' },
  WEBHOOK_DISABLED: { status: 404, meaning: 'The app has no webhook secret set, so it accepts no webhooks.' },
  DEPLOY_IN_PROGRESS: { status: 409, meaning: 'A deploy of that app is running; wait for it or cancel it.' },
  RUN_FINISHED: { status: 409, meaning: 'The run has ended already, so there is nothing to cancel.' },
  KEY_ERROR: { status: 502, meaning: 'The deploy key could not be made or read on the server; the detail says why.' },
  SHUTTING_DOWN: { status: 503, meaning: 'Aura is stopping.' },
});
