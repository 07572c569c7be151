"""Entry point for `python -m lagesbild`."""
import sys

from .cli import main

sys.exit(main())
