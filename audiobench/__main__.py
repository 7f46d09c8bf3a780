"""``python -m audiobench`` is the ``audiobench`` command."""

from audiobench.cli import main

raise SystemExit(main())
