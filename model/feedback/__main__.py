"""python -m model.feedback export DATA_DIR OUT.npz: the corrections as training data
(`export --redis REDIS_URL OUT.npz` for replicas that share them in Redis)."""

import argparse
import sys
from pathlib import Path

from model.feedback.export import export


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m model.feedback",
                                     description="What users taught the bot.")
    commands = parser.add_subparsers(dest="command", required=True)
    out = commands.add_parser("export", help="write the corrected pictures and their labels"
                              " for python -m model.training.train --extra")
    out.add_argument("data_dir", type=Path, nargs="?", help="the bot's DATA_DIR")
    out.add_argument("out", type=Path, help="the .npz file to write")
    out.add_argument("--redis", metavar="REDIS_URL", help="the replicas' Redis instead")
    args = parser.parse_args(argv)
    if args.data_dir is None and not args.redis:
        parser.error("give the bot's DATA_DIR, or --redis REDIS_URL")
    try:
        print(export(args.data_dir, args.out, args.redis))
    except FileNotFoundError as problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
