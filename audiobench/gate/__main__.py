"""``python -m audiobench.gate [options]``: the ``audiobench gate`` command on its own."""

import sys

from audiobench.gate.cli import main

sys.exit(main())
