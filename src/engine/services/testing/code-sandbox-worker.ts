/**
 * Runs one sandboxed snippet in its own process and prints the result as JSON: lets the guard
 * tests show that, without the interrupt handler, an endless loop really hangs (the parent kills it).
 * argv: <code> <"interrupt-off" | "normal">
 */
import { createCodeService } from '../code-sandbox';

const [code = 'return 1', mode = 'normal'] = process.argv.slice(2);
const sandbox = createCodeService(mode === 'interrupt-off' ? { unsafeDisable: { interrupt: true } } : {});
process.stdout.write('started\n');
const result = await sandbox.run({ code, language: 'javascript', globals: { $json: null, $node: {}, $trigger: null }, timeoutMs: 300, memoryBytes: 32 << 20 });
process.stdout.write(`${JSON.stringify(result)}\n`);
