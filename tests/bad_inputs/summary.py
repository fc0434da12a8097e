"""Run the corpus without pytest and print its summary table (Markdown, to paste into an issue note).

    .venv/bin/python tests/bad_inputs/summary.py            # every case (about a minute)
    .venv/bin/python tests/bad_inputs/summary.py inf xlsx   # only cases whose module or name holds a word
"""

import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: import the corpus as the package pytest knows, `bad_inputs`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bad_inputs.framework import all_cases, run_case, table  # noqa: E402


def main(words: list[str]) -> int:
    chosen = [(m, c) for m, c in all_cases() if not words or any(w.casefold() in f"{m} {c.name}".casefold() for w in words)]
    with tempfile.TemporaryDirectory(prefix="bad-inputs-") as folder:
        results = [run_case(module, case, Path(folder) / f"case-{number:03d}")
                   for number, (module, case) in enumerate(chosen, start=1)]
    print(table(results))
    return 0 if all(r.passed for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
