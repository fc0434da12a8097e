"""Pseudonymisation: personal data becomes a keyed hash before anything is written.

The same person gets the same pseudonym in every source because values are normalised first
(e-mails lower-cased, phones reduced to international digits) and hashed with one study secret
(HMAC-SHA256). Without the secret a pseudonym cannot be reversed by hashing guesses.

Free text keeps no contact either: e-mails (also written `ivan at gmail dot com`), phones, card numbers and
IBANs are masked, and so are the names of known people in any inflected form (uk, ru, en: `Івана Петренка`,
`Ивановой`, `Ivan's` -> `[name]`) by a small rule set of case endings (see `name_forms`).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import re
from pathlib import Path
from typing import Iterable

import pandas as pd

from portrait.errors import PrivacyError

# Documented, public key for the bundled demo study only; real studies must set their own.
DEMO_SECRET = "portrait-demo-secret-not-for-real-data"

_NON_DIGIT = re.compile(r"\D+")
EMAIL_PATTERN = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Phone-like runs: optional + or bracket, then 9-15 digits possibly split by spaces, dots, dashes, brackets;
# not part of a date-time (10:00) or of a decimal number, but "тел.:067…" and "… 45 67: evenings" are phones.
PHONE_PATTERN = re.compile(r"(?:(?<![^\W\d_])\+|(?<![\w+])(?<!\d:))\(?\d(?:[\s().-]*\d){8,14}(?!\w)(?!:\d)(?![.,]\d)")
# Card numbers: 13-19 digits, grouped by spaces or dashes; not after "+" (an international phone) nor in a decimal.
CARD_PATTERN = re.compile(r"(?<![\d+])(?<!\d[.,])(?:\d[ -]?){12,18}\d(?!\d)(?![.,]\d)")
# E-mails written to dodge filters: "ivan dot petrenko at gmail dot com", "ivan[at]gmail.com", "ivan (at) mail (dot) ua".
_DOT = r"(?:\s*[\[({]\s*dot\s*[\])}]\s*|\s+dot\s+|\.)"
_AT = r"(?:\s*[\[({]\s*at\s*[\])}]\s*|\s+at\s+|\s*@\s*)"
OBFUSCATED_EMAIL_PATTERN = re.compile(
    rf"(?<![\w@])[\w+-]+(?:{_DOT}[\w+-]+)*{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}"
    r"(?:com|net|org|info|biz|io|eu|ua|ru|pl|de|uk|co|me|online|gov|edu)(?![\w])", re.IGNORECASE)
IBAN_PATTERN = re.compile(r"[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){11,30}")
# A whole cell that is a contact (the free-text patterns, matched on the whole cell), for the scan of
# columns nobody declared personal.
CELL_PATTERNS = {"email": (EMAIL_PATTERN, OBFUSCATED_EMAIL_PATTERN), "iban": (IBAN_PATTERN,),
                 "card": (CARD_PATTERN,), "phone": (PHONE_PATTERN,)}  # the order mask_text applies them in


def contact_kind(text: str) -> str | None:
    """The kind of contact a whole cell is (email, phone, card, iban), or None."""
    return next((kind for kind, patterns in CELL_PATTERNS.items() if any(p.fullmatch(text) for p in patterns)), None)


def load_secret(secret_env: str, secret_file: str | None, allow_demo_secret: bool) -> bytes:
    """The HMAC key: from the environment variable, else the key file, else (demo only) DEMO_SECRET."""
    value = os.environ.get(secret_env)
    if value:
        return value.encode("utf-8")
    if secret_file:
        path = Path(secret_file).expanduser()
        if not path.exists():
            raise PrivacyError(f"privacy.secret_file {path} does not exist; create it with a long random key.")
        return path.read_text(encoding="utf-8").strip().encode("utf-8")
    if allow_demo_secret:
        return DEMO_SECRET.encode("utf-8")
    raise PrivacyError(
        f"No pseudonymisation key: set the environment variable {secret_env} "
        "or `privacy.secret_file` in study.yml (a file outside the repository)."
    )


def normalise(value: object, kind: str) -> str | None:
    """Canonical text of a personal value, so one person matches across sources; None if blank."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    text = str(value).strip()
    if not text:
        return None
    if kind == "email":
        return text.lower()
    if kind == "phone":
        digits = _NON_DIGIT.sub("", text)
        if text.startswith("00"):
            digits = digits[2:]
        elif len(digits) == 10 and digits.startswith("0"):
            digits = "38" + digits  # Ukrainian national format 0XX XXX XX XX
        return digits or None
    if kind == "card":  # most card numbers are digits already: no regular expression for them
        return text if text.isascii() and text.isdigit() else _NON_DIGIT.sub("", text) or None
    return " ".join(text.casefold().split())


