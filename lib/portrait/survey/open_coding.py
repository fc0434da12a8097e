"""Open-ended answers: a code frame matched on word families, and theme proposals (TF-IDF + NMF) for the
answers no code caught.

A pattern word matches its family: the word as written, its lemma (simplemma) and its Snowball stem
(snowballstemmer: en, ru; Snowball has no Ukrainian stemmer, so Ukrainian words match as written or by lemma).
Stems one letter apart also match ("taste" -> tast, "tasty" -> tasti), so derived words are caught too.
Per code, `OpenCoding.matched_words` shows which words did the coding and `OpenCoding.warnings` names the
over-broad ones: stop words (the `stop-words` package's lists) and single words carrying a large share.

An answer may carry several codes. The language of each answer is told by its letters, or by
simplemma's detection when the letters are shared (see `language_of`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import simplemma
import snowballstemmer
import stop_words as stop_word_lists
from pydantic import BaseModel, ConfigDict, Field

from portrait.config import yamlconfig
from portrait.errors import CodebookError

WORD = re.compile(r"[^\W\d_]+(?:['’ʼ-][^\W\d_]+)*")

# Snowball algorithms by language code; a language missing here (uk) matches as written or by lemma only.
SNOWBALL = {"en": "english", "ru": "russian", "de": "german", "fr": "french", "es": "spanish", "it": "italian",
            "pl": "polish", "nl": "dutch", "pt": "portuguese"}

# Stems this close count as one family: "tast"/"tasti" (taste, tasty), "вкус"/"вкусн" (вкус, вкусный). A shorter
# stem would let three-letter words swallow unrelated ones; a longer tail would let "cost" catch "costume".
FAMILY_MIN_STEM = 4
FAMILY_MAX_TAIL = 1

# One word that codes a fifth of all answers is more often a common word than a topic: a code's frequency then
# mostly measures that word, so its answers need a look before the share is reported (see OpenCoding.warnings).
BROAD_WORD_SHARE = 0.20


class Code(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    label: str
    patterns: dict[str, list[str]] = Field(description="language -> words or phrases, matched as word families")


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


@lru_cache(maxsize=None)
def _stemmer(language: str):
    return snowballstemmer.stemmer(SNOWBALL[language]) if language in SNOWBALL else None


@lru_cache(maxsize=200_000)
def _stem(word: str, language: str) -> str | None:
    stemmer = _stemmer(language)
    return stemmer.stemWord(word) if stemmer else None


@lru_cache(maxsize=None)
def stop_words(language: str) -> frozenset[str]:
    """The `stop-words` package's list for a language (shipped inside the package); empty when it has none."""
    try:
        return frozenset(w.casefold() for w in stop_word_lists.get_stop_words(language))
    except stop_word_lists.StopWordError:
        return frozenset()


def is_stop_word(word: str, language: str) -> bool:
    """A stop word as written or by its lemma ("has" is listed through "have")."""
    listed = stop_words(language)
    return word.casefold() in listed or _lemma(word.casefold(), language) in listed


def lemmas(text: str, language: str) -> list[str]:
    return [_lemma(w.casefold(), language) for w in WORD.findall(text)]


@dataclass(frozen=True)
class WordForms:
    """A word as written (case-folded), its lemma and its stems (of the word and of its lemma; none without a
    stemmer for the language)."""

    written: str
    lemma: str
    stems: frozenset[str]


@lru_cache(maxsize=200_000)
def word_forms(word: str, language: str) -> WordForms:
    written = word.casefold()
    lemma = _lemma(written, language)
    stems = frozenset(s for s in (_stem(written, language), _stem(lemma, language)) if s)
    return WordForms(written, lemma, stems)


def tokens(text: str, language: str) -> list[WordForms]:
    return [word_forms(w, language) for w in WORD.findall(text)]


