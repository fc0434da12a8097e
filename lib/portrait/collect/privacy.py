"""Pseudonymisation: personal data becomes a keyed hash before anything is written.

The same person gets the same pseudonym in every source because values are normalised first
(e-mails lower-cased, phones reduced to international digits) and hashed with one study secret
(HMAC-SHA256). Without the secret a pseudonym cannot be reversed by hashing guesses.
"""

from __future__ import annotations

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
# Phone-like runs: optional +, then 9-15 digits possibly split by spaces, dots, dashes, brackets.
PHONE_PATTERN = re.compile(r"(?<![\w:])\+?\d(?:[\s().-]*\d){8,14}(?![\w:])")  # not a date-time
CARD_PATTERN = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
# E-mails written to dodge filters: "ivan dot petrenko at gmail dot com", "ivan[at]gmail.com", "ivan (at) mail (dot) ua".
_DOT = r"(?:\s*[\[({]\s*dot\s*[\])}]\s*|\s+dot\s+|\.)"
_AT = r"(?:\s*[\[({]\s*at\s*[\])}]\s*|\s+at\s+|\s*@\s*)"
OBFUSCATED_EMAIL_PATTERN = re.compile(
    rf"(?<![\w@])[\w+-]+(?:{_DOT}[\w+-]+)*{_AT}[\w-]+(?:{_DOT}[\w-]+)*{_DOT}"
    r"(?:com|net|org|info|biz|io|eu|ua|ru|pl|de|uk|co|me|online|gov|edu)(?![\w])", re.IGNORECASE)
IBAN_PATTERN = re.compile(r"[A-Z]{2}\d{2}(?:\s?[A-Z0-9]){11,30}")
# A whole cell that is a contact (the free-text patterns, matched on the whole cell), for the scan of
# columns nobody declared personal.
CELL_PATTERNS = {"email": (EMAIL_PATTERN, OBFUSCATED_EMAIL_PATTERN), "phone": (PHONE_PATTERN,),
                 "card": (CARD_PATTERN,), "iban": (IBAN_PATTERN,)}


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
    if kind == "card":
        return _NON_DIGIT.sub("", text) or None
    return " ".join(text.casefold().split())


def pseudonym(value: object, kind: str, secret: bytes) -> str | None:
    """16-hex-digit keyed hash of the normalised value (None for blanks)."""
    canonical = normalise(value, kind)
    if canonical is None:
        return None
    # The kind is not mixed into the key so that a phone links to the same phone in any source.
    return hmac.new(secret, canonical.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


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
    """Mask e-mails, card numbers, phone numbers and the given names inside free text."""
    if not isinstance(text, str) or not text:
        return text
    masked = EMAIL_PATTERN.sub("[email]", text)
    masked = OBFUSCATED_EMAIL_PATTERN.sub("[email]", masked)
    masked = IBAN_PATTERN.sub("[iban]", masked)
    masked = CARD_PATTERN.sub(lambda m: "[card]" if len(_NON_DIGIT.sub("", m.group())) >= 13 else m.group(), masked)
    masked = PHONE_PATTERN.sub("[phone]", masked)
    for name in sorted({n for n in names if n and len(n) > 1}, key=len, reverse=True):
        masked = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", "[name]", masked, flags=re.IGNORECASE)
    return masked


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
