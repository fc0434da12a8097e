"""Auto-coding measured on text the codebook was not written from.

The demo's transcripts are spoken from `interview_bank_independent` (paraphrases, negations, typos,
uk/ru code-switching, rambling turns, codes implied without their usual words, code-free turns),
labelled with what each phrase truly expresses; the codebook's patterns were written from the other
bank. These tests check that independence, then measure the auto-coder against the truth per turn
and code. Print the per-code table with `pytest -s tests/test_interview_bank_independent.py`.
"""

import pandas as pd
import pytest

from portrait import Study
from portrait.demo import interview_bank as source_bank
from portrait.demo import interview_bank_independent as bank
from portrait.collect.transcripts import read_transcripts
from portrait.interviews import agreement
from portrait.interviews.autocoding import autocode
from portrait.interviews.qual_codebook import load_qual_codebook
from portrait.survey.open_coding import WORD

from conftest import DEMO, TRUTH
from test_qual_codebook import DEMO_BOOK

BOOK = load_qual_codebook(DEMO_BOOK)
CODES = [c.code for c in BOOK.codes]


def _single_turns(texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"document": [f"p{i}" for i in range(len(texts))], "turn": 1, "role": "respondent",
                         "text": texts})


def _contains_literally(text: str, pattern: str) -> bool:
    """The pattern's words, in their written form, side by side in the text."""
    words, wanted = [w.casefold() for w in WORD.findall(text)], [w.casefold() for w in WORD.findall(pattern)]
    return any(words[i:i + len(wanted)] == wanted for i in range(len(words) - len(wanted) + 1))


def test_every_label_is_a_codebook_code_and_every_code_is_spoken_in_each_language():
    assert set(bank.THEMES) == set(bank.EVERYDAY) == set(CODES)
    for code in CODES:
        for lang in ("en", "uk", "ru"):
            assert len(bank.phrases(code, lang)) >= 5, (code, lang)
    labels = {c for _, phrase in bank.every_phrase() for c in phrase.codes}
    assert labels <= set(CODES)
    for lang, items in bank.NEGATED.items():
        assert items and all(n.decoy in CODES and n.decoy not in n.codes for n in items), lang
    # A sentence is filed once, so it carries one set of labels wherever the generator uses it.
    texts = [phrase.text for _, phrase in bank.every_phrase()]
    assert len(texts) == len(set(texts))


def test_phrases_are_not_the_codebook_patterns():
    """Independence: no phrase is a pattern; for most codes, most phrases hold none of their code's
    patterns literally; and the code's patterns (on lemmas) find well under all of its phrases.

    Measured: 18.4% of the 522 coded phrases hold one of their code's patterns literally (under half
    for 28 of 29 codes); the auto-coder finds the phrase's own code in 28.9% of them, against 93.3% of
    the 435 sentences of the bank the codebook was written from.
    """
    patterns = {c.code: {lang: p for lang, p in c.patterns.items()} for c in BOOK.codes}
    every_pattern = {p.casefold() for c in BOOK.codes for ps in c.patterns.values() for p in ps}
    coded = [(lang, code, phrase) for code in CODES for lang in ("en", "uk", "ru")
             for phrase in bank.phrases(code, lang)]
    assert not any(phrase.text.casefold().strip(" .!?") in every_pattern for _, _, phrase in coded)
    literal = pd.DataFrame([{"code": code, "literal": any(_contains_literally(phrase.text, p)
                                                          for p in patterns[code][lang])}
                            for lang, code, phrase in coded]).groupby("code")["literal"].mean()
    assert (literal < 0.5).mean() > 0.5, literal.sort_values().to_string()
    assert literal.mean() < 0.35, literal.sort_values().to_string()
    # The same question on lemmas, as the auto-coder matches: the share of phrases their own code finds.
    found = autocode(_single_turns([phrase.text for _, _, phrase in coded]), BOOK)
    hits = set(zip(found["document"], found["code"]))
    own = sum((f"p{i}", code) in hits for i, (_, code, _) in enumerate(coded)) / len(coded)
    assert own < 0.45, own
    # The bank the codebook was written from is found almost always: the contrast the test rests on.
    source = [(code, s) for code, theme in source_bank.THEMES.items() for lang in ("en", "uk", "ru")
              for s in theme[lang]]
    found = autocode(_single_turns([s for _, s in source]), BOOK)
    hits = set(zip(found["document"], found["code"]))
    assert sum((f"p{i}", code) in hits for i, (code, _) in enumerate(source)) / len(source) > own + 0.3