def _related_stems(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return short == long or (len(short) >= FAMILY_MIN_STEM and len(long) - len(short) <= FAMILY_MAX_TAIL
                             and long.startswith(short))


@lru_cache(maxsize=500_000)
def same_family(word: WordForms, pattern: WordForms) -> bool:
    """The word is the pattern word as written, by lemma, or by a stem of its family."""
    if word.written in (pattern.written, pattern.lemma) or word.lemma in (pattern.written, pattern.lemma):
        return True
    return any(_related_stems(a, b) for a in word.stems for b in pattern.stems)


@lru_cache(maxsize=200_000)
def family_keys(word: WordForms) -> frozenset[str]:
    """Keys two words of one family always share (the first FAMILY_MIN_STEM letters of a stem, or the word and
    its lemma): where a pattern can start is looked up by them before `same_family` is asked."""
    return frozenset({s[:FAMILY_MIN_STEM] for s in word.stems} | {word.written, word.lemma})


def compile_pattern(pattern: str, language: str) -> list[WordForms]:
    """Each word of a pattern with the forms it accepts: itself, its lemma and its stem family.

    Itself too, because lemmatising a word that is already a dictionary form can change it
    (Russian "дорогой", expensive, lemmatises to "дорога", road).
    """
    return [word_forms(w, language) for w in WORD.findall(pattern)]


def key_positions(words: list[WordForms]) -> dict[str, list[int]]:
    """Family key -> positions of the words carrying it: a text's index for `find_all`."""
    positions: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        for key in family_keys(word):
            positions.setdefault(key, []).append(i)
    return positions


def find_all(words: list[WordForms], pattern: list[WordForms],
             positions: dict[str, list[int]] | None = None) -> list[int]:
    """Starts of every place where the pattern's words follow each other in `words` (`positions`: the words'
    `key_positions`, built here when not given)."""
    n = len(pattern)
    if not n:
        return []
    positions = key_positions(words) if positions is None else positions
    starts = sorted({i for key in family_keys(pattern[0]) for i in positions.get(key, ())})
    return [i for i in starts if i + n <= len(words) and all(same_family(words[i + k], p) for k, p in enumerate(pattern))]


def find(words: list[WordForms], pattern: list[WordForms], positions: dict[str, list[int]] | None = None) -> int:
    """Start of the first place where the pattern's words follow each other, or -1."""
    starts = find_all(words, pattern, positions)
    return starts[0] if starts else -1


MATCH_COLUMNS = ["answer", "code", "language", "pattern", "word"]


@dataclass
class OpenCoding:
    """0/1 per answer and code, the language of each answer, the frequency table, and what matched: one row
    per answer, code and matched word (`matches`: answer index, code, language, pattern, word as lemmas)."""

    codes: pd.DataFrame
    language: pd.Series
    answered: pd.Series
    labels: dict[str, str]
    matches: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MATCH_COLUMNS))

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

    def matched_words(self, top: int | None = None) -> pd.DataFrame:
        """Per code, the words (lemmas; phrases for phrase patterns) that coded its answers, most answers first.

        `answers`: answers of the code in which the word matched; `% of code`: their share of the code's answers
        (an answer that matched two words counts for both, so a code's shares add up to 100 % or more);
        `sole answers`: answers only this word coded, those the code would lose without it; `% of all answers`:
        share of every answer; `stop word`: every word of it is a stop word of its language. `top` keeps each
        code's first rows.
        """
        columns = {"code": "string", "label": "string", "word": "string", "patterns": "string", "answers": "int64",
                   "% of code": "float64", "sole answers": "int64", "% of all answers": "float64",
                   "stop word": "bool"}
        matches = self.matches
        if matches.empty:
            return pd.DataFrame({c: pd.Series(dtype=t) for c, t in columns.items()})
        n_answered = int(self.answered.sum())
        per_answer = matches.drop_duplicates(["answer", "code", "word"])
        words_in_answer = per_answer.groupby(["answer", "code"])["word"].transform("size")
        per_answer = per_answer.assign(sole=words_in_answer.eq(1),
                                       stop=[all(is_stop_word(w, lang) for w in word.split())
                                             for word, lang in zip(per_answer["word"], per_answer["language"])])
        rules = (matches.assign(rule=matches["language"] + ": " + matches["pattern"])
                 .groupby(["code", "word"])["rule"].agg(lambda r: ", ".join(sorted(set(r)))))
        rows = []
        for (code, word), hits in per_answer.groupby(["code", "word"], sort=False):
            code_answers_n = int(self.codes[code].sum())
            rows.append({"code": code, "label": self.labels[code], "word": word, "patterns": rules[(code, word)],
                         "answers": len(hits), "% of code": round(100 * len(hits) / code_answers_n, 1),
                         "sole answers": int(hits["sole"].sum()),
                         "% of all answers": round(100 * len(hits) / n_answered, 1), "stop word": bool(hits["stop"].all())})
        table = pd.DataFrame(rows)
        order = {c: i for i, c in enumerate(self.codes.columns)}
        table = (table.assign(_order=table["code"].map(order))
                 .sort_values(["_order", "answers", "word"], ascending=[True, False, True], kind="stable")
                 .drop(columns="_order"))
        if top is not None:
            table = table.groupby("code", sort=False).head(top)
        return table.reset_index(drop=True).astype(columns)

    @property
    def warnings(self) -> list[str]:
        """Plain sentences on over-broad patterns: a stop word that codes answers, and a single word that codes
        BROAD_WORD_SHARE or more of all answers."""
        table = self.matched_words()
        n_answered = int(self.answered.sum())
        out = []
        for row in table.to_dict("records"):
            code = f"Code `{row['code']}` ({row['label']})"
            if row["stop word"]:
                out.append(f"{code}: '{row['word']}' is a stop word and codes {row['answers']} of its "
                           f"{int(self.codes[row['code']].sum())} answers ({row['% of code']} %; "
                           f"{row['% of all answers']} % of all answers), pattern {row['patterns']}. "
                           f"Check these answers: a longer phrase or a rarer word is safer.")
            if row["answers"] >= BROAD_WORD_SHARE * n_answered:
                out.append(f"{code}: '{row['word']}' by itself codes {row['% of all answers']} % of all "
                           f"answers ({row['answers']} of {n_answered}; warned from {BROAD_WORD_SHARE * 100:.0f} %), "
                           f"pattern {row['patterns']}. Check that it means the code in these answers.")
        return out