def pseudonym(value: object, kind: str, secret: bytes) -> str | None:
    """16-hex-digit keyed hash of the normalised value (None for blanks)."""
    canonical = normalise(value, kind)
    if canonical is None:
        return None
    # The kind is not mixed into the key so that a phone links to the same phone in any source.
    keyed = _keyed(secret).copy()  # the key's own hashing done once per secret: half the time per value
    keyed.update(canonical.encode("utf-8"))
    return keyed.hexdigest()[:16]


@functools.lru_cache(maxsize=4)
def _keyed(secret: bytes) -> hmac.HMAC:
    """HMAC-SHA256 keyed with `secret`, nothing hashed yet: each pseudonym continues a copy of it."""
    return hmac.new(secret, digestmod="sha256")


def key_columns(personal: dict[str, str]) -> dict[str, str]:
    """Name of the pseudonym column replacing each personal column: `<kind>_key`, `<kind>_key_2` …"""
    names, used = {}, {}
    for column, kind in personal.items():
        used[kind] = used.get(kind, 0) + 1
        names[column] = f"{kind}_key" if used[kind] == 1 else f"{kind}_key_{used[kind]}"
    return names


def pseudonymise(
    frame: pd.DataFrame, personal: dict[str, str], secret: bytes, link_key: str | None = None
) -> pd.DataFrame:
    """Replace each personal column by its pseudonym column (see `key_columns`) in place of order;
    add `person_key`, the pseudonym of the link column. Returns a new frame without clear text."""
    out = frame.copy()
    for column, name in key_columns(personal).items():
        if column not in out.columns:
            continue
        kind = personal[column]
        # Hash each distinct value once: a loyalty export repeats the same card on many rows.
        distinct = {v: pseudonym(v, kind, secret) for v in out[column].dropna().unique()}
        values = out[column].map(distinct).astype("string")
        if column == link_key:
            out["person_key"] = values
        position = out.columns.get_loc(column)
        out = out.drop(columns=[column])
        out.insert(position, name, values)
    return out


def mask_text(text: str, names: Iterable[str] = ()) -> str:
    """Mask e-mails, card numbers, phone numbers and the given names inside free text.

    A name is masked in any inflected form (see `name_forms`): `Івана Петренка`, `Ivan's` become `[name]`.
    `names` may hold whole names or single words; the regex is compiled once per distinct set of names."""
    if not isinstance(text, str) or not text:
        return text
    masked = EMAIL_PATTERN.sub("[email]", text)
    masked = OBFUSCATED_EMAIL_PATTERN.sub("[email]", masked)
    masked = IBAN_PATTERN.sub("[iban]", masked)
    masked = CARD_PATTERN.sub(lambda m: "[card]" if len(_NON_DIGIT.sub("", m.group())) >= 13 else m.group(), masked)
    masked = PHONE_PATTERN.sub("[phone]", masked)
    pattern = _names_pattern(frozenset(n for n in names if isinstance(n, str) and n))
    return pattern.sub("[name]", masked) if pattern else masked


