"""The interleaved runner behind ``audiobench run``: plan → warm-up → calibrate → rounds → run file."""

from audiobench.runner.execute import SUITES, Settings, execute, run_and_save
from audiobench.runner.plan import CasePlan, PlanError, build_plan

__all__ = ["SUITES", "CasePlan", "PlanError", "Settings", "build_plan", "execute", "run_and_save"]
