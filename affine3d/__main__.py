"""``python -m affine3d`` is the ``affine3d`` command."""

import sys

from .cli import main

sys.exit(main())