def code_answers(answers: pd.Series, frame: CodeFrame, languages: tuple[str, ...] = ("en", "uk", "ru")) -> OpenCoding:
    answered = answers.notna() & answers.astype("string").str.strip().ne("")
    language = answers.where(answered).map(lambda t: language_of(t, languages), na_action="ignore")
    patterns = {code.code: {lang: [(p, compile_pattern(p, lang)) for p in phrases]
                            for lang, phrases in code.patterns.items()} for code in frame.codes}
    result = pd.DataFrame(0, index=answers.index, columns=[c.code for c in frame.codes], dtype="int64")
    matches = []
    for index in answers.index[answered]:
        lang = language[index]
        words = tokens(answers[index], lang)
        positions = key_positions(words)
        for code, by_language in patterns.items():
            for pattern, compiled in by_language.get(lang, []):
                for start in find_all(words, compiled, positions):
                    word = " ".join(w.lemma for w in words[start:start + len(compiled)])
                    matches.append((index, code, lang, pattern, word))
                    result.loc[index, code] = 1
    return OpenCoding(result, language, answered, {c.code: c.label for c in frame.codes},
                      pd.DataFrame(matches, columns=MATCH_COLUMNS))


def propose_themes(answers: pd.Series, languages: pd.Series, n_themes: int = 4, top_terms: int = 8,
                   examples: int = 3, seed: int = 0) -> pd.DataFrame:
    """Candidate themes among `answers` (e.g. the uncoded ones): top lemmas and most typical answers.

    Lemmatised TF-IDF + NMF (scikit-learn) without the language's stop words; deterministic for a given seed.
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = answers.dropna()
    none = pd.DataFrame({"theme": pd.Series(dtype="int64"), "top terms": pd.Series(dtype="string"),
                         "answers": pd.Series(dtype="int64"), "examples": pd.Series(dtype="string")})
    if len(texts) < n_themes * 2:
        return none
    # Masking placeholders such as [name] say nothing about a theme.
    texts_plain = texts.str.replace(r"\[(?:name|email|phone|card)\]", " ", regex=True)
    # Stop words ("have", "with", "that") would lead every theme; one- and two-letter leftovers say nothing.
    docs = [" ".join(w.lemma for w in tokens(t, languages[i])
                     if len(w.lemma) > 2 and not is_stop_word(w.written, languages[i]))
            for i, t in texts_plain.items()]
    # Documents are already lemma strings; split on spaces only so "п'яти" stays one word.
    tfidf = TfidfVectorizer(min_df=2, max_df=0.5, sublinear_tf=True, token_pattern=r"\S+")
    try:
        matrix = tfidf.fit_transform(docs)
    except ValueError:  # no word left in two answers or more once stop words are out: nothing shared to group
        return none
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
