/** The input limits (README, "Limits") for in-process callers of the engine (CLI, hosts), which bypass the rpc server's checks. */
import { EngineError } from '../../shared/api';
import { MAX_INPUT_BYTES, checkJsonLimits, describeLimitProblem } from '../../shared/limits';

export function assertInputWithinLimits(value: unknown, what: string): void {
  if (value === undefined) return;
  const problem = checkJsonLimits(value, { maxBytes: MAX_INPUT_BYTES });
  if (problem) throw new EngineError('invalid_argument', describeLimitProblem(what, problem));
}
