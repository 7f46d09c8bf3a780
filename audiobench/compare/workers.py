"""The driver's handle on a worker process (:mod:`audiobench.compare.worker`).

A worker is started with the tree it imports and the core it pins itself to; every call sends
one JSON line and waits for one back, within a timeout, so a worker that hangs or dies becomes a
:class:`WorkerError` naming the side and the end of its log instead of a stuck comparison.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
from pathlib import Path
from typing import IO, Any

WORKER_FILE = Path(__file__).resolve().with_name("worker.py")
CALL_TIMEOUT_S = 600.0
"""Preparing the quick suite's rows takes ~10 s; a batch ~15 ms. Ten minutes means stuck."""


class WorkerError(RuntimeError):
    """A worker failed, answered with an error, or stopped answering."""


class Worker:
    """A running worker: :meth:`call` sends a command and returns its answer."""

    def __init__(self, side: str, tree: Path, cpu: int | None, log: Path) -> None:
        self.side = side
        self.log_path = log
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log: IO[bytes] = log.open("wb")
        env = {**os.environ, "AUDIOBENCH_COMPARE_TREE": str(tree), "PYTHONPATH": str(tree)}
        env.pop("AUDIOBENCH_COMPARE_CPU", None)
        if cpu is not None:
            env["AUDIOBENCH_COMPARE_CPU"] = str(cpu)
        self.proc = subprocess.Popen(
            [sys.executable, "-P", str(WORKER_FILE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
            cwd=tree,
        )
        self._sel = selectors.DefaultSelector()
        assert self.proc.stdout is not None
        self._sel.register(self.proc.stdout, selectors.EVENT_READ)

    def _tail(self) -> str:
        self._log.flush()
        text = self.log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
        return "\n".join(text[-12:])

    def call(self, cmd: str, timeout: float = CALL_TIMEOUT_S, **args: Any) -> dict[str, Any]:
        """Send ``cmd`` with ``args``; the answer, or :class:`WorkerError`."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        try:
            self.proc.stdin.write((json.dumps({"cmd": cmd, **args}) + "\n").encode())
            self.proc.stdin.flush()
        except BrokenPipeError:
            raise WorkerError(f"{self.side} worker exited ({self.proc.poll()}):\n{self._tail()}") from None
        if not self._sel.select(timeout):
            self.close()
            raise WorkerError(f"{self.side} worker gave no answer to {cmd!r} in {timeout:g} s")
        line = self.proc.stdout.readline()
        if not line:
            code = self.proc.wait(timeout=10)
            raise WorkerError(f"{self.side} worker exited ({code}) during {cmd!r}:\n{self._tail()}")
        reply: dict[str, Any] = json.loads(line)
        if not reply.get("ok"):
            raise WorkerError(f"{self.side} worker: {cmd} failed: {reply.get('error')}\n{reply.get('traceback', '')}")
        return reply

    def close(self) -> None:
        """Ask the worker to quit, and make sure it has."""
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(b'{"cmd": "quit"}\n')
                self.proc.stdin.close()
                self.proc.wait(timeout=10)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()
        self._sel.close()
        self._log.close()
