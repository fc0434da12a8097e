"""Open-ended answers: a code frame matched on lemmatised text (simplemma), and theme proposals
(TF-IDF + NMF) for the answers no code caught.

An answer may carry several codes. The language of each answer is told by its letters, or by
simplemma's detection when the letters are shared (see `language_of`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import simplemma
from pydantic import BaseModel, ConfigDict, Field

from portrait.config import yamlconfig
from portrait.errors import CodebookError

WORD = re.compile(r"[^\W\d_]+(?:['’ʼ-][^\W\d_]+)*")


class Code(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    label: str
    patterns: dict[str, list[str]] = Field(description="language -> words or phrases, matched as lemmas")


class CodeFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")
    question: str = Field(description="coded variable (open question id) the frame applies to")
    codes: list[Code] = Field(min_length=1)


def load_code_frame(path: str | Path) -> CodeFrame:
    path = Path(path)
    return yamlconfig.load(path, CodeFrame, CodebookError, "code frame")


def language_of(text: str, languages: tuple[str, ...] = ("en", "uk", "ru")) -> str:
    """Letters decide when they can (і ї є ґ are Ukrainian, ы э ъ ё Russian); otherwise simplemma's
    dictionary-based detection between the Cyrillic languages of the study."""
    cyrillic = [lang for lang in ("uk", "ru") if lang in languages]
    if not re.search(r"[а-яА-ЯіїєґІЇЄҐёЁ]", text) or not cyrillic:
        return "en" if "en" in languages else languages[0]
    if len(cyrillic) == 1:
        return cyrillic[0]
    if re.search(r"[іїєґІЇЄҐ]", text):
        return "uk"
    if re.search(r"[ыэъёЫЭЪЁ]", text):
        return "ru"
    best = simplemma.langdetect(text, lang=tuple(cyrillic))[0]
    return best[0] if best[0] in cyrillic else cyrillic[0]


@lru_cache(maxsize=200_000)
def _lemma(word: str, language: str) -> str:
    return simplemma.lemmatize(word, lang=language).casefold()


def lemmas(text: str, language: str) -> list[str]:
    return [_lemma(w.casefold(), language) for w in WORD.findall(text)]


def compile_pattern(pattern: str, language: str) -> list[set[str]]:
    """Each word of a pattern as the forms it accepts: itself and its lemma.

    Both, because lemmatising a word that is already a dictionary form can change it
    (Russian "дорогой", expensive, lemmatises to "дорога", road).
    """
    return [{w.casefold(), _lemma(w.casefold(), language)} for w in WORD.findall(pattern)]


def find(words: list[str], word_lemmas: list[str], pattern: list[set[str]]) -> int:
    """Start of the first place where the pattern's words follow each other, or -1."""
    n = len(pattern)
    for i in range(len(words) - n + 1):
        if all(words[i + k].casefold() in forms or word_lemmas[i + k] in forms for k, forms in enumerate(pattern)):
            return i
    return -1


@dataclass
class OpenCoding:
    """0/1 per answer and code, the language of each answer, and the frequency table."""

    codes: pd.DataFrame
    language: pd.Series
    answered: pd.Series
    labels: dict[str, str]

    @property
    def uncoded(self) -> pd.Series:
        return self.answered & ~self.codes.any(axis=1)

    def frequencies(self) -> pd.DataFrame:
        n = int(self.answered.sum())

        def share(count) -> float:  # no answer at all (a blank column): no share, not a division by zero
            return round(100 * count / n, 1) if n else float("nan")
        rows = [{"code": c, "label": self.labels[c], "answers": int(self.codes[c].sum()),
                 "% of answers": share(self.codes[c].sum())} for c in self.codes.columns]
        rows.append({"code": "(uncoded)", "label": "no code matched", "answers": int(self.uncoded.sum()),
                     "% of answers": share(self.uncoded.sum())})
        return pd.DataFrame(rows)

    def summary(self) -> pd.DataFrame:
        return self.frequencies()


def code_answers(answers: pd.Series, frame: CodeFrame, languages: tuple[str, ...] = ("en", "uk", "ru")) -> OpenCoding:
    answered = answers.notna() & answers.astype("string").str.strip().ne("")
    language = answers.where(answered).map(lambda t: language_of(t, languages), na_action="ignore")
    patterns = {code.code: {lang: [compile_pattern(p, lang) for p in phrases] for lang, phrases in code.patterns.items()}
                for code in frame.codes}
    result = pd.DataFrame(0, index=answers.index, columns=[c.code for c in frame.codes], dtype="int64")
    for index in answers.index[answered]:
        lang = language[index]
        words = WORD.findall(answers[index])
        word_lemmas = lemmas(answers[index], lang)
        for code, by_language in patterns.items():
            if any(find(words, word_lemmas, phrase) >= 0 for phrase in by_language.get(lang, []) if phrase):
                result.loc[index, code] = 1
    return OpenCoding(result, language, answered, {c.code: c.label for c in frame.codes})


def propose_themes(answers: pd.Series, languages: pd.Series, n_themes: int = 4, top_terms: int = 8,
                   examples: int = 3, seed: int = 0) -> pd.DataFrame:
    """Candidate themes among `answers` (e.g. the uncoded ones): top lemmas and most typical answers.

    Lemmatised TF-IDF + NMF (scikit-learn); deterministic for a given seed.
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = answers.dropna()
    if len(texts) < n_themes * 2:
        return pd.DataFrame({"theme": pd.Series(dtype="int64"), "top terms": pd.Series(dtype="string"),
                             "answers": pd.Series(dtype="int64"), "examples": pd.Series(dtype="string")})
    # Masking placeholders such as [name] say nothing about a theme.
    texts_plain = texts.str.replace(r"\[(?:name|email|phone|card)\]", " ", regex=True)
    docs = [" ".join(w for w in lemmas(t, languages[i]) if len(w) > 3) for i, t in texts_plain.items()]
    # Documents are already lemma strings; split on spaces only so "п'яти" stays one word.
    tfidf = TfidfVectorizer(min_df=2, max_df=0.5, sublinear_tf=True, token_pattern=r"\S+")
    matrix = tfidf.fit_transform(docs)
    model = NMF(n_components=n_themes, init="nndsvda", random_state=seed, max_iter=500)
    doc_topic = model.fit_transform(matrix)
    vocabulary = np.array(tfidf.get_feature_names_out())
    rows = []
    for k in range(n_themes):
        terms = vocabulary[np.argsort(model.components_[k])[::-1][:top_terms]]
        members = np.flatnonzero(doc_topic.argmax(axis=1) == k)
        ranked = texts.iloc[members[np.argsort(doc_topic[members, k])[::-1]]]
        rows.append({"theme": k + 1, "top terms": ", ".join(terms), "answers": len(members),
                     "examples": " | ".join(ranked.drop_duplicates().head(examples))})
    return pd.DataFrame(rows)
