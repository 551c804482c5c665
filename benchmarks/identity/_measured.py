"""Run the labwarden CLI in this process and append its peak RSS (KiB) to a file."""

import resource
import sys

from labwarden.cli.app import main

if __name__ == "__main__":
    out = sys.argv.pop(1)
    try:
        main()
    finally:
        with open(out, "a") as handle:
            handle.write(f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\n")
