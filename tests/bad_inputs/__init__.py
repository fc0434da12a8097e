"""The permanent hostile-input corpus: bad (and good) inputs on a small base study, each with its expected outcome.

Layout: `base.py` builds the base study (and the hostile study of the pipeline cases) and has the recipe
helpers; `framework.py` holds `Case`, the observers, the leak scan and the summary table; each `cases_*.py`
exports `CASES`; `test_corpus.py` runs every case of every such module; `conftest.py` prints the table at
the end of the pytest run; `summary.py` runs the corpus without pytest and prints the same table.

To add a case, append to `CASES` in a `cases_*.py` module (a new module is picked up as it is):

    Case("amount inf", lambda folder: edit(folder / "tx.csv", ";900.50;", ";inf;"), "quarantined",
         quarantine("transactions"), must=(r"tx\\.csv row 2 \\[inf\\]: Amount: not a finite number",))
"""
