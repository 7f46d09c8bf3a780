"""The registry covers every (operation, variant) at every tier, and only peers are unmatched."""

from __future__ import annotations

import json
import subprocess
import sys

from audiobench.catalogue import Catalogue
from audiobench.tiers import TIERS, Registry

PARALLEL_OPS = ("resample", "pipeline")
"""The operations with a multi-threaded tier: where splitting one call's output pays."""


def test_every_operation_variant_has_every_single_thread_tier(reg: Registry, catalogue: Catalogue) -> None:
    assert set(catalogue.tiers) == set(TIERS)
    parallel = [t for t in TIERS if t not in catalogue.single_thread_tiers]
    assert parallel == ["rust-direct-mt"]
    for name, op in catalogue.operations.items():
        for variant in op.variants:
            tiers = [impl.tier for impl in reg.entries(op=name, variant=variant)]
            wanted = [t for t in TIERS if t in catalogue.single_thread_tiers or name in PARALLEL_OPS]
            assert tiers == wanted, f"{name}/{variant}: {tiers}"


def test_counts(reg: Registry, catalogue: Catalogue) -> None:
    pairs = sum(len(op.variants) for op in catalogue.operations.values())
    parallel_pairs = sum(len(catalogue.operations[o].variants) for o in PARALLEL_OPS)
    assert len(list(reg.entries())) == pairs * len(catalogue.single_thread_tiers) + parallel_pairs


def test_registry_order_follows_the_catalogue(reg: Registry, catalogue: Catalogue) -> None:
    keys = [(i.op, i.variant, i.tier) for i in reg.entries()]
    expected = [(o, v, t) for o, op in catalogue.operations.items() for v in op.variants for t in catalogue.tiers]
    assert keys == [k for k in expected if k in set(keys)] and len(keys) == len(set(keys))


def test_peers_are_listed_but_never_matched(reg: Registry, catalogue: Catalogue) -> None:
    peers = [i for i in reg.entries(peers=True) if not i.matched]
    assert {p.tier for p in peers} == set(catalogue.peers)
    assert all(p.tier not in TIERS for p in peers)


def test_lookup_errors_name_the_missing_entry(reg: Registry) -> None:
    try:
        reg.get("convert", "f64_i8", "rust-direct")
    except KeyError as e:
        assert "f64_i8" in str(e)
    else:
        raise AssertionError("lookup of a missing entry succeeded")


def test_list_command_prints_the_registry(reg: Registry) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "audiobench", "list", "--format", "json"], capture_output=True, text=True, check=True
    ).stdout
    rows = json.loads(out)
    assert len([r for r in rows if r["matched"]]) == len(list(reg.entries()))
    assert {"op": "vad", "variant": "default", "tier": "webrtcvad"}.items() <= next(
        r for r in rows if r["tier"] == "webrtcvad"
    ).items()
    table = subprocess.run([sys.executable, "-m", "audiobench", "list"], capture_output=True, text=True, check=True)
    assert "rust-direct" in table.stdout and "not output-matched" in table.stdout
