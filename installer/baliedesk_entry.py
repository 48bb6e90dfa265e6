"""The frozen program's entry point: ``baliedesk COMMAND ...`` as ``python -m baliedesk COMMAND ...``.

Code that starts another BalieDesk process does so as ``sys.executable -m baliedesk ...``
(the demo's hall screen, the benchmarks). In the frozen build ``sys.executable`` is this
program, so a leading ``-m baliedesk`` is dropped and the rest runs as usual.
"""

import multiprocessing
import sys

# ``server --processes N`` starts its worker processes with multiprocessing's spawn:
# in the frozen build they are this program again, which this hands to multiprocessing.
multiprocessing.freeze_support()

if sys.argv[1:3] == ["-m", "baliedesk"]:
    del sys.argv[1:3]

from baliedesk.cli import main  # noqa: E402

raise SystemExit(main())
