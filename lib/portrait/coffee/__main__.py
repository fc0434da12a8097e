"""`python -m portrait.coffee [FOLDER] [--seed N]`: build the coffee study (default data/raw/coffee)."""

from __future__ import annotations

import argparse
from pathlib import Path

from portrait.coffee import DEFAULT_SEED, build_study, truth_dir


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m portrait.coffee", description=__doc__)
    parser.add_argument("folder", nargs="?", default="data/raw/coffee", type=Path)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args()
    folder = build_study(args.folder, args.seed)
    print(f"wrote {folder} (truth in {truth_dir(folder)})")


if __name__ == "__main__":
    main()
