"""The report: every section from the tidy table built from real tool output, "not measured"
where a source is absent, and a clear refusal of a corrupt input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SECTIONS = (
    "## Should it move to Rust?",
    "## Spec target assessment",
    "## Speed-up targets and goals",
    "## Resample 44.1 → 16 kHz",
    "## Energy VAD on 30 ms frames",
    "## Sample-format conversion",
    "## base64 chunks into per-call buffers",
    "## VAD → resample → convert pipeline",
    "## Stage breakdown",
    "## Overhead attribution",
    "## Interference checks",
    "## Cross-tool agreement",
    "## Cold vs warm first call",
    "## History over commits (asv)",
    "## Recommendation per operation",
    "## Methodology and environment",
)


def report(data: Path, criterion: Path, asv: Path, out: Path) -> subprocess.CompletedProcess[str]:
    args = [
        "--data-dir",
        str(data),
        "--criterion-dir",
        str(criterion),
        "--asv-results",
        str(asv),
        "--out-dir",
        str(out),
    ]
    return subprocess.run(
        [sys.executable, "-m", "audiobench", "report", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    root = tmp_path_factory.mktemp("report")
    shutil.copytree(FIXTURES, root / "fixtures")
    out = root / "out"
    r = report(root / "fixtures" / "data", root / "fixtures" / "criterion", root / "fixtures" / "asv", out)
    return out, r


def test_every_section_is_filled_from_the_fixtures(rendered: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, r = rendered
    assert r.returncode == 0, r.stderr
    md = (out / "report.md").read_text()
    for title in SECTIONS:
        assert title in md, title
    assert [md.index(t) for t in SECTIONS[:2]] == sorted(md.index(t) for t in SECTIONS[:2])  # the answer first
    run = json.loads(next((FIXTURES / "data" / "runs").glob("*.json")).read_text())
    case = next(c for c in run["cases"] if (c["op"], c["variant"], c["size"]) == ("convert", "f32_i16", "1M"))
    direct = next(r for r in case["rows"] if r["row"] == "rust-direct")
    # The spec row carries the run file's own median and CI, formatted.
    in_spec = md[md.index("## Spec target assessment") :]
    spec = next(line for line in in_spec.splitlines() if line.startswith("| convert/f32_i16 1M | rust-direct |"))
    low, high = direct["unit_ci"]
    verdict = "✅ met" if high < 100 else ("❌ missed" if low > 100 else "⚠️")
    assert f"{direct['unit_median']:.1f}" in spec and verdict in spec, spec
    assert "| criterion |" in md.replace("| criterion | yes", "| criterion |")


def test_every_speedup_check_is_judged_on_the_runs_paired_ratio(
    rendered: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    from audiobench import targets

    out, _ = rendered
    md = (out / "report.md").read_text()
    part = md[md.index("## Speed-up targets and goals") : md.index("## Resample")]
    run = json.loads(next((FIXTURES / "data" / "runs").glob("*.json")).read_text())
    case = next(c for c in run["cases"] if (c["op"], c["variant"], c["size"]) == ("convert", "f32_i16", "1M"))
    ratio = next(r for r in case["ratios"] if (r["a"], r["b"]) == ("python", "rust-direct"))
    line = next(
        x for x in part.splitlines() if x.startswith("| convert-f32-i16-direct-vs-python | convert/f32_i16 1M |")
    )
    assert f"{ratio['median']:.2f}"[:3] in line and "rust-direct over python" in line, line
    met = "✅ met" if ratio["ci_low"] > 2.0 else ("❌ missed" if ratio["ci_high"] < 2.0 else "⚠️")
    assert met in line and "| yes |" in line, line
    # A goal that is not met stands with its reason from the targets file.
    for check in targets.load().speedup:
        if f"| {check.name} |" in part and ("❌" in part or "⚠️" in part):
            unmet = [x for x in part.splitlines() if x.startswith(f"| {check.name} |") and "✅" not in x]
            if unmet:
                assert f"`{check.name}`, not met on every case above (❌ or ⚠️): {check.reason}" in part, check.name


def test_the_streaming_section_has_one_subsection_per_work(
    rendered: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    out, _ = rendered
    md = (out / "report.md").read_text()
    part = md[md.index("## Streaming") :]
    part = part[: part.index("\n## ")]
    plain = part.index("### Streaming, decode + append: 40 ms chunks at 16 kHz")
    piped = part.index("### Streaming, + VAD per chunk, pipeline at call end: 40 ms chunks at 44.1 kHz")
    assert plain < piped  # the study's claim first
    assert "pipeline at call end p50 ms" in part[piped:] and "pipeline at call end" not in part[plain:piped]
    assert "~2,660 (estimated)" in part[plain:piped] and "~2,660" not in part[piped:]
    assert part.count("| server CPU per chunk µs | handler p50 µs |") == 2
    assert "stream-latency-cdf-40ms-pipeline-44100Hz.svg" in part


def test_html_is_self_contained_with_inline_figures(rendered: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = rendered
    page = (out / "report.html").read_text()
    assert page.startswith("<!doctype html>")
    assert page.count('<figure class="chart"') >= 3 and "<svg" in page
    body = page.split("<body>", 1)[1]
    assert "http://" not in body.replace("http://www.w3.org", "") and "https://" not in body
    assert "<script" not in body
    figures = sorted(p.name for p in (out / "figures").glob("*.svg"))
    md = (out / "report.md").read_text()
    for name in figures:
        assert f"](figures/{name})" in md


def test_absent_sources_say_not_measured(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    r = report(empty, empty / "criterion", empty / "asv", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    md = (tmp_path / "out" / "report.md").read_text()
    for title in SECTIONS:
        assert title in md
    assert md.count("not measured") >= 6
    assert not list((tmp_path / "out").glob("figures/*.svg"))


def test_pytest_benchmark_absent_is_named(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "f")
    (tmp_path / "f" / "data" / "pytest-benchmark.json").unlink()
    r = report(tmp_path / "f" / "data", tmp_path / "f" / "criterion", tmp_path / "f" / "asv", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    md = (tmp_path / "out" / "report.md").read_text()
    assert "Not measured: pytest-benchmark" in md
    assert "| pytest-benchmark | no |" in md


def test_corrupt_input_exits_2_naming_the_file(tmp_path: Path) -> None:
    runs = tmp_path / "data" / "runs"
    runs.mkdir(parents=True)
    bad = runs / "20260101T000000Z-abc.json"
    bad.write_text('{"schema": "audiobench.run/2", "cases": [')
    r = report(tmp_path / "data", tmp_path / "criterion", tmp_path / "asv", tmp_path / "out")
    assert r.returncode == 2
    assert str(bad) in r.stderr
    assert not (tmp_path / "out" / "report.md").exists()


def test_spec_targets_are_not_assessed_on_a_users_file(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES, tmp_path / "f")
    run_path = next((tmp_path / "f" / "data" / "runs").glob("*.json"))
    run = json.loads(run_path.read_text())
    for case in run["cases"]:
        case["source"] = "/home/me/speech.wav"
    run_path.write_text(json.dumps(run))
    r = report(tmp_path / "f" / "data", tmp_path / "f" / "criterion", tmp_path / "f" / "asv", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    md = (tmp_path / "out" / "report.md").read_text()
    assert "Spec targets: not assessed (the newest run measured a user's file)." in md
    assert "Not assessed: the newest run measured your audio (/home/me/speech.wav)" in md


def test_a_report_on_what_run_out_dir_wrote_reads_it_and_writes_nothing_there(tmp_path: Path) -> None:
    """``audiobench run --out-dir D`` then ``audiobench report --data-dir D``: D holds run files
    itself; the report reads them as the runs, mixes in no benches of this checkout, writes its
    table beside the report, leaves D as it was, and says the same the second time."""
    d = tmp_path / "runs"
    shutil.copytree(FIXTURES / "data" / "runs", d)
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    out = tmp_path / "report"
    cmd = [sys.executable, "-m", "audiobench", "report", "--data-dir", str(d), "--out-dir", str(out)]
    first = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr
    table = (out / "data" / "results.csv").read_bytes()
    md = (out / "report.md").read_text(encoding="utf-8")
    sources = {s["source"]: s for s in json.loads((out / "data" / "results.meta.json").read_text())["sources"]}
    assert sources["runner"]["found"] and not sources["criterion"]["found"] and not sources["asv"]["found"]
    assert {p.name: p.read_bytes() for p in d.iterdir()} == before
    second = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr
    assert (out / "data" / "results.csv").read_bytes() == table
    assert (out / "report.md").read_text(encoding="utf-8") == md


def test_a_tier_has_one_colour_in_every_figure(rendered: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    """Every legend entry naming a tier is drawn in that tier's colour, and no other series
    borrows a tier's colour, so a reader learns the palette once."""
    from audiobench.report.figures import TIER_COLOURS
    from tests.browser import tier_colour_problems

    out, r = rendered
    assert r.returncode == 0, r.stderr
    svgs = {p.name: p.read_text() for p in sorted((out / "figures").glob("*.svg"))}
    problems, seen = tier_colour_problems(svgs, TIER_COLOURS)
    assert not problems and seen > 0, problems


