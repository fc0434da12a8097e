"""Every case of every `cases_*.py` module: damage a fresh base study, observe, compare, scan for leaks."""

import re

import pytest

from .framework import RESULTS, all_cases, run_case

CASES = all_cases()


@pytest.mark.parametrize("number, module, case", [(n, m, c) for n, (m, c) in enumerate(CASES, start=1)],
                         ids=[re.sub(r"\W+", "-", c.name).strip("-") for _, c in CASES])
def test_case(number, module, case, corpus_dir):
    # Folders are numbered: a case's name may hold a planted value the leak scan looks for.
    result = run_case(module, case, corpus_dir / f"case-{number:03d}")
    RESULTS.append(result)
    assert result.passed, result.why()


def test_the_leak_scan_reads_tables_archives_and_messages_but_not_inputs_or_images(tmp_path):
    import zipfile

    import pandas as pd

    from .framework import leak_scan

    out = tmp_path / "data" / "processed" / "x"
    out.mkdir(parents=True)
    pd.DataFrame({"name": ["Zlata Prokopovych"]}).to_parquet(out / "t.parquet")
    with zipfile.ZipFile(out / "book.xlsx", "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("xl/sheet1.xml", "<c>0509876543</c>")
    (out / "card.md").write_text("mail YARYNA.KOVALCHUK@example.com")  # any case
    (out / "page.html").write_text('<img src="data:image/png;base64,ostapOSTAP==">')  # image bytes, not text
    (tmp_path / "data" / "raw" / "x").mkdir(parents=True)
    (tmp_path / "data" / "raw" / "x" / "in.csv").write_text("Dziuba")  # the input itself
    leaks = leak_scan(tmp_path, {"the message": "card 2700000000005678"})
    assert sorted(leaks) == sorted(["'Zlata' in data/processed/x/t.parquet", "'Prokopovych' in data/processed/x/t.parquet",
                                    "'0509876543' in data/processed/x/book.xlsx",
                                    "'yaryna.kovalchuk@example.com' in data/processed/x/card.md",
                                    "'Yaryna' in data/processed/x/card.md", "'Kovalchuk' in data/processed/x/card.md",
                                    "'2700000000005678' in the message"])
