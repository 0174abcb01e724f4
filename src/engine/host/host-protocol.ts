/**
 * Messages between the Electron main process and the engine host (utilityProcess parentPort).
 * Both sides parse what they receive: the channel is internal, but a bad message must be a no-op,
 * never a crash.
 */
import { z } from 'zod';

/** Main → host. `connect` carries exactly one MessagePort, the host's end of a renderer channel. */
export const HostCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('millrace:connect') }),
  z.object({ type: z.literal('millrace:shutdown') }),
]);
export type HostCommand = z.infer<typeof HostCommandSchema>;

/** Host → main. */
export const HostReportSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('millrace:ready') }),
  z.object({ type: z.literal('millrace:failed'), message: z.string().max(4000) }),
]);
export type HostReport = z.infer<typeof HostReportSchema>;

/** argv flag that carries the data folder to the host. */
export const DATA_DIR_FLAG = '--data-dir=';

export function dataDirFromArgv(argv: readonly string[]): string | undefined {
  const arg = argv.find((a) => a.startsWith(DATA_DIR_FLAG));
  const value = arg?.slice(DATA_DIR_FLAG.length);
  return value ? value : undefined;
}
