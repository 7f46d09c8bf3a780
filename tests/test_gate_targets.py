"""benchmarks/targets.toml: the committed file is valid, and a broken one is refused naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from audiobench.targets import DEFAULT_PATH, TargetsError, load


def test_committed_targets_load_with_a_reason_everywhere() -> None:
    t = load()
    assert t.absolute and t.speedup
    assert all(e.reason.strip() for e in (*t.absolute, *t.speedup))
    assert t.wall_time.reason and t.counters.reason and t.remeasure.reason
    assert all(tol.reason for tol in t.counters.tolerances.values())
    spec = {a.name: a for a in t.absolute}
    # the spec targets are required of the Rust fast path; the convert one where the machine can
    assert spec["resample-spec"].tiers == ("rust-direct",) and spec["resample-spec"].enforce
    assert spec["vad-spec"].enforce and spec["convert-spec"].enforce
    assert spec["convert-spec"].machine_limit == "limit:memcpy" and not spec["convert-spec-reported"].enforce
    # wall time is enforced on the paired comparison; runs against earlier runs are history
    assert not t.wall_time.enforce_tiers and "rust-direct" in t.wall_time.report_tiers
    assert t.paired.enforce_tiers == ("rust-direct", "rust-fast") and t.paired.reason
    assert t.paired.decide_at < t.paired.threshold and t.paired.processes >= 2


def broken(tmp_path: Path, old: str, new: str) -> Path:
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    assert old in text
    p = tmp_path / "targets.toml"
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('name = "vad-spec"\n', 'name = "vad-spec"\nenfroce = false\n', "absolute[2] (vad-spec).enfroce: unknown key"),
        ("max = 50.0\n", 'max = "fast"\n', "(vad-spec).max: expected a number"),
        ('tiers = ["rust-direct"]\nmax = 50.0', 'tiers = ["rust-direct", "rust-turbo"]\nmax = 50.0', "'rust-turbo'"),
        ('op = "vad"\ntiers', 'op = "vda"\ntiers', "unknown operation 'vda'"),
        ('sizes = ["1M"]', 'sizes = ["2M"]', "convert-spec).sizes: unknown '2M'"),
        ("alpha = 0.01", "alpha = 0.7", "regression.wall_time.alpha"),
        ('normalize = "none"', 'normalize = "memcpy"', "regression.wall_time.normalize"),
        (
            "[regression.counters.allocs]\nrelative = 0.0\n",
            "[regression.counters.allocs]\n",
            "allocs.relative is missing",
        ),
        ("schema_version = 1", "schema_version = 2", "schema_version 2"),
        ("min_rounds = 12\nmax_rounds = 40", "min_rounds = 50\nmax_rounds = 40", "remeasure.max_rounds"),
        ("decide_at = 0.025", "decide_at = 0.05", "regression.paired.decide_at"),
        ("processes = 6", "processes = 0", "regression.paired.processes"),
        ('report_tiers = ["rust-json", "python-best"', 'report_tiers = ["rust-direct", "python-best"', "also in"),
        ('name = "vad-spec"\n', 'name = "resample-spec"\n', "'resample-spec' is used twice"),
    ],
)
def test_bad_targets_name_the_file_and_key(tmp_path: Path, old: str, new: str, message: str) -> None:
    p = broken(tmp_path, old, new)
    with pytest.raises(TargetsError) as e:
        load(p)
    assert str(p) in str(e.value) and message in str(e.value)


def test_missing_reason_and_unreadable_files_are_refused(tmp_path: Path) -> None:
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    start = text.index('reason = "Measured 12-28x')
    p = tmp_path / "targets.toml"
    p.write_text(text[:start] + text[text.index("\n", start) + 1 :], encoding="utf-8")
    with pytest.raises(TargetsError, match=r"vad-direct-vs-python\)\.reason is missing"):
        load(p)
    p.write_text("schema_version = [", encoding="utf-8")
    with pytest.raises(TargetsError, match="not valid TOML"):
        load(p)
    with pytest.raises(TargetsError, match="no such file"):
        load(tmp_path / "nope.toml")
