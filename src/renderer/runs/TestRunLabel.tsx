/** The "test" label of a test run (Run dialog of a change-trigger flow), in the runs list and on the run banner. */
export function TestRunLabel() {
  return (
    <span className="run-label" data-testid="run-test-label" title="A test run: started from the Run dialog with a sample or a recent row, not by a real change. Sinks set to skip on test runs wrote nothing.">
      test
    </span>
  );
}
