"""``python -m simulator`` runs the cssim command line.

Ctrl-C while the command line loads ends as it does later: "interrupted" on stderr and
exit code 130, no traceback.
"""

import os
import sys

try:
    from simulator.cli import main
except KeyboardInterrupt:
    sys.stderr.write("interrupted\n")
    sys.stderr.flush()
    os._exit(130)  # not sys.exit: see simulator.cli._exit_interrupted

main()
