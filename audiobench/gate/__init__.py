"""The CI gate: spec targets, minimum speed-ups and regressions, judged with their uncertainty.

``targets`` loads ``benchmarks/targets.toml``; ``verdict`` holds the pure pass / fail /
inconclusive rules; ``inputs`` reads run and profile files; ``checks`` applies targets to a run;
``counters`` compares deterministic counts with ``benchmarks/baselines/counters.json``;
``remeasure`` adds rounds to inconclusive cases; ``summary`` renders Markdown or JSON; ``cli``
is the ``audiobench gate`` command (:func:`audiobench.gate.cli.register`).
"""
