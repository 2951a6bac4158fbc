"""``python -m exitanalysis`` is the ``exitanalysis`` command."""

import sys

from .cli import main

sys.exit(main())
