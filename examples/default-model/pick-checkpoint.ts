/**
 * The checkpoint an export script starts from: the run's newest, or with `--pick best` its best by the run's
 * own validation metric (the newest when none was recorded).
 */
import { join } from 'node:path';
import { createFileCheckpointStore } from 'tfjs-colorization/node';

/** Which checkpoint of a run to export. */
export type CheckpointPick = 'newest' | 'best';

/** Read `--pick` as typed. */
export function parsePick(text: string): CheckpointPick {
  if (text !== 'newest' && text !== 'best') throw new Error(`--pick: expected newest or best, received ${text}`);
  return text;
}

/** Load the picked checkpoint of the run folder `run` (its `checkpoints/`). */
export async function loadPickedCheckpoint(run: string, pick: CheckpointPick) {
  const store = createFileCheckpointStore({ directory: join(run, 'checkpoints') });
  const record = pick === 'best' ? ((await store.loadBest()) ?? (await store.loadLatest())) : await store.loadLatest();
  if (!record) throw new Error(`no checkpoint in ${run}/checkpoints`);
  return record;
}
