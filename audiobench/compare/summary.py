"""A comparison as Markdown sized for a PR comment: the verdict, the enforced rows that need a
reader, the slowest changes, and the checks on the measurement itself."""

from __future__ import annotations

from audiobench.compare.judge import Judged, interference_flags, overall
from audiobench.documents.compare import CONFIDENCE, CompareDocument
from audiobench.fmt import duration as fmt_seconds
from audiobench.verdict import Outcome

MAX_ROWS = 15
HEADLINE = {
    "pass": "✅ PASS",
    "pass-with-warnings": "⚠️ PASS with warnings (inconclusive rows)",
    "fail": "❌ FAIL",
}
MARK = {Outcome.PASS: "pass", Outcome.FAIL: "**FAIL**", Outcome.INCONCLUSIVE: "inconclusive"}


def side(doc: CompareDocument, name: str) -> str:
    """``ref (commit)`` for BASE or HEAD, with ``+ changes`` for a dirty working tree."""
    s = getattr(doc, name)
    dirty = " + uncommitted changes" if s.dirty else ""
    return f"`{s.ref}` ({s.commit[:10]}{dirty})"


def _row(j: Judged) -> str:
    lo, hi = j.verdict.ci or (float("nan"), float("nan"))
    notes = f" — {'; '.join(j.notes)}" if j.notes else ""
    return (
        f"| {j.subject} | {fmt_seconds(j.base_median_s)} | {fmt_seconds(j.head_median_s)} | "
        f"{j.verdict.value:.3f} [{lo:.3f}, {hi:.3f}] | {MARK[j.verdict.outcome]}{notes} |"
    )


def markdown(
    docs: list[CompareDocument], judged: list[Judged], strict: bool = False, notes: list[str] | None = None
) -> str:
    """The summary of ``judged`` (from :func:`audiobench.compare.judge.judge` over ``docs``), with
    ``notes`` (e.g. what was re-measured) at the end."""
    doc = docs[0]
    result = overall(judged, strict)
    enforced = [j for j in judged if j.enforce]
    reported = [j for j in judged if not j.enforce]
    rounds = sorted({j.rounds for j in judged})
    span = f"{rounds[0]}" if len(rounds) == 1 else f"{rounds[0]}–{rounds[-1]}"
    threshold = enforced[0].verdict.threshold if enforced else (judged[0].verdict.threshold if judged else 1.0)
    level = f"{100 * float(doc.settings.get('confidence', CONFIDENCE)):g} %"
    lines = [
        f"### audiobench compare: {HEADLINE[result]}",
        "",
        f"BASE {side(doc, 'base')} vs HEAD {side(doc, 'head')}, {doc.suite} suite, "
        f"{span} paired rounds per row over {sum(len(d.settings.get('rounds_per_pair', [])) for d in docs)} "
        f"process pairs; HEAD/BASE > 1 is slower. A row fails when its whole {level} CI is above "
        f"{threshold:.3f}" + (" over the pairs of every file." if len(docs) > 1 else "."),
        "",
    ]
    counts = {o: sum(1 for j in enforced if j.verdict.outcome is o) for o in Outcome}
    lines.append(
        f"Enforced rows ({', '.join(sorted({j.key[3] for j in enforced})) or 'none'}): "
        f"{counts[Outcome.FAIL]} fail, {counts[Outcome.INCONCLUSIVE]} inconclusive, {counts[Outcome.PASS]} pass."
    )
    shown = sorted(enforced, key=lambda j: (j.verdict.outcome is Outcome.PASS, -j.verdict.value))[:MAX_ROWS]
    if shown:
        lines += ["", f"| case and row | BASE | HEAD | HEAD/BASE [{level} CI] | verdict |", "|---|---:|---:|---:|---|"]
        lines += [_row(j) for j in shown]
        if len(enforced) > len(shown):
            lines.append(f"\n… {len(enforced) - len(shown)} more enforced rows pass (`--format json` lists all).")
    if reported:
        worst = max(reported, key=lambda j: j.verdict.value)
        slower = sum(1 for j in reported if j.verdict.outcome is Outcome.FAIL)
        lines += [
            "",
            f"Reported only ({', '.join(sorted({j.key[3] for j in reported}))}): {slower} of {len(reported)} rows "
            f"beyond the threshold; the largest ratio {worst.verdict.value:.3f} ({worst.subject}).",
        ]
    flags = [f for d in docs for f in interference_flags(d)]
    steal = [d.interference.get("steal_fraction") for d in docs]
    steal_text = ", ".join(f"{100 * s:.1f} %" for s in steal if s is not None) or "not available"
    lines += [
        "",
        "Measurement: both builds pinned to one core and strictly alternated; "
        + ("**" + "; ".join(flags) + "**" if flags else "no worker used CPU while the other measured")
        + f"; VM steal time {steal_text}.",
    ]
    if any(d.skipped for d in docs):
        skipped = [s for d in docs for s in d.skipped]
        lines.append(f"Not compared: {len(skipped)} ({'; '.join(skipped[:3])}{' …' if len(skipped) > 3 else ''}).")
    if len(docs) > 1:
        lines.append(f"Judged over {len(docs)} files: {', '.join(d.compare_id for d in docs)}.")
    lines += [f"- {n}" for n in notes or []]
    return "\n".join(lines)
