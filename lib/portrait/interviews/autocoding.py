"""Deductive auto-coding of interview turns with the qualitative codebook's patterns (on word families: as
written, lemma, stem; see portrait.survey.open_coding)."""

from __future__ import annotations

import pandas as pd

from portrait.io import catalog
from portrait.errors import PortraitError

from portrait.survey.open_coding import WORD, compile_pattern, find, key_positions, language_of, tokens
from portrait.interviews.qual_codebook import QualCodebook

SEGMENT_COLUMNS = ["document", "turn", "code", "group", "matched", "rule"]


def _phrases(book: QualCodebook) -> dict[str, list[tuple[str, str, list]]]:
    """language -> [(code, pattern, compiled pattern)]."""
    out: dict[str, list] = {}
    for code in book.codes:
        for lang, patterns in code.patterns.items():
            for pattern in patterns:
                compiled = compile_pattern(pattern, lang)
                if compiled:
                    out.setdefault(lang, []).append((code.code, pattern, compiled))
    return out


def autocode(turns: pd.DataFrame, book: QualCodebook, languages: tuple[str, ...] = ("en", "uk", "ru"),
             role: str = "respondent") -> pd.DataFrame:
    """One row per (turn, code) hit among `role` turns: the words matched and the rule that fired."""
    phrases = _phrases(book)
    groups = {c.code: c.group for c in book.codes}
    rows = []
    for turn in turns[turns["role"] == role].itertuples():
        lang = language_of(turn.text, languages)
        words = WORD.findall(turn.text)
        forms = tokens(turn.text, lang)
        positions = key_positions(forms)  # patterns are tried only where their first word's family occurs
        seen = set()
        for code, pattern, compiled in phrases.get(lang, []):
            if code in seen:
                continue
            start = find(forms, compiled, positions)
            if start >= 0:
                rows.append((turn.document, turn.turn, code, groups[code],
                             " ".join(words[start:start + len(compiled)]), f"{lang}: {pattern}"))
                seen.add(code)
    return pd.DataFrame(rows, columns=SEGMENT_COLUMNS).astype({"turn": "int64"})


def code_frequencies(codings: pd.DataFrame, book: QualCodebook, participants: pd.Series) -> pd.DataFrame:
    """Per code: coded turns and participants (documents) mentioning it, in codebook order."""
    rows = []
    for code in book.codes:
        hits = codings[codings["code"] == code.code]
        rows.append({"group": book.groups[code.group].label, "code": code.code, "label": code.label,
                     "turns": len(hits), "participants": hits["document"].nunique(),
                     "% of participants": round(100 * hits["document"].nunique() / max(len(participants), 1), 1)})
    return pd.DataFrame(rows)


def cooccurrence(codings: pd.DataFrame, level: str = "document") -> pd.DataFrame:
    """How often two codes appear in the same document (or turn): a symmetric code × code matrix."""
    keys = ["document"] if level == "document" else ["document", "turn"]
    presence = codings.assign(hit=1).pivot_table(index=keys, columns="code", values="hit", aggfunc="max",
                                                  fill_value=0)
    return presence.T @ presence


def codes_by_attribute(codings: pd.DataFrame, attribute: pd.Series, book: QualCodebook,
                       group: str | None = None) -> pd.DataFrame:
    """% of participants in each attribute value (columns) mentioning each code (rows), with bases.

    `attribute` is indexed by document (one value per interview), e.g. the brand relationship that
    the participant's survey answers gave.
    """
    codes = [c for c in book.codes if group is None or c.group == group] or list(book.codes)
    values = attribute.dropna()
    present = set(zip(codings["document"], codings["code"]))
    rows = {}
    for code in codes:
        rows[code.label] = {v: round(100 * sum((d, code.code) in present for d in docs) / len(docs), 1)
                            for v, docs in values.groupby(values).groups.items()}
    table = pd.DataFrame(rows).T
    table.loc["Base (participants)"] = values.value_counts().reindex(table.columns)
    return table


def comparison_variable(study, name: str = "") -> str | None:
    """The survey variable step 03 compares codes by: `name`, else the first banner variable of the
    study's roles (None without a coded survey or a banner)."""
    if not study.has(catalog.SURVEY_CODED):
        return None
    roles = study.config.roles
    candidates = [name] if name else [*roles.banner, *roles.banner_default()]
    import pyarrow.parquet as pq

    columns = set(pq.read_schema(study.table_path(catalog.SURVEY_CODED)).names)
    for variable in candidates:
        if variable in columns:
            return variable
    if name:
        raise PortraitError(f"`compare_by = {name!r}`: the coded survey has no such variable; name a coded variable "
                            "(the question id, or `<id>__<item>`).")
    return None


def participant_attribute(study, participants: pd.DataFrame | None, variable: str) -> pd.Series | None:
    """`variable` from the coded survey for each interview (indexed by document), through `person_key`.

    None when the study has no participants table or no coded survey to link to.
    """
    if participants is None or not study.has(catalog.SURVEY_CODED):
        return None
    survey = study.read(catalog.SURVEY_CODED).drop_duplicates("person_key").set_index("person_key")
    return participants["person_key"].map(survey[variable])


def participant_links(study, participants: pd.DataFrame | None) -> pd.DataFrame | None:
    """Per interview: whether the participant answered the survey and holds a loyalty card, and what
    the card shows (purchases, spend) — the evidence that ties what people say to what they do."""
    if participants is None:
        return None
    keys = participants["person_key"]
    out = pd.DataFrame(index=participants.index)
    out["answered survey"] = (keys.isin(study.read(catalog.SURVEY_CODED)["person_key"])
                              if study.has(catalog.SURVEY_CODED) else False)
    if study.has(catalog.CARDHOLDERS) and study.has(catalog.TRANSACTIONS):
        cards = study.read(catalog.CARDHOLDERS).dropna(subset=["person_key"]).drop_duplicates("person_key")
        from portrait import engine
        from portrait.segments.rfm import purchases_per_card

        with engine.for_study(study.config) as connected:
            spend = purchases_per_card(study.table_path(catalog.TRANSACTIONS), connected)
        behaviour = cards.set_index("person_key")[["card_key"]].join(spend, on="card_key")
        out["card holder"] = keys.isin(behaviour.index)
        out["purchases"] = keys.map(behaviour["purchases"]).fillna(0).astype(int)
        out["spend"] = keys.map(behaviour["spend"]).fillna(0).round(0)
    return out


def link_summary(links: pd.DataFrame | None, currency: str | None = None) -> pd.DataFrame | None:
    """How many interviews link to survey answers and to a loyalty card, and what the cards show."""
    if links is None:
        return None
    rows = {"interviews": len(links), "answered the survey": int(links["answered survey"].sum())}
    if "card holder" in links:
        holders = links[links["card holder"]]
        rows.update({"hold a loyalty card": len(holders), "median purchases (card holders)": holders["purchases"].median(),
                     f"median spend{', ' + currency if currency else ''} (card holders)": holders["spend"].median()})
    return pd.Series(rows, name="participants").to_frame()