# ---------------------------------------------------------------------------------------------------------
# Names in any inflected form. Ukrainian and Russian decline names (Іван → Івана, Іванові, Іваном; Олена →
# Олену, Оленою; Петренко → Петренка; Иванова → Ивановой), so the exact word is not enough. Each known name
# word is expanded into its forms by the small rule set below and all forms go into one regex (a trie, so
# thousands of names cost one pass). A lemmatiser (simplemma) works the other way round, text word -> lemma:
# most names are outside its dictionaries, it needs the language of each text, and it would have to run on
# every word of every transcript; a rule set is predictable, reviewable and cheap.
#
# Rules (on the lower-cased word; е also matches ё, an apostrophe matches ' ’ ʼ `):
#   - Latin script: the word and its possessive ('s, ’s). English does not decline names otherwise.
#   - Cyrillic, by the ending of the base form (the ending is dropped to get the stem):
#       -а      Олена, Ольга, Микола, Иванова, Ковальська: feminine hard endings (-и -і -у -ою -ой -ої -ій -о …),
#               -ею/-ей after ж ч ш щ ц (Сашею); г/к/х → з/ц/с before -і (Ользі, Наталці)
#       -я      Марія, Ілля, Дарья: feminine soft endings (-ї -і -ю -ею -єю -ей …)
#       -ий -ій -ый -ой   Андрій, Дмитрий (nouns: -я -ю -єм -ем …) or Ковальський, Толстой (adjectives: -ого -ому
#               -им -ая -ої …): both readings
#       -ая -яя Вишневская: adjective endings
#       -о      Петренко, Павло: masculine endings and -о (Петренка, Петренкові, Павлом)
#       -ь -й   Игорь, Василь, Сергей: masculine endings (hard and soft)
#       consonant  Іван, Шевчук, Іванов: masculine endings; і → о/е in the last syllable (Федір → Федора,
#               Лебідь → Лебедя); a fleeting е/о before к ц л в (Павел → Павла, Кравець → Кравця, Лев → Льва)
#       other vowel (Мері, Рене): indeclinable, the exact word only
#     Surnames in -ов/-ев/-ин/-ін and -ськ-/-цьк-/-ск- are matched in both genders (a family shares them).
#   - A stem shorter than 3 letters matches only the exact word: `Ян` does not mask Яна or Януш, `Оля` not Олю.
# Precision: only whole words match, and only stem + a listed ending, so `Анна` leaves Аналіз and Анастасія
# alone, `Олег` leaves Олеся, `Іван` leaves Іванна and Івано-Франківськ, `Олена` leaves оленя. A name that is
# also a word (Віра, Роман, Марко → марка) masks that word in every form: privacy comes first.
# Not covered: one name across scripts or languages (Іван vs Иван vs Ivan), nicknames (Іван → Ваня).

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
NAME_WORD = re.compile(r"\w+(?:['’ʼ`]\w+)*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "ё": "е"})
_VOWELS = set("аеєиіїоуюяыэ")
_MIN_STEM = 3

_MASCULINE = ("а", "я", "у", "ю", "ові", "еві", "єві", "ом", "ем", "єм", "е", "є", "і", "ї", "и", "ы", "ів",
              "їв", "им", "ім", "ым", "их", "ых", "ими", "ыми", "ью")
_FEMININE_HARD = ("а", "и", "ы", "і", "е", "у", "ую", "ою", "ой", "ої", "ій", "о")
_FEMININE_SIBILANT = ("ею", "ей")  # Саша → Сашею, Сашей
_FEMININE_SOFT = ("я", "і", "ї", "и", "е", "є", "ю", "ею", "єю", "ей")
_ADJECTIVE = ("ий", "ій", "ый", "ой", "ого", "его", "ому", "ему", "им", "ім", "ым", "ом", "ем", "ая", "яя", "а",
              "у", "ую", "ою", "ої", "ей", "і", "и", "их", "ых", "ими", "ыми")
_FAMILY = re.compile(r"(?:ов|ев|єв|ин|ін|ын|їн)$")  # Іванов / Іванова, Пушкин / Пушкина
_ADJECTIVAL = re.compile(r"(?:ськ|цьк|зьк|ск|цк|зк)$")  # Ковальський / Ковальська, Вишневский / Вишневская


def _letters(text: str) -> int:
    return sum(ch.isalpha() for ch in text)


def _stems(word: str) -> list[tuple[str, tuple[str, ...]]]:
    """(stem, endings) pairs of a lower-cased Cyrillic name word, by the rules above."""
    last, pairs = word[-1], []
    if word.endswith(("ий", "ій", "ый", "ой")):
        pairs = [(word[:-1], _MASCULINE), (word[:-2], _ADJECTIVE)]
    elif word.endswith(("ая", "яя")):
        pairs = [(word[:-1], _FEMININE_SOFT), (word[:-2], _ADJECTIVE)]
    elif last == "а":
        stem = word[:-1]
        pairs = [(stem, _FEMININE_HARD + (_FEMININE_SIBILANT if stem[-1:] in set("жчшщц") else ()))]
        if stem[-1:] in {"г", "к", "х"}:
            pairs.append((stem[:-1] + {"г": "з", "к": "ц", "х": "с"}[stem[-1]], ("і",)))
        if _FAMILY.search(stem):
            pairs.append((stem, ("",) + _MASCULINE))
        if _ADJECTIVAL.search(stem):
            pairs.append((stem, _ADJECTIVE))
    elif last == "я":
        pairs = [(word[:-1], _FEMININE_SOFT)]
    elif last == "о":
        pairs = [(word[:-1], _MASCULINE + ("о",))]
    elif last in _VOWELS:
        return []  # indeclinable
    else:
        stem = word[:-1] if last in "ьй" else word
        pairs = [(stem, _MASCULINE)]
        if _FAMILY.search(stem):
            pairs.append((stem, _FEMININE_HARD))
        alternated = re.fullmatch(r"(.*[^аеєиіїоуюяыэ'])і([^аеєиіїоуюяыэь'])", stem)
        if alternated:  # Федір → Федора, Яків → Якова, Лебідь → Лебедя
            pairs += [(f"{alternated[1]}{vowel}{alternated[2]}", _MASCULINE) for vowel in "ое"]
        fleeting = re.fullmatch(r"(.*[^аеєиіїоуюяыэ'])[ео]([кцлв])", stem)
        if fleeting:  # Павел → Павла, Кравець → Кравця, Стрілець → Стрільця, Лев → Льва
            head = fleeting[1] + ("ь" if fleeting[1].endswith("л") else "")
            pairs.append((head + fleeting[2], _MASCULINE))
    return [(stem, endings) for stem, endings in pairs if _letters(stem) >= _MIN_STEM]


def name_forms(word: str) -> set[str]:
    """Every form of one name word the masking matches (lower case, ё written е, apostrophes as ')."""
    word = word.lower().translate(_APOSTROPHES)
    if not _CYRILLIC.search(word):
        return {word, f"{word}'s"}
    return {word} | {stem + ending for stem, endings in _stems(word) for ending in endings}


def _trie_pattern(forms: Iterable[str]) -> str:
    """One regex alternation for many words, sharing their prefixes (a trie), so matching is linear."""
    trie: dict = {}
    for form in forms:
        node = trie
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}

    def char(ch: str) -> str:
        return {"е": "[её]", "'": "['’ʼ`]"}.get(ch) or re.escape(ch)

    def emit(node: dict) -> str:
        branches = [char(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        if "" in node:
            return f"(?:{body})?" if len(branches) == 1 else f"{body}?"
        return body

    return emit(trie)


@functools.lru_cache(maxsize=8)  # clear-text names stay in memory only, like SourceResult.names
def _names_pattern(names: frozenset[str]) -> re.Pattern | None:
    forms = {form for name in names for word in NAME_WORD.findall(name) if _letters(word) > 1
             for form in name_forms(word)}
    if not forms:
        return None
    return re.compile(rf"(?<!\w){_trie_pattern(forms)}(?!\w)", re.IGNORECASE)


def undeclared_contacts(frame: pd.DataFrame, skip: set[str]) -> dict[str, tuple[str, int, int]]:
    """Columns outside `skip` (declared personal, free text, ids) whose cells are whole e-mails, phones,
    card numbers or IBANs: column -> (kind, cells that are contacts, non-blank cells)."""
    found = {}
    for column in frame.columns:
        if column in skip or str(column).startswith("_"):
            continue
        values = frame[column].dropna().astype(str).str.strip()
        values = values[values.ne("")]
        if values.empty:
            continue
        kinds = values.map(contact_kind).dropna()
        if len(kinds):
            found[column] = (kinds.mode().iloc[0], len(kinds), len(values))
    return found


def mask_cell(value: object) -> object:
    """A cell that is a whole contact becomes its kind (`[email]`, `[phone]`, `[card]`, `[iban]`)."""
    kind = contact_kind(str(value).strip())
    return f"[{kind}]" if kind else value


# A header that names people (not a store, brand or product name), for the scan of undeclared columns.
_NAME_HEADER = re.compile(
    r"(?i)^(?:(?:your|customer|client|contact|card ?holder|respondent|full|first|last|given|family|middle)\s+)?"
    r"(?:name|surname|first ?name|last ?name|full ?name|ім[’'ʼ]?я|прізвище|по батькові|піб|имя|фамилия|отчество|фио)"
    r"(?:\s*\(.*\))?\??$|^(?:what is your (?:first |full )?name|як вас звати|как вас зовут)\??$")
# A cell that reads like a person's name: one to three capitalised words of letters (any script).
_NAME_CELL = re.compile(r"^[^\W\d_][^\W\d_'’ʼ-]*(?:[-'’ʼ][^\W\d_]+)*(?:\s+[^\W\d_][^\W\d_'’ʼ-]*(?:[-'’ʼ][^\W\d_]+)*){0,2}$")


def undeclared_names(frame: pd.DataFrame, skip: set[str]) -> dict[str, tuple[int, int]]:
    """Columns outside `skip` whose header names people and whose cells read like names: column ->
    (cells that look like names, non-blank cells). Both must hold, so `Store name` or a free-text box stay."""
    found = {}
    for column in frame.columns:
        if column in skip or str(column).startswith("_") or not _NAME_HEADER.match(str(column).strip()):
            continue
        values = frame[column].dropna().astype(str).str.strip()
        values = values[values.ne("")]
        looks = values[values.str.match(_NAME_CELL) & values.map(lambda v: v[:1].isupper())]
        if len(values) and len(looks) >= 0.5 * len(values):
            found[column] = (len(looks), len(values))
    return found
