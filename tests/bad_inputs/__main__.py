"""`python -m bad_inputs` from tests/ (the site-packages of a dependency already holds a package `tests`,
so `python -m tests.bad_inputs` cannot find this one): the same as summary.py."""

import sys

from bad_inputs.summary import main

sys.exit(main(sys.argv[1:]))