def test_the_palette_check_names_a_wrong_and_a_borrowed_colour() -> None:
    from tests.browser import tier_colour_problems

    legend = (
        '<g id="legend_1">\n   <g id="patch_1"><path style="fill: #111111"/></g>\n'
        '   <g id="text_1"><text>rust-direct</text></g>\n'
        '   <g id="line2d_1"><path style="fill: none; stroke: #222222"/></g>\n'
        '   <g id="text_2"><text>other</text></g>\n  </g>\n </g>'
    )
    problems, seen = tier_colour_problems({"a.svg": legend}, {"rust-direct": "#222222"})
    assert seen == 1 and problems == [
        "a.svg: rust-direct drawn in #111111, its colour is #222222",
        "a.svg: 'other' borrows a tier's colour #222222",
    ]


def test_the_simd_table_names_the_body_behind_each_kind_of_number(tmp_path: Path) -> None:
    from audiobench.collect import profiler
    from audiobench.report.method import simd_kernels

    name = "audiobench_core::direct::convert::f32_to_i16_dispatch"
    doc = json.loads(next((FIXTURES / "data" / "profiles").glob("*.json")).read_text())
    doc["simd_kernels"] = {"native": {name: "avx512"}, "callgrind": {name: "avx2+fma"}}
    (tmp_path / "20991231T000000Z-abcdef123456.json").write_text(json.dumps(doc))
    (tmp_path / "20991101T000000Z-abcdef123456.json").write_text(json.dumps({**doc, "simd_kernels": {}}))
    context = profiler.collect(tmp_path).context  # the newest of the two files
    assert context["file"] == "20991231T000000Z-abcdef123456.json"
    table = simd_kernels({"rust": {"simd_kernels": {name: "avx512"}}}, context)
    assert table is not None
    assert table.rows == [["direct::convert::f32_to_i16_dispatch", "avx512", "avx512", "avx2+fma"]]
    # Older files recorded no per-kernel bodies: the table is left out, not filled with dashes.
    assert simd_kernels({}, {}) is None
