"""Throughput of interview auto-coding: 1,000 transcripts of about 5,000 words each.

Transcripts are assembled deterministically from the demo's phrase bank (all three languages).
The peer measured in the same run is a plain case-insensitive regular-expression search for the
same pattern words without lemmatisation: the floor of looking at every word at all.
Run: .venv/bin/python bench/bench_interview_coding.py [transcripts] [words]
"""

import sys
from pathlib import Path

from _measure import measure, report

ROOT = Path(__file__).resolve().parents[1]

SETUP = """
import numpy as np, pandas as pd
from portrait.demo import interview_bank as bank
from portrait.interviews import qual_codebook, autocoding
book = qual_codebook.load_qual_codebook("lib/portrait/demo/interview_codebook.yml")
rng = np.random.default_rng(0)
codes = sorted(bank.THEMES)
rows = []
for doc in range({docs}):
    lang = ("en", "uk", "ru")[doc % 3]
    words, turn = 0, 0
    while words < {words}:
        turn += 1
        sentences = [bank.theme_sentence(codes[int(rng.integers(0, len(codes)))], lang, int(rng.integers(0, 5)))
                     for _ in range(4)] + [bank.FILLERS[lang][int(rng.integers(0, 12))]]
        text = " ".join(sentences)
        rows.append((f"D{doc:04d}", turn, "respondent", text))
        words += len(text.split())
turns = pd.DataFrame(rows, columns=["document", "turn", "role", "text"])
"""

PORTRAIT = SETUP + """
segments = autocoding.autocode(turns, book)
"""

REGEX = SETUP + """
import re
patterns = {c.code: re.compile("|".join(re.escape(p) for ps in c.patterns.values() for p in ps), re.I)
            for c in book.codes}
hits = [(d, t, code) for d, t, text in zip(turns["document"], turns["turn"], turns["text"])
        for code, rx in patterns.items() if rx.search(text)]
"""


def main() -> None:
    docs = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    words = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    fill = lambda code: code.replace("{docs}", str(docs)).replace("{words}", str(words))  # noqa: E731
    rows = [(f"build {docs} transcripts x {words} words (setup)", measure(fill(SETUP), str(ROOT))),
            ("setup + portrait auto-coding (lemmas)", measure(fill(PORTRAIT), str(ROOT))),
            ("setup + plain regex search (no lemmas)", measure(fill(REGEX), str(ROOT)))]
    report(rows, rows[2][0])
    coding = rows[1][1]["seconds"] - rows[0][1]["seconds"]
    floor = rows[2][1]["seconds"] - rows[0][1]["seconds"]
    print(f"auto-coding alone: {coding:.1f} s ({docs * words / max(coding, 1e-9):,.0f} words/s); "
          f"regex alone: {floor:.1f} s (x{coding / max(floor, 1e-9):.1f})")


if __name__ == "__main__":
    main()
