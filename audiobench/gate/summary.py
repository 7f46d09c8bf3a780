"""The gate's output: a Markdown summary small enough for a PR comment, or the full JSON.

Markdown lists only what needs a reader — failures, inconclusive checks, reported-only failures
(each table capped) — and counts the rest: passes per kind, skips grouped by reason. JSON holds
every check.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from audiobench.gate.checks import KIND_LABEL, KIND_ORDER, Check, Findings, ordered
from audiobench.verdict import Outcome

SCHEMA = "audiobench.gate/1"
MAX_ROWS = 12
MAX_ITEMS = 4
HEADLINE = {
    "pass": "✅ PASS",
    "pass-with-warnings": "⚠️ PASS with warnings (inconclusive or not comparable; `--strict` would fail)",
    "fail": "❌ FAIL",
}


@dataclass
class Context:
    """What the gate compared, for the summary's header."""

    result: str
    exit_code: int
    strict: bool
    run: dict[str, Any] | None
    """The run the spec, speed-up and history checks read (None when only the paired check ran)."""
    baseline: dict[str, Any] | None = None
    counters: dict[str, Any] = field(default_factory=dict)
    paired: dict[str, Any] = field(default_factory=dict)
    """The compare files judged, and their BASE and HEAD."""


def _check_label(c: Check) -> str:
    label = KIND_LABEL[c.kind]
    if c.kind in ("absolute", "speedup"):
        return f"{label} `{c.name}`"
    return label if c.kind in ("wall_time", "paired") else f"{label}: {c.name}"


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(checks: list[Check]) -> list[str]:
    lines = ["| check | subject | measured and why |", "|---|---|---|"]
    for c in checks[:MAX_ROWS]:
        why = c.verdict.reason + ("; " + "; ".join(c.notes) if c.notes else "")
        lines.append(f"| {_esc(_check_label(c))} | {_esc(c.subject)} | {_esc(why)} |")
    if len(checks) > MAX_ROWS:
        lines.append(f"\n… and {len(checks) - MAX_ROWS} more (`--format json` lists every check).")
    return lines


def counts(f: Findings) -> dict[str, Any]:
    """Checks per outcome, and skips, as numbers."""
    out: dict[str, Any] = {}
    for kind in KIND_ORDER:
        mine = [c for c in f.checks if c.kind == kind]
        enforced = Counter(str(c.outcome) for c in mine if c.enforce)
        reported = Counter(str(c.outcome) for c in mine if not c.enforce)
        skipped = sum(s.count for s in f.skips if s.kind == kind)
        out[kind] = {"enforced": dict(enforced), "reported": dict(reported), "skipped": skipped}
    return out


def markdown(ctx: Context, f: Findings) -> str:
    """The gate's summary as Markdown sized for a PR comment."""
    checks = ordered(f.checks)
    failed = [c for c in checks if c.enforce and c.outcome is Outcome.FAIL]
    doubtful = [c for c in checks if c.enforce and c.outcome is Outcome.INCONCLUSIVE]
    reported = [c for c in checks if not c.enforce and c.outcome is Outcome.FAIL]
    passed = Counter(c.kind for c in checks if c.outcome is Outcome.PASS)
    lines = [f"## audiobench gate: {HEADLINE[ctx.result]}", ""]
    parts = []
    if ctx.paired:
        b, h = ctx.paired["base"], ctx.paired["head"]
        dirty = " + uncommitted changes" if h.get("dirty") else ""
        parts.append(
            f"Paired: BASE `{b['ref']}` ({b['commit'][:10]}) vs HEAD `{h['ref']}` ({h['commit'][:10]}{dirty}) "
            f"in the same rounds, {', '.join(f'`{x}`' for x in ctx.paired['files'])}"
        )
    if (r := ctx.run) is not None:
        parts.append(
            f"Run `{r['run_id']}` ({r['suite']}, commit {str(r.get('commit'))[:12]}, SIMD {r.get('simd_path')})"
        )
    head = " · ".join(parts)
    if ctx.baseline:
        head += f" · history: earlier run `{ctx.baseline['run_id']}`"
    if ctx.counters:
        head += f" · counters: `{ctx.counters.get('current')}` vs `{ctx.counters.get('baseline')}`"
    lines += [head, ""]
    skipped = sum(s.count for s in f.skips)
    summary = [
        f"**{len(failed)} failed**",
        f"{len(doubtful)} inconclusive",
        f"{sum(passed.values())} passed",
        f"{len(reported)} reported-only failures",
        f"{skipped} skipped",
    ]
    lines += [" · ".join(summary) + (" (strict)" if ctx.strict else ""), ""]
    if failed:
        lines += ["### Failed", "", *_table(failed), ""]
    if doubtful:
        title = "fail under --strict" if ctx.strict else "pass with a warning; `--strict` fails them"
        lines += [f"### Inconclusive ({title})", "", *_table(doubtful), ""]
    if reported:
        lines += [
            "<details><summary>Reported, not enforced: "
            f"{len(reported)} failing (<code>enforce = false</code>, or beyond this machine)</summary>",
            "",
            *_table(reported),
            "",
            "</details>",
            "",
        ]
    if passed:
        lines.append("Passed: " + " · ".join(f"{KIND_LABEL[k]} {passed[k]}" for k in KIND_ORDER if passed[k]))
        lines.append("")
    if f.skips:
        lines.append("Skipped:")
        for s in f.skips:
            items = ", ".join(s.items[:MAX_ITEMS]) + (
                f" … +{len(s.items) - MAX_ITEMS}" if len(s.items) > MAX_ITEMS else ""
            )
            lines.append(f"- {KIND_LABEL[s.kind]}: {s.why} (×{s.count}{': ' + items if items else ''})")
        lines.append("")
    notes = list(f.notes)
    if notes:
        lines.append("Notes:")
        lines += [f"- {n}" for n in notes]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def as_json(ctx: Context, f: Findings) -> str:
    """The gate's findings as JSON."""
    doc = {
        "schema": SCHEMA,
        "result": ctx.result,
        "exit_code": ctx.exit_code,
        "strict": ctx.strict,
        "run": ctx.run,
        "baseline": ctx.baseline,
        "counters": ctx.counters,
        "paired": ctx.paired,
        "counts": counts(f),
        "checks": [c.as_dict() for c in ordered(f.checks)],
        "skipped": [s.as_dict() for s in f.skips],
        "notes": f.notes,
    }
    return json.dumps(doc, indent=2, allow_nan=False)
