"""Spec targets that follow the machine: enforced where the same run's limit probe shows the
machine can meet them, reported (saying why) where it cannot; and the run's interference
verdict in the gate's notes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from audiobench import targets
from audiobench.gate.checks import absolute_checks, interference_notes
from audiobench.gate.inputs import Loaded
from audiobench.verdict import Outcome

TARGETS = Path(__file__).resolve().parents[1] / "benchmarks" / "targets.toml"

MACHINE_RULE = 'machine_limit = "limit:memcpy"\nmachine_margin = 0.7\n'


def _rule(extra: str) -> str:
    """The committed targets with convert-spec's machine rule replaced by ``extra``."""
    text = TARGETS.read_text(encoding="utf-8")
    assert MACHINE_RULE in text
    return text.replace(MACHINE_RULE, extra + "\n" if extra else "")


def _targets(tmp_path: Path, extra: str) -> targets.Targets:
    path = tmp_path / "targets.toml"
    path.write_text(_rule(extra), encoding="utf-8")
    return targets.load(path)


def _row(name: str, kind: str, median: float, ci: tuple[float, float]) -> dict[str, Any]:
    return {"row": name, "kind": kind, "unit": "µs per 1M samples", "unit_median": median, "unit_ci": list(ci)}


def _run(memcpy: tuple[float, float, float] | None, direct: float = 120.0) -> Loaded:
    rows = [_row("rust-direct", "tier", direct, (direct - 2, direct + 2))]
    if memcpy is not None:
        rows.append(_row("limit:memcpy", "limit", memcpy[0], (memcpy[1], memcpy[2])))
    case = {"op": "convert", "variant": "f32_i16", "size": "1M", "rows": rows, "ratios": []}
    return Loaded(Path("run.json"), {"cases": [case]})


def test_the_committed_convert_target_follows_the_machine() -> None:
    t = next(a for a in targets.load(TARGETS).absolute if a.name == "convert-spec")
    assert t.enforce and t.machine_limit == "limit:memcpy" and 0 < t.machine_margin < 1
    assert t.tiers == ("rust-direct",)


def test_enforced_where_the_probe_shows_the_machine_can(tmp_path: Path) -> None:
    t = _targets(tmp_path, 'machine_limit = "limit:memcpy"\nmachine_margin = 0.75')
    f = absolute_checks(_run((60.0, 59.0, 61.0)), t)
    (check,) = [c for c in f.checks if c.name == "convert-spec"]
    assert check.enforce and check.outcome is Outcome.FAIL
    assert "enforced: this machine's limit:memcpy 60" in check.notes[0]
    assert any("follows the machine: enforced on 1 of 1" in n for n in f.notes)


@pytest.mark.parametrize(
    ("memcpy", "why"),
    [
        ((90.0, 88.0, 92.0), "is not below 75"),
        ((74.0, 72.0, 76.0), "is not below 75"),  # the whole CI must be below
        (None, "no limit:memcpy probe"),
    ],
)
def test_reported_not_enforced_where_it_cannot(
    tmp_path: Path, memcpy: tuple[float, float, float] | None, why: str
) -> None:
    t = _targets(tmp_path, 'machine_limit = "limit:memcpy"\nmachine_margin = 0.75')
    (check,) = [c for c in absolute_checks(_run(memcpy), t).checks if c.name == "convert-spec"]
    assert not check.enforce and check.outcome is Outcome.FAIL
    assert why in check.notes[0] and check.notes[0].startswith("not enforced")


def test_a_target_without_a_machine_limit_is_enforced_as_written(tmp_path: Path) -> None:
    checks = absolute_checks(_run((200.0, 190.0, 210.0)), _targets(tmp_path, "")).checks
    (check,) = [c for c in checks if c.name == "convert-spec"]
    assert check.enforce and check.notes == []


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('machine_limit = "limit:bogus"', "expected one of limit:memcpy, limit:read"),
        ("machine_margin = 0.5", "needs machine_limit"),
        ('machine_limit = "limit:read"\nmachine_margin = 1.5', "out of range"),
        ('machine_limit = "limit:read"\nmachine_margin = 0', "out of range"),
    ],
)
def test_bad_machine_rules_are_refused_naming_the_key(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(targets.TargetsError, match=message):
        _targets(tmp_path, extra)


def test_only_a_time_target_can_follow_a_limit_probe(tmp_path: Path) -> None:
    path = tmp_path / "targets.toml"
    text = _rule('machine_limit = "limit:memcpy"').replace(
        'sizes = ["1M"]\ntiers = ["rust-direct"]\nmax = 100.0', 'sizes = ["1M"]\ntiers = ["rust-direct"]\nmin = 100.0'
    )
    assert "min = 100.0" in text
    path.write_text(text, encoding="utf-8")
    with pytest.raises(targets.TargetsError, match="only a max target"):
        targets.load(path)


def test_a_suspect_run_is_named_in_the_gate_notes() -> None:
    clean = Loaded(Path("r.json"), {"interference": {"verdict": "clean", "reasons": []}})
    assert interference_notes(clean) == []
    suspect = {"verdict": "suspect", "reasons": ["vad/default 1s: rust-fast interleaved/solo 1.3"]}
    (note,) = interference_notes(Loaded(Path("r.json"), {"interference": suspect}))
    assert "suspect (1 finding(s))" in note and "rust-fast interleaved/solo 1.3" in note
