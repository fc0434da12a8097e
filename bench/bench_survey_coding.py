"""Step 02 at two sizes: coding + weighting + 50 banner tables, for 2,000 and 200,000 respondents.

Respondents are resampled (with replacement, fixed seed) from the demo's step-01 table. The peer
measured in the same run is plain `pandas.crosstab` of the same 50 tables (no weights, no tests):
the floor of producing the numbers at all. Run: .venv/bin/python bench/bench_survey_coding.py
"""

from pathlib import Path

from _measure import measure, report

ROOT = Path(__file__).resolve().parents[1]

SETUP = """
import itertools, pandas as pd
from portrait import Study
from portrait.survey import banner, codebook, weighting
s = Study.load("data/raw/demo")
raw = s.read("respondents").sample({n}, replace=True, random_state=1).reset_index(drop=True)
book = codebook.load_codebook(s.raw_path(s.config.codebooks.survey))
questions = ["purpose", "frequency", "income", "style", "fashion_news", "buys_for_children", "education",
             "occupation", "home", "family_status"]
banners = ["gender", "age_group", "local_foreign", "brand_relationship", "city"]
pairs = list(itertools.product(questions, banners))[:50]
"""

CODING = SETUP + """
coded = codebook.apply(book, raw, raw["qf_incomplete"])
"""

PORTRAIT = CODING + """
role = s.config.roles.weighting  # the study's RIM targets and cap, as step 02 reads them
w = weighting.rake(coded.labelled_frame(list(role.targets)), role.targets, cap=role.cap, missing="unweighted").weights
tables = [banner.crosstab(coded.labelled(q), {b: coded.labelled(b)}, w) for q, b in pairs]
"""

PANDAS = CODING + """
tables = [pd.crosstab(coded.labelled(q), coded.labelled(b), normalize="columns") for q, b in pairs]
"""


def main() -> None:
    for n in (2_000, 200_000):
        size = str(n)
        rows = [
            (f"setup: read + resample (n={n:,})", measure(SETUP.replace("{n}", size), str(ROOT))),
            (f"setup + codebook (n={n:,})", measure(CODING.replace("{n}", size), str(ROOT))),
            (f"+ weighting + 50 banner tables (n={n:,})", measure(PORTRAIT.replace("{n}", size), str(ROOT))),
            (f"+ 50 pandas.crosstab instead (n={n:,})", measure(PANDAS.replace("{n}", size), str(ROOT))),
        ]
        report(rows, rows[3][0])
        tables = rows[2][1]["seconds"] - rows[1][1]["seconds"]
        floor = rows[3][1]["seconds"] - rows[1][1]["seconds"]
        print(f"weighting + banner tables alone: {tables:.2f} s; pandas.crosstab alone: {floor:.2f} s "
              f"(x{tables / max(floor, 1e-9):.1f})")
        print()


if __name__ == "__main__":
    main()
