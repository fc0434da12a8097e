"""The demo's in-depth interviews: planted themes spoken in the participant's language, saved as
.txt, .md, .vtt and .docx the way different transcription tools produce them.

Respondents speak from `interview_bank_independent` (written apart from the interview codebook, so
auto-coding them is a fair test); the interviewer's prompts and speaker labels come from `interview_bank`."""

from __future__ import annotations

from pathlib import Path

import docx
import numpy as np
import pandas as pd

from portrait.demo import interview_bank as bank
from portrait.demo import interview_bank_independent as bank_independent
from portrait.demo.identities import display_phone

GROUPS = ["motive", "channel", "barrier", "reason_to_believe", "decisive_service", "moment", "perception"]
FORMATS = ["txt", "md", "vtt", "docx"]
INTRO = {"en": "Hello, my name is {name}.", "uk": "Добрий день, мене звати {name}.", "ru": "Здравствуйте, меня зовут {name}."}
CALL_ME = {"en": "If you need more, call me at {phone}.", "uk": "Якщо треба, телефонуйте мені: {phone}.",
           "ru": "Если нужно, звоните мне: {phone}."}


def planted_themes(person: pd.Series) -> dict[str, list[str]]:
    """The interview codes a participant's planted traits imply, by code group."""
    seg = person["attitude_segment"]
    non_buyer = person["relationship"] in ("unaware", "aware_non_buyer")
    motive = {"trend_explorer": "new_styles", "bargain_hunter": "discount_deals", "classic_quality": "timeless_classics",
              "family_practical": "kids_clothes"}[seg]
    motives = [motive]
    if person["purpose"] == "gift":
        motives.append("gift_giving")
    elif person["purpose"] == "intermediary":
        motives.append("client_styling")
    elif seg == "classic_quality":
        motives.append("quality_materials")
    barrier = ("unfamiliar_brand" if non_buyer else
               {"bargain_hunter": "high_price", "family_practical": "fit_problems", "trend_explorer": "limited_range",
                "classic_quality": "slow_delivery" if person["channel_preference"] == "online" else "fit_problems"}[seg])
    rtb = {"classic_quality": "natural_fabrics_certified", "trend_explorer": "expert_advice",
           "bargain_hunter": "free_returns", "family_practical": "free_returns"}[seg]
    channel = {"trend_explorer": "instagram", "family_practical": "friends_recommend"}.get(
        seg, "online_shop" if person["channel_preference"] == "online" else "store_visit")
    service = ("gift_wrapping" if person["purpose"] == "gift" else
               {"family_practical": "fitting_help", "classic_quality": "tailoring", "trend_explorer": "fast_delivery",
                "bargain_hunter": "fast_delivery"}[seg])
    moment = {"trend_explorer": "season_change", "classic_quality": "special_event"}.get(seg, "holidays")
    perception = {"trend_explorer": "stylish_brand", "bargain_hunter": "expensive_brand"}.get(seg, "reliable_brand")
    return {"motive": motives, "channel": [channel], "barrier": [barrier], "reason_to_believe": [rtb],
            "decisive_service": [service], "moment": [moment], "perception": [perception]}


def _said(code: str, lang: str, rng: np.random.Generator) -> bank_independent.Phrase:
    options = bank_independent.phrases(code, lang)
    return options[int(rng.integers(0, len(options)))]


def _turn(parts: list[bank_independent.Phrase]) -> dict:
    """A respondent turn from phrases; its truth is every code the phrases truly express."""
    codes = list(dict.fromkeys(c for part in parts for c in part.codes))
    return {"role": "respondent", "text": " ".join(part.text for part in parts), "codes": codes}


def script(person: pd.Series, first_name: str, phone: str, rng: np.random.Generator) -> list[dict]:
    """The interview as a list of turns {role, text, codes}; codes are the truth of what was said.

    Respondents speak from the independent phrase bank (never shown to the codebook); some turns add
    small talk, or a negated sentence about a code the participant does not hold.
    """
    lang = person["language"]
    prompts = bank.INTERVIEWER_PROMPTS[lang]
    chatter, negated = bank_independent.CHATTER[lang], bank_independent.NEGATED[lang]
    themes = planted_themes(person)
    said = {group: [_said(code, lang, rng) for code in themes[group]] for group in GROUPS}
    # A negation may only deny what the participant does not say elsewhere in the interview.
    held = {c for parts in said.values() for part in parts for c in part.codes}
    deniable = [n for n in negated if n.decoy not in held]
    small_talk = bank_independent.Phrase(chatter[int(rng.integers(0, len(chatter)))], ())
    turns = [{"role": "interviewer", "text": prompts["intro"][int(rng.integers(0, 3))], "codes": []},
             _turn([bank_independent.Phrase(INTRO[lang].format(name=first_name), ()), small_talk])]
    for group in GROUPS:
        turns.append({"role": "interviewer", "text": prompts[group][int(rng.integers(0, 3))], "codes": []})
        parts = list(said[group])
        if rng.random() < 0.3:
            parts.insert(0, bank_independent.Phrase(chatter[int(rng.integers(0, len(chatter)))], ()))
        if deniable and rng.random() < 0.3:
            denial = deniable[int(rng.integers(0, len(deniable)))]
            parts.insert(int(rng.integers(0, 2)) * len(parts), bank_independent.Phrase(denial.text, denial.codes))
        turns.append(_turn(parts))
    closing = [bank_independent.Phrase(chatter[int(rng.integers(0, len(chatter)))], ())]
    if rng.random() < 0.3:
        closing.append(bank_independent.Phrase(CALL_ME[lang].format(phone=display_phone(phone, 0)), ()))
    turns += [{"role": "interviewer", "text": prompts["closing"][int(rng.integers(0, 3))], "codes": []},
              _turn(closing)]
    return turns


