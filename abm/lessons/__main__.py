"""``python -m abm.lessons``: the same as ``abm lessons`` (kept as an alias)."""

import sys

from abm.lessons.cli import main

sys.exit(main())
