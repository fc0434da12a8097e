"""The quote bank: for each code, the most representative respondent quotes, with their source.

A quote is the sentence of the turn that holds the match (neighbouring sentences are added while
they fit), cut at a word boundary to `max_chars`. Names, e-mails, phones and card numbers are
masked again here, so a quote never carries them even if a transcript slipped past step 01.

A match with a negation beside it in its sentence ("not expensive at all", "trends don't interest me")
is never a quote for that code: the turn may deny the code it was coded with. The guard is a
word-window rule, so it also drops some true evidence worded negatively ("they never let me down",
"doesn't fit me") and misses a denial further away than its window.
"""

from __future__ import annotations

import re

import pandas as pd

from portrait.collect.privacy import mask_text
from portrait.survey.open_coding import WORD

SENTENCE = re.compile(r"(?<=[.!?…])\s+")
SENTENCE_END = re.compile(r"[.!?…;:]")
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


def _is_cue(words: list[re.Match], i: int, text: str) -> bool:
    """Whether the i-th word of a sentence negates. A cue opening the sentence before a comma ("No, it
    is far too much for me", "Та ні, …") answers the question and denies nothing after it."""
    word = words[i].group().casefold().replace("’", "'")
    answer = i < 2 and text[words[i].end():words[i].end() + 1] == ","
    return (word in _CUES or word.endswith("n't")) and not answer


def negated(text: str, matched: str, before: int = WORDS_BEFORE, after: int = WORDS_AFTER) -> bool:
    """Whether a negation cue stands within `before` words before `matched` or `after` words after it,
    in the same sentence ("I wouldn't say the price bothers me", "Тренди мене не цікавлять")."""
    if not isinstance(text, str) or not matched:
        return False
    at = text.find(matched)
    if at < 0:
        return False
    start = max((m.end() for m in SENTENCE_END.finditer(text, 0, at)), default=0)
    end_match = SENTENCE_END.search(text, at + len(matched))
    end = end_match.start() if end_match else len(text)
    words = list(WORD.finditer(text, start, end))
    first = next((i for i, w in enumerate(words) if w.start() >= at), None)
    if first is None:
        return False
    last = max((i for i, w in enumerate(words) if w.end() <= at + len(matched)), default=first)
    window = [*range(max(first - before, 0), first), *range(last + 1, min(last + 1 + after, len(words)))]
    return any(_is_cue(words, i, text) for i in window)


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
