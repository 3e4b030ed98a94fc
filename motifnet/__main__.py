"""``python -m motifnet`` runs the CLI."""

import sys

from motifnet.cli import main

sys.exit(main())
