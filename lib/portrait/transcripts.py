"""Interview transcripts -> speaker turns.

Formats: .txt/.md (`Speaker: text`, also `**Speaker:** text`), .vtt and .srt (timed cues, voice tags
`<v Speaker>`), .docx (paragraphs read like .txt lines). Consecutive cues of one speaker merge into
one turn. A transcript with no speaker labels at all is refused with a clear error rather than
guessed: `read_transcripts` then reports it as a problem and carries on with the other files.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .errors import SourceFormatError
from .readers import decode_text

TURN_COLUMNS = ["document", "turn", "speaker", "role", "start", "end", "text"]
PROBLEM_COLUMNS = ["file", "row", "column", "value", "reason"]
EXTENSIONS = {".txt", ".md", ".vtt", ".srt", ".docx"}

# A label: up to 40 characters of letters (any script), digits, spaces, apostrophes, dots, hyphens.
_LABEL = r"[^\W_][\w .'’ʼ-]{0,39}?"
_LABELLED = re.compile(rf"^\s*(?:[-*]\s+)?(?:\*\*)?(?P<label>{_LABEL})(?:\*\*)?\s*:\s*(?:\*\*)?\s*(?P<text>.*)$")
_TIMING = re.compile(r"(?P<start>[\d:.,]+)\s*-->\s*(?P<end>[\d:.,]+)")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+(?P<label>[^>]+)>(?P<text>.*?)(?:</v>|$)", re.S)
_TAG = re.compile(r"</?[^>]+>")


def seconds(stamp: str) -> float:
    """'01:02:03.250', '02:03.250' or '00:00:01,000' -> seconds."""
    parts = stamp.replace(",", ".").split(":")
    value = 0.0
    for part in parts:
        value = value * 60 + float(part)
    return value


def _label(line: str, known: set[str]) -> tuple[str, str] | None:
    """(speaker, text) if the line starts with a speaker label, else None.

    A label already seen always counts. Until two speakers are known, a new short label (at most
    three words) counts too; after that only known ones do, so "Well: I think…" inside an answer
    does not open a new turn. (A third speaker joining late is read as part of the previous turn.)
    """
    match = _LABELLED.match(line)
    if not match:
        return None
    label = match.group("label").strip()
    if label in known or (len(known) < 2 and len(label.split()) <= 3):
        return label, match.group("text").strip()
    return None


def _plain_lines_to_turns(lines: list[str]) -> list[dict]:
    turns: list[dict] = []
    known: set[str] = set()
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        labelled = _label(stripped, known)
        if labelled:
            speaker, text = labelled
            known.add(speaker)
            turns.append({"speaker": speaker, "start": None, "end": None, "text": text})
        elif turns:
            turns[-1]["text"] += " " + stripped
        # Lines before the first label are a title or metadata header: ignored.
    return turns


def _cues_to_turns(text: str) -> list[dict]:
    turns: list[dict] = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        lines = [l for l in block.strip().split("\n") if l.strip()]
        timing_at = next((i for i, l in enumerate(lines) if _TIMING.search(l)), None)
        if timing_at is None:
            continue  # WEBVTT header, NOTE or STYLE block
        timing = _TIMING.search(lines[timing_at])
        payload = " ".join(lines[timing_at + 1:])
        voice = _VOICE.search(payload)
        if voice:
            speaker, said = voice.group("label").strip(), voice.group("text")
        else:
            labelled = _LABELLED.match(_TAG.sub("", payload))
            speaker, said = (labelled.group("label").strip(), labelled.group("text")) if labelled else (None, payload)
        said = " ".join(_TAG.sub("", said).split())
        start, end = seconds(timing.group("start")), seconds(timing.group("end"))
        if turns and speaker is not None and turns[-1]["speaker"] == speaker:
            turns[-1]["text"] += " " + said
            turns[-1]["end"] = end
        else:
            turns.append({"speaker": speaker, "start": start, "end": end, "text": said})
    return turns


def _docx_lines(path: Path) -> list[str]:
    import docx

    try:
        return [p.text for p in docx.Document(str(path)).paragraphs]
    except Exception as exc:  # python-docx raises several zip/xml errors for a damaged file
        raise SourceFormatError(f"{path}: not a readable .docx ({exc}). Re-save it from Word.") from None


def read_transcript(path: Path, interviewer_labels: list[str], encoding: str = "auto") -> pd.DataFrame:
    """One row per speaker turn (columns TURN_COLUMNS); roles from `interviewer_labels`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        raise SourceFormatError(f"{path}: unsupported transcript format {suffix!r}; use {sorted(EXTENSIONS)}.")
    if suffix == ".docx":
        lines = _docx_lines(path)
        turns = _plain_lines_to_turns(lines)
        empty = not any(line.strip() for line in lines)
    else:
        text = decode_text(path.read_bytes(), encoding, path)
        empty = not text.strip()
        turns = _cues_to_turns(text) if suffix in {".vtt", ".srt"} else _plain_lines_to_turns(text.splitlines())
    if empty:
        raise SourceFormatError(f"{path}: the transcript is empty. Remove it or export it again.")
    if not turns or all(t["speaker"] is None for t in turns):
        raise SourceFormatError(
            f"{path}: no speaker labels found (line 1 onwards). Write each turn as 'Speaker: text' "
            "(e.g. 'Interviewer: …' / 'Respondent: …') so turns and roles can be told apart."
        )
    interviewers = {label.strip().casefold() for label in interviewer_labels}
    frame = pd.DataFrame(turns)
    frame["text"] = frame["text"].str.split().str.join(" ")
    frame = frame[frame["text"].str.len() > 0].reset_index(drop=True)
    frame.insert(0, "document", path.stem)
    frame.insert(1, "turn", range(1, len(frame) + 1))
    frame["role"] = ["interviewer" if str(s).strip().casefold() in interviewers else "respondent"
                     for s in frame["speaker"]]
    frame["start"] = pd.to_numeric(frame["start"], errors="coerce").astype("Float64")
    frame["end"] = pd.to_numeric(frame["end"], errors="coerce").astype("Float64")
    return frame[TURN_COLUMNS].astype({"document": "string", "speaker": "string", "role": "string",
                                       "text": "string", "turn": "int64"})


def read_transcripts(folder: Path, interviewer_labels: list[str],
                     encoding: str = "auto") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every transcript in `folder` (sorted, not recursive) -> (turns, problems)."""
    frames, problems = [], []
    for path in sorted(Path(folder).iterdir()):
        if path.suffix.lower() not in EXTENSIONS or not path.is_file():
            continue
        try:
            frames.append(read_transcript(path, interviewer_labels, encoding))
        except SourceFormatError as exc:
            reason = str(exc).removeprefix(f"{path}: ")  # the file is its own column
            problems.append({"file": path.name, "row": pd.NA, "column": "transcript", "value": pd.NA,
                             "reason": reason})
    turns = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=TURN_COLUMNS)
    return turns, pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
