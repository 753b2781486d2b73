"""Run train.py, but die (os._exit, no clean-up: like SIGKILL) in the middle of saving checkpoint-N.

    python tests/helpers/crash_in_save.py N train.py-arguments...

The process dies after checkpoint-N.tmp is fully written and just before it is renamed: the last moment
of a save, and the one that leaves the most behind that a careless resume could mistake for a checkpoint.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))  # the repository root
import train  # noqa: E402

if __name__ == "__main__":
    target, args = f"checkpoint-{int(sys.argv[1]):06d}", sys.argv[2:]
    real_replace = os.replace

    def replace(src, dst):
        if os.path.basename(dst) == target and src.endswith(".tmp"):  # the save's rename, not a move aside
            os._exit(137)
        return real_replace(src, dst)
    train.os.replace = replace  # train.py's os is this os: patched for the whole process, matched by name
    train.main(args)