def _stamp(seconds: float) -> str:
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(h):02d}:{int(m):02d}:{s:06.3f}"


def write_transcript(folder: Path, doc_id: str, fmt: str, turns: list[dict], lang: str, first_name: str,
                     date: str) -> Path:
    labels = bank.SPEAKER_LABELS[lang]
    # Markdown notes label the respondent by first name, as note-takers often do.
    speaker = {"interviewer": labels["interviewer"],
               "respondent": first_name if fmt == "md" else labels["respondent"]}
    path = folder / f"{doc_id}.{fmt}"
    if fmt == "txt":
        lines = [f"{doc_id} — {date}", ""] + [f"{speaker[t['role']]}: {t['text']}" for t in turns]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif fmt == "md":
        lines = [f"# {doc_id}", "", f"_Date: {date}_", ""]
        for t in turns:
            lines += [f"**{speaker[t['role']]}:** {t['text']}", ""]
        path.write_text("\n".join(lines), encoding="utf-8")
    elif fmt == "vtt":
        lines, clock = ["WEBVTT", "", f"NOTE {doc_id} {date}", ""], 3.0
        for t in turns:
            words = t["text"].split()
            # Long answers arrive as two cues from the same voice, as captioning tools split them.
            parts = [words] if len(words) < 24 else [words[: len(words) // 2], words[len(words) // 2:]]
            for part in parts:
                end = clock + 0.4 * len(part)
                lines += [f"{_stamp(clock)} --> {_stamp(end)}", f"<v {speaker[t['role']]}>{' '.join(part)}</v>", ""]
                clock = end + 0.8
        path.write_text("\n".join(lines), encoding="utf-8")
    else:
        document = docx.Document()
        document.add_heading(f"{doc_id} — {date}", level=1)
        for t in turns:
            paragraph = document.add_paragraph()
            paragraph.add_run(f"{speaker[t['role']]}:").bold = True
            paragraph.add_run(f" {t['text']}")
        document.core_properties.created = pd.Timestamp(date).to_pydatetime()
        document.save(path)
    return path


def build_interviews(folder: Path, participants: pd.DataFrame, ids: pd.DataFrame,
                     rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write one transcript per participant; return (participants table, truth of turns)."""
    folder.mkdir(parents=True, exist_ok=True)
    ident = ids.set_index("person_id")
    rows, truth = [], []
    for k, (_, person) in enumerate(participants.iterrows()):
        doc_id = f"INT-{k + 1:02d}"
        who = ident.loc[person["person_id"]]
        date = (pd.Timestamp("2026-02-02") + pd.Timedelta(days=int(k * 1.5))).strftime("%Y-%m-%d")
        turns = script(person, who["first_name"], who["phone"], rng)
        fmt = FORMATS[k % len(FORMATS)]
        write_transcript(folder, doc_id, fmt, turns, person["language"], who["first_name"], date)
        rows.append({"Interview": doc_id, "File": f"{doc_id}.{fmt}",
                     "Name": f"{who['first_name']} {who['last_name']}",
                     "Phone": display_phone(who["phone"], 1), "E-mail": who["email"],
                     "Language": person["language"], "City": person["city"], "Age": str(person["age"]),
                     "Gender": person["gender"], "Interview date": date})
        truth += [{"document": doc_id, "turn": i + 1, "role": t["role"], "codes": ";".join(t["codes"])}
                  for i, t in enumerate(turns)]
    # Field notes without speaker labels: a real folder has them; 01_collect must report, not crash.
    (folder / "INT-notes-unlabelled.txt").write_text(
        "Notes from the pilot interview, not transcribed verbatim.\nThe participant liked the shop windows.\n",
        encoding="utf-8")
    return pd.DataFrame(rows), pd.DataFrame(truth)


# Codes a tired human coder confuses with each other.
CONFUSABLE = {"high_price": "expensive_brand", "expensive_brand": "high_price", "fast_delivery": "slow_delivery",
              "slow_delivery": "fast_delivery", "gift_giving": "gift_wrapping", "gift_wrapping": "gift_giving",
              "new_styles": "stylish_brand", "stylish_brand": "new_styles",
              "quality_materials": "natural_fabrics_certified", "natural_fabrics_certified": "quality_materials",
              "store_visit": "fitting_help", "fitting_help": "store_visit", "holidays": "gift_giving",
              "timeless_classics": "reliable_brand", "reliable_brand": "timeless_classics"}


def second_coding(turn_truth: pd.DataFrame, documents: list[str], rng: np.random.Generator) -> pd.DataFrame:
    """A human-style coding of some interviews: mostly right, with misses, confusions and extra codes."""
    rows = []
    respondent = turn_truth[(turn_truth["role"] == "respondent") & turn_truth["document"].isin(documents)]
    every_code = sorted(bank_independent.THEMES)
    for turn in respondent.itertuples():
        codes = [c for c in str(turn.codes).split(";") if c and c != "nan"]
        for code in codes:
            draw = rng.random()
            if draw < 0.10:
                continue  # missed
            if draw < 0.17:
                code = CONFUSABLE.get(code, code)
            rows.append({"document": turn.document, "start": turn.turn, "end": turn.turn, "code": code,
                         "coder": "coder_b"})
        if rng.random() < 0.04:
            rows.append({"document": turn.document, "start": turn.turn, "end": turn.turn,
                         "code": every_code[int(rng.integers(0, len(every_code)))], "coder": "coder_b"})
    return pd.DataFrame(rows, columns=["document", "start", "end", "code", "coder"]).drop_duplicates()
