"""``python -m motifnet.cli``: the ``motifnet`` command without its console script."""

import sys

from motifnet.cli import main

sys.exit(main())
