"""The quote bank: for each code, the most representative respondent quotes, with their source.

A quote is the sentence of the turn that holds the match (neighbouring sentences are added while
they fit), cut at a word boundary to `max_chars`. Names, e-mails, phones and card numbers are
masked again here, so a quote never carries them even if a transcript slipped past step 01.

A match with a negation beside it in its clause ("not expensive at all", "trends don't interest me")
is never a quote for that code: the turn may deny the code it was coded with. The guard is a
word-window rule, so it also drops some true evidence that is worded negatively ("doesn't fit me").
"""

from __future__ import annotations

import re

import pandas as pd

from portrait.collect.privacy import mask_text
from portrait.survey.open_coding import WORD

SENTENCE = re.compile(r"(?<=[.!?…])\s+")
CLAUSE_END = re.compile(r"[.!?…;:,—–()]")
# Words that deny what stands next to them, per language (English "-n't" forms are found by ending).
NEGATION_CUES = {
    "en": {"not", "no", "never", "nothing", "none", "nobody", "hardly", "neither", "nor", "cannot"},
    "uk": {"не", "ні", "ніколи", "ніде", "ніщо", "нічого", "ніхто", "ніякий", "ніяк", "жоден", "жодного",
           "жодних", "немає", "нема"},
    "ru": {"не", "нет", "нету", "ни", "никогда", "нигде", "ничто", "ничего", "никто", "никакой", "никак",
           "нисколько", "ничуть"},
}
_CUES = set().union(*NEGATION_CUES.values())
WORDS_BEFORE, WORDS_AFTER = 4, 3


def _is_cue(word: str) -> bool:
    word = word.casefold().replace("’", "'")
    return word in _CUES or word.endswith("n't")


def negated(text: str, matched: str, before: int = WORDS_BEFORE, after: int = WORDS_AFTER) -> bool:
    """Whether a negation cue stands within `before` words before `matched` or `after` words after it,
    in the same clause (commas and sentence ends bound the window)."""
    if not isinstance(text, str) or not matched:
        return False
    at = text.find(matched)
    if at < 0:
        return False
    start = max((m.end() for m in CLAUSE_END.finditer(text, 0, at)), default=0)
    end_match = CLAUSE_END.search(text, at + len(matched))
    end = end_match.start() if end_match else len(text)
    window = WORD.findall(text[start:at])[-before:] + WORD.findall(text[at + len(matched):end])[:after]
    return any(_is_cue(w) for w in window)


def excerpt(text: str, matched: str, max_chars: int) -> str:
    """The sentence containing `matched`, widened while it fits, never longer than `max_chars`."""
    sentences = SENTENCE.split(text.strip())
    hit = next((i for i, s in enumerate(sentences) if matched and matched in s), 0)
    quote = sentences[hit]
    left, right = hit - 1, hit + 1
    while True:
        grown = False
        if right < len(sentences) and len(quote) + 1 + len(sentences[right]) <= max_chars:
            quote, right, grown = f"{quote} {sentences[right]}", right + 1, True
        if left >= 0 and len(quote) + 1 + len(sentences[left]) <= max_chars:
            quote, left, grown = f"{sentences[left]} {quote}", left - 1, True
        if not grown:
            break
    if len(quote) > max_chars:
        quote = quote[: max_chars - 1].rsplit(" ", 1)[0] + "…"
    return quote


def quote_bank(codings: pd.DataFrame, turns: pd.DataFrame, per_code: int = 3, max_chars: int = 200,
               names: list[str] = ()) -> pd.DataFrame:
    """Up to `per_code` quotes per code, one per participant, shortest complete ones first.

    Representative = the turn states the code (a pattern matched) in few words: short turns are
    more quotable and less likely to mix several themes. A negated match is never a quote.
    """
    joined = codings.merge(turns[["document", "turn", "text", "start"]], on=["document", "turn"], how="left")
    joined = joined[[not negated(t, m) for t, m in zip(joined["text"], joined["matched"])]]
    joined["quote"] = [mask_text(excerpt(t, m, max_chars), names) for t, m in zip(joined["text"], joined["matched"])]
    joined["codes_in_turn"] = joined.groupby(["document", "turn"])["code"].transform("count")
    joined["length"] = joined["quote"].str.len()
    ranked = joined.sort_values(["code", "codes_in_turn", "length", "document", "turn"])
    # One quote per participant, and never the same words twice under one code.
    best = ranked.drop_duplicates(["code", "document"]).drop_duplicates(["code", "quote"])
    best = best.groupby("code", sort=False).head(per_code)
    return best[["code", "quote", "document", "turn", "start"]].reset_index(drop=True)
