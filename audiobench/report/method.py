"""Methodology and environment: where the numbers came from and how they were taken."""

from __future__ import annotations

from typing import Any

import pandas as pd

from audiobench.fmt import size_key
from audiobench.report.model import Para, Section, Table
from audiobench.report.query import runner_context, source_context


def _environment(env: dict[str, Any]) -> Table:
    cpu, rust, git = env.get("cpu", {}), env.get("rust", {}), env.get("git", {})
    packages = ", ".join(f"{k} {v}" for k, v in env.get("packages", {}).items())
    rows = [
        ["machine id", str(env.get("machine_id", "—"))],
        ["CPU", f"{cpu.get('model', '—')} ({cpu.get('logical_cores', '?')} logical cores)"],
        ["SIMD path taken", str(rust.get("simd_path", "—"))],
        ["OS", str(env.get("os", "—"))],
        ["Python", str(env.get("python", "—"))],
        ["Rust", f"{rust.get('rustc', '—')}, {rust.get('profile', '?')} profile, {rust.get('target', '?')}"],
        ["commit", f"{git.get('commit', '—')}{' (dirty tree)' if git.get('dirty') else ''}"],
        ["packages", packages or "—"],
    ]
    return Table(["fact", "value"], rows, title="Environment of the newest runner run")


def simd_kernels(env: dict[str, Any], profile: dict[str, Any]) -> Table | None:
    """Which SIMD body each dispatching kernel ran: in the runner's process (its wall times), in
    the profiler natively and under callgrind (its instruction counts, where valgrind runs no
    AVX-512, so counts from an AVX-512 CPU are the AVX2 bodies'). None when nothing recorded it."""
    runner = env.get("rust", {}).get("simd_kernels") or {}
    paths = profile.get("simd_kernels") or {}
    native, callgrind = paths.get("native") or {}, paths.get("callgrind") or {}
    names = sorted({*runner, *native, *callgrind})
    if not names:
        return None
    rows = [
        [name.removeprefix("audiobench_core::"), runner.get(name, "—"), native.get(name, "—"), callgrind.get(name, "—")]
        for name in names
    ]
    return Table(
        ["kernel", "runner (wall times)", "profiler, native", "profiler, callgrind (instruction counts)"],
        rows,
        title="SIMD body per kernel",
        note="Each kernel dispatches at run time to the widest body it has that the CPU runs "
        "(AUDIOBENCH_SIMD=avx2|baseline caps it); valgrind runs no AVX-512, so instruction counts come from "
        "the bodies in the callgrind column and wall times from the others. The counter gate compares counts "
        "only between profiles of the same SIMD capability and valgrind limit, and names a changed body.",
    )


def skipped(sources: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """(source, file, problem) of every input file the table was made without."""
    return [(str(s["source"]), str(k["path"]), str(k["problem"])) for s in sources for k in s.get("skipped", [])]


def skipped_inputs(sources: list[dict[str, Any]]) -> Table | Para:
    """The files left out of this report and why: a partial report must say what it is missing."""
    rows = skipped(sources)
    if not rows:
        return Para("Skipped inputs: none; every result file found was read.")
    return Table(
        ["source", "file", "problem"],
        [list(r) for r in rows],
        title="Skipped inputs",
        note="These files were left out (each is also warned about on stderr); the rest of their source is reported.",
    )


def section(df: pd.DataFrame, meta: dict[str, Any]) -> Section:
    """The methodology and environment section."""
    sec = Section("method", "Methodology and environment")
    runner = runner_context(meta)
    env = runner.get("environment")
    if env:
        sec.add(_environment(env))
    kernels = simd_kernels(env or {}, source_context(meta, "profiler"))
    if kernels is not None:
        sec.add(kernels)
    settings = runner.get("settings")
    if settings:
        boot = settings.get("bootstrap", {})
        sec.add(
            Para(
                f"Runner: rows interleaved in rounds (a new random order each round), {settings.get('min_rounds')}–"
                f"{settings.get('max_rounds')} rounds of ~{1e3 * settings.get('round_seconds', 0):g} ms per row; "
                f"the garbage collector {settings.get('gc', '')}; {settings.get('lead_call', '')}; "
                f"{settings.get('calibration', '')}. "
                f"CIs: {boot.get('method', '?')} bootstrap of the {boot.get('statistic', '?')}, "
                f"{boot.get('resamples', '?')} resamples, {boot.get('confidence', '?')} confidence; ratios "
                f"{settings.get('ratio', '')}."
            )
        )
    policy = runner.get("allocation_policy")
    if policy:
        sec.add(Para(f"Allocation policy: {policy}"))
    sources = meta.get("sources", [])
    sec.add(
        Table(
            ["source", "found", "files", "rows", "note"],
            [
                [
                    str(s["source"]),
                    "yes" if s.get("found") else "no",
                    str(s.get("files", 0)),
                    str(s.get("rows", 0)),
                    str(s.get("note", "")),
                ]
                for s in sources
            ],
            [False, False, True, True, False],
            title="Sources",
        )
    )
    sec.add(skipped_inputs(sources))
    sums = df.dropna(subset=["input_checksum"]).drop_duplicates(["operation", "variant", "size", "input_checksum"])
    rows = sorted(
        (
            [str(r.operation), str(r.variant), str(r.size), str(r.input_checksum), str(r.source)]
            for r in sums.itertuples()
        ),
        key=lambda r: (r[0], r[1], size_key(r[2]), r[4]),
    )
    sec.add(Table(["operation", "variant", "size", "input checksum", "source"], rows, title="Input checksums"))
    return sec
