/** Usage text of `millrace pack` (kept apart so the command table loads without the pack code). */
import { DEMO_PG_SECRET } from '../../../shared/demo';

export const PACK_USAGE = `  millrace pack export FLOW_ID --out FILE [--data-dir DIR]                       the flow, its source changes, LLM answers and approval decisions in one file
  millrace pack play FILE [--data-dir DIR] [--pg-url URL] [--force] [--json]     replay a pack offline into a fresh data folder`;

export const PACK_DETAILS = [
  'Commands:',
  PACK_USAGE,
  '',
  'Options:',
  '  --data-dir DIR     export: the data folder to read; play: the folder to play into (default: $MILLRACE_DATA_DIR or ~/.millrace)',
  '  --out FILE         export: where to write the pack (e.g. demo.millrace)',
  `  --pg-url URL       play: the Postgres the flow's secret:${DEMO_PG_SECRET} connections use (sinks write there), for this play only`,
  '  --force            play: into a data folder that is not empty (the flow comes in as a copy if its id is taken)',
  '  --json             play: end with a one-line JSON summary',
  '',
  'A pack plays offline: LLM nodes answer from the pack\'s recordings (replay), the trigger is not',
  'activated, each change starts its run as the trigger did (same dedupe key, same run id) and',
  'recorded approval decisions are made again; requests without one stay in the inbox. Exit 0 when',
  'the pack played (failed runs are listed), 1 when it was refused, 2 on a usage error.',
].join('\n');

