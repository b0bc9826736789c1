"""Run a command and record its own peak RSS, not that of whoever started it.

Linux carries a process's peak RSS over fork and exec, so a command started by a big
benchmark process reports the benchmark's peak as its own. This launcher is a fresh,
small interpreter: it runs the command (stdin, stdout and stderr pass straight
through), writes the command's peak RSS in KiB to a file and exits with its code.

    python benchmarks/peak_rss.py RSS_FILE command [args...]
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path


def wrap(rss_file: Path, command: list[str]) -> list[str]:
    """The command line that runs ``command`` under this launcher."""
    return [sys.executable, str(Path(__file__).resolve()), str(rss_file), *command]


def peak_mib(rss_file: Path) -> int:
    return round(int(rss_file.read_text()) / 1024)


def main() -> None:
    rss_file, command = Path(sys.argv[1]), sys.argv[2:]
    code = subprocess.call(command)
    rss_file.write_text(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
    sys.exit(code)


if __name__ == "__main__":
    main()
