"""The CI gate: spec targets, minimum speed-ups and regressions, judged with their uncertainty.

``inputs`` reads run and profile files; ``checks`` applies ``benchmarks/targets.toml`` to a run
(spec targets, speed-ups, and wall time against an earlier run, for history); ``paired`` judges
wall time on a comparison of the baseline build and this one in the same rounds (measured with
:mod:`audiobench.compare`, or read from compare files); ``counters`` compares deterministic
counts with ``benchmarks/baselines/counters.json``; ``summary`` renders Markdown or JSON;
``trials`` measures the gate's own error rates; ``cli`` is the ``audiobench gate`` command
(:func:`audiobench.gate.cli.register`).
"""