def demo_turns() -> tuple[pd.DataFrame, pd.DataFrame]:
    """(respondent and interviewer turns read from the demo's raw transcripts, the generator's truth).

    Read from the raw transcripts as step 01 reads them, so the figures follow the generator even when
    a checkout's processed tables are older than its demo.
    """
    source = Study.load(DEMO).config.sources.transcripts
    turns, _ = read_transcripts(DEMO / "interviews", source.interviewer_labels, source.encoding)
    return turns, pd.read_csv(TRUTH / "interview_turns.csv")


def recovery_table(turns: pd.DataFrame, truth: pd.DataFrame) -> pd.DataFrame:
    """Per code: support (turns truly carrying it), predicted turns, precision, recall, F1; then the
    macro average over codes and, last, the micro figures over every (turn, code) decision."""
    respondent = turns[turns["role"] == "respondent"]
    # The transcripts and the truth must describe the same turns, or the figures mean nothing.
    joined = respondent.merge(truth, on=["document", "turn"], how="left", suffixes=("", "_truth"))
    assert len(joined) == (truth["role"] == "respondent").sum() and (joined["role_truth"] == "respondent").all()
    reference = truth.dropna(subset=["codes"]).assign(code=lambda t: t["codes"].str.split(";")).explode("code")
    predicted = autocode(turns, BOOK)
    table = agreement.precision_recall(predicted, reference[["document", "turn", "code"]],
                                       respondent[["document", "turn"]], CODES)
    hits = set(zip(predicted["document"], predicted["turn"], predicted["code"]))
    true = set(zip(reference["document"], reference["turn"], reference["code"]))
    tp = len(hits & true)
    micro = {"code": "(micro)", "reference": len(true), "predicted": len(hits), "precision": round(tp / len(hits), 3),
             "recall": round(tp / len(true), 3), "f1": round(2 * tp / (len(hits) + len(true)), 3)}
    return pd.concat([table, pd.DataFrame([micro])], ignore_index=True).rename(columns={"reference": "support"})


@pytest.fixture(scope="module")
def demo(demo_study):
    turns, truth = demo_turns()
    return turns, truth, recovery_table(turns, truth)


def test_auto_coding_recovers_what_respondents_truly_said(demo):
    """Measured on the demo (seed 20261125, 36 interviews, respondents speaking from the independent
    bank; 280 true (turn, code) pairs): macro precision 0.654, recall 0.359, F1 0.412; micro precision
    0.476, recall 0.357, F1 0.408 (the macro precision leaves out slow_delivery, which nothing predicted).
    The thresholds sit a little below, so the test fails if the auto-coder or the codebook gets
    materially worse; raise them when either improves. Weak codes stay in the table: a keyword
    codebook misses paraphrase and implication, and negated sentences get the code they deny.
    """
    table = demo[2]
    with pd.option_context("display.width", 200, "display.max_rows", 100):
        print("\n" + table.to_string(index=False))
    rows = table.set_index("code")
    codes = table[~table["code"].str.startswith("(")]
    assert codes["support"].sum() > 250 and (codes["support"] > 0).all()
    assert rows.loc["(macro average)", "precision"] >= 0.60, rows
    assert rows.loc["(macro average)", "recall"] >= 0.32, rows
    assert rows.loc["(macro average)", "f1"] >= 0.37, rows
    assert rows.loc["(micro)", "f1"] >= 0.37, rows


def test_the_transcripts_hold_the_hard_cases(demo):
    """Code-free respondent turns and negated sentences reach the transcripts, not only the bank."""
    turns, truth, _ = demo
    respondent = truth[truth["role"] == "respondent"]
    assert respondent["codes"].isna().sum() >= respondent["document"].nunique()  # the introductions at least
    said = " ".join(turns.loc[turns["role"] == "respondent", "text"])
    denials = [n.text for items in bank.NEGATED.values() for n in items]
    assert sum(d in said for d in denials) >= 10
