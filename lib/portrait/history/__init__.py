"""Run history: what each run of a study left (run records, snapshots), the comparison with an earlier run,
and the identity of segments and personas from run to run."""
