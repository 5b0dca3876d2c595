import type { AppView } from '../deployer.ts';
import type { LogLine, RunRecord, RunStatus, Step } from '../runs.ts';

// The server's own types, so the panel cannot drift from what the API answers.
export type { AppView, LogLine, RunRecord, RunStatus, Step };

/** GET …/runs/:runId: the record and its log so far. */
export type RunWithLog = RunRecord & { log: LogLine[] };

/** What the socket sends once a run is watched. */
export type LineEvent = LogLine & { runId: string };
export type StepEvent = Step & { runId: string };
export interface StatusEvent {
  runId: string;
  status: RunStatus;
}

/** POST …/keys */
export interface DeployKey {
  publicKey: string;
  created: boolean;
  instructions: string;
}
