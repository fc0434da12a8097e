"""Interview transcripts -> one row per speaker turn.

Formats: .txt/.md (`Speaker: text`, `**Speaker:** text`, `**Speaker**: text`, `- Speaker: text`),
.vtt (cues with `<v Speaker>` voice tags or `Speaker:` payloads), .srt (cues with `Speaker:` payloads)
and .docx (each paragraph read like a .txt line). A turn is everything one speaker says until another
speaker starts, so consecutive cues or paragraphs of one speaker merge into one turn. Lines without a
label continue the current turn; lines before the first label (title, date) are skipped.

A transcript without any speaker label is refused rather than guessed at; `read_transcripts` then
reports it as a problem and carries on with the other files.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from portrait.errors import SourceFormatError
from portrait.io.readers import binary_kind, decode_text, readable

TURN_COLUMNS = ["document", "turn", "speaker", "role", "start", "end", "text"]
PROBLEM_COLUMNS = ["file", "row", "column", "value", "reason"]
EXTENSIONS = (".txt", ".md", ".vtt", ".srt", ".docx")
_TURN_TYPES = {"document": "string", "turn": "int64", "speaker": "string", "role": "string",
               "start": "Float64", "end": "Float64", "text": "string"}

_MAX_LABEL = 40
_MAX_NEW_LABEL_WORDS = 3
# Ukrainian is written with any of three apostrophes (Інтерв'юер, Інтерв’юер, Інтервʼюер): one speaker.
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'"})
# Label at the very start of the line: a letter (any script), then letters, digits, spaces, apostrophes or
# hyphens, never sentence punctuation. Optional markdown bullet and bold around it, then a colon.
_LABELLED = re.compile(
    r"^(?:[-*+]\s+)?(?:\*\*)?"  # "- " bullet, "**" bold
    r"(?P<label>[^\W\d_](?:[^\W_]|[ '’ʼ-])*?)\s*(?:\*\*)?\s*:(?:\*\*)?"  # "Speaker:", "Speaker**:", "Speaker:**"
    r"\s*(?P<text>.*)$"
)
_HEADING = re.compile(r"^#{1,6}(?:\s|$)")
_STAMP = r"(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3}"  # hours are optional in WebVTT
_TIMING = re.compile(rf"^\s*(?P<start>{_STAMP})\s*-->\s*(?P<end>{_STAMP})")
_VOICE = re.compile(r"^\s*<v(?:\.[^\s>]+)*\s+(?P<label>[^>]+)>(?P<text>.*)$")
_TAG = re.compile(r"<[^>]*>")


class TranscriptFormatError(SourceFormatError):
    """A SourceFormatError that also knows the line (or .docx paragraph) it is about, if any."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


@dataclass
class _Turn:
    speaker: str
    start: float | None
    end: float | None
    parts: list[str] = field(default_factory=list)


class _Turns:
    """Collects speech line by line; a line by the current speaker, or without a speaker, extends the turn."""

    def __init__(self, interviewer_labels: list[str]):
        # Configured interviewer labels count as known from the first line, e.g. a lower-case "interviewer:".
        self.known = {_key(label) for label in interviewer_labels}
        self.turns: list[_Turn] = []
        self.first_text_line: int | None = None  # where the reader should look if no label is found

    def add(self, number: int, text: str, speaker: str | None = None,
            start: float | None = None, end: float | None = None) -> None:
        """Add one line of speech; `speaker` is None for a line without a label."""
        if self.first_text_line is None:
            self.first_text_line = number
        last = self.turns[-1] if self.turns else None
        if speaker is not None and (last is None or _key(speaker) != _key(last.speaker)):
            self.known.add(_key(speaker))
            self.turns.append(_Turn(speaker, start, end, [text]))
        elif last is not None:
            last.parts.append(text)
            last.end = end if end is not None else last.end
        # Text before the first speaker label is a title or metadata header: skipped.

    def split_label(self, line: str) -> tuple[str | None, str]:
        """(speaker, text) when the line opens with a speaker label, else (None, line).

        "I said: no" inside an answer must stay text, so a label counts only if it is a known speaker
        or looks like a new one: at most three words, each starting with a capital letter or digit.
        """
        match = _LABELLED.match(line)
        if match:
            label = match["label"].strip()
            words = label.split()
            looks_new = len(words) <= _MAX_NEW_LABEL_WORDS and all(w[0].isupper() or w[0].isdigit()
                                                                    for w in words)
            if len(label) <= _MAX_LABEL and (_key(label) in self.known or looks_new):
                return label, match["text"]
        return None, line


def _key(label: str) -> str:
    """Comparison form of a label: trimmed, case-folded, one kind of apostrophe, single spaces."""
    return " ".join(label.translate(_APOSTROPHES).casefold().split())


def _seconds(stamp: str) -> float:
    """'01:02:03.250', '01:02.500' or '00:00:01,000' -> seconds."""
    value = 0.0
    for part in stamp.replace(",", ".").split(":"):
        value = value * 60 + float(part)
    return value


def _read_lines(numbered: list[tuple[int, str]], turns: _Turns) -> None:
    """Plain text (.txt, .md, .docx): a labelled line opens a turn, any other line continues it."""
    for number, line in numbered:
        if line.strip() and not _HEADING.match(line):
            speaker, text = turns.split_label(line)
            turns.add(number, text, speaker)


def _read_cues(lines: list[str], turns: _Turns) -> None:
    """WebVTT and SRT: payload lines follow a timing line up to the next blank line."""
    cue: tuple[float, float] | None = None  # (start, end) while inside a cue's payload
    for number, line in enumerate(lines, start=1):
        timing = _TIMING.match(line)
        if timing:
            cue = (_seconds(timing["start"]), _seconds(timing["end"]))
        elif not line.strip():
            cue = None
        elif cue is not None:  # lines outside a cue (WEBVTT header, NOTE/STYLE blocks, cue numbers) are skipped
            voice = _VOICE.match(line)
            if voice:
                speaker, text = voice["label"].strip(), voice["text"]
            else:
                speaker, text = turns.split_label(_TAG.sub("", line))
            turns.add(number, html.unescape(_TAG.sub("", text)), speaker, *cue)


def _no_cues(path: Path, lines: list[str]) -> None:
    """A subtitle file with text but no readable cue: name the first timing line that could not be read."""
    text = [(n, line) for n, line in enumerate(lines, start=1)
            if line.strip() and not line.strip().upper().startswith("WEBVTT")]
    if not text:
        return  # truly empty: the caller says so
    timing = next(((n, line) for n, line in text if "-->" in line or re.search(r"\d:\d\d", line)), None)
    if timing:
        raise TranscriptFormatError(
            f"{path}, line {timing[0]}: the cue timing {timing[1].strip()[:80]!r} cannot be read. Write timings as "
            "'00:01:02.500 --> 00:01:05.000' (hours optional; ',' before the milliseconds in .srt).", timing[0])
    raise TranscriptFormatError(f"{path}, line {text[0][0]}: no cue timings ('00:00:01.000 --> 00:00:04.000') "
                                "found. Export the subtitles again, or save the transcript as .txt.", text[0][0])


def _docx_paragraphs(path: Path) -> list[tuple[int, str]]:
    """(paragraph number, text) pairs; a line break inside a paragraph starts a new line."""
    import docx

    try:
        paragraphs = docx.Document(str(path)).paragraphs
    except Exception as exc:  # python-docx raises assorted zip/XML errors for a damaged or fake file
        raise TranscriptFormatError(
            f"{path}: not a readable .docx ({exc}). Open it in Word and save it again."
        ) from None
    return [(number, line) for number, p in enumerate(paragraphs, start=1) for line in p.text.splitlines()]


def read_transcript(path: Path, interviewer_labels: list[str], encoding: str = "auto") -> pd.DataFrame:
    """One row per speaker turn (columns TURN_COLUMNS).

    document = file stem; turn = 1..n; speaker = label as written; role = "interviewer" when the label is
    one of `interviewer_labels` (ignoring case, surrounding spaces and apostrophe style), else
    "respondent"; start/end = seconds for .vtt/.srt, NA otherwise; text with whitespace collapsed.
    Raises SourceFormatError (TranscriptFormatError) for an unsupported extension, an empty transcript
    and a transcript without speaker labels.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXTENSIONS:
        raise TranscriptFormatError(
            f"{path}: unsupported transcript format {suffix!r}. Save it as {', '.join(EXTENSIONS)} "
            "or move it out of the transcripts folder."
        )
    turns = _Turns(interviewer_labels)
    place = "paragraph" if suffix == ".docx" else "line"
    if suffix == ".docx":
        _read_lines(_docx_paragraphs(path), turns)
    else:
        data = path.read_bytes()
        kind = binary_kind(data)
        if kind:
            raise TranscriptFormatError(f"{path}: this is not a text file but {kind}. Save the transcript as "
                                        f"{', '.join(EXTENSIONS)} with the matching file extension.")
        lines = readable(decode_text(data, encoding, path)).splitlines()
        if suffix in (".vtt", ".srt"):
            _read_cues(lines, turns)
            if turns.first_text_line is None:
                _no_cues(path, lines)
        else:
            _read_lines(list(enumerate(lines, start=1)), turns)
    if turns.first_text_line is None:
        raise TranscriptFormatError(
            f"{path}: the transcript is empty. Export it again or remove it from the folder."
        )
    rows = [(t.speaker, t.start, t.end, " ".join(" ".join(t.parts).split())) for t in turns.turns]
    rows = [row for row in rows if row[3]]  # a label with nothing said ("Respondent:" alone) is no turn
    if not rows:
        raise TranscriptFormatError(
            f"{path}, {place} {turns.first_text_line}: no speaker labels found. Start each turn with the "
            "speaker's label, e.g. 'Interviewer: …' then 'Respondent: …' (in .vtt also '<v Speaker>…').",
            turns.first_text_line,
        )
    interviewers = {_key(label) for label in interviewer_labels}
    frame = pd.DataFrame(rows, columns=["speaker", "start", "end", "text"])
    frame["document"] = path.stem
    frame["turn"] = range(1, len(frame) + 1)
    frame["role"] = ["interviewer" if _key(s) in interviewers else "respondent" for s in frame["speaker"]]
    return frame[TURN_COLUMNS].astype(_TURN_TYPES)


def is_inside(path: Path, folder: Path) -> bool:
    """Whether `path`, every link resolved, lies inside `folder`."""
    resolved, root = Path(path).resolve(), Path(folder).resolve()
    return resolved == root or root in resolved.parents


def read_transcripts(folder: Path, interviewer_labels: list[str], encoding: str = "auto",
                     confine_to: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every transcript in `folder` (by name, not recursive; other files ignored) -> (turns, problems).

    A file refused with SourceFormatError is not fatal: it becomes a row of `problems` (PROBLEM_COLUMNS:
    file name, line number or NA, column "transcript", value NA, reason = the error message) and
    contributes no turns. With `confine_to` (the study folder), a file that resolves outside it (a
    symbolic link to somewhere else) is refused unread, the same way.
    """
    frames, problems = [], []
    for path in sorted(Path(folder).iterdir(), key=lambda p: p.name):
        if not path.is_file() or path.suffix.lower() not in EXTENSIONS:
            continue
        if confine_to is not None and not is_inside(path, confine_to):
            problems.append({"file": path.name, "row": None, "column": "transcript", "value": None,
                             "reason": "the file links to a place outside the study folder and was not read; "
                                       "copy the transcript itself into the folder"})
            continue
        try:
            frames.append(read_transcript(path, interviewer_labels, encoding))
        except SourceFormatError as exc:  # decode_text raises the plain kind, which has no line
            problems.append({"file": path.name, "row": getattr(exc, "line", None), "column": "transcript",
                             "value": None, "reason": str(exc)})
    turns = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=TURN_COLUMNS)
    problem_frame = pd.DataFrame(problems, columns=PROBLEM_COLUMNS)
    return (turns.astype(_TURN_TYPES),
            problem_frame.astype({"file": "string", "row": "Int64", "column": "string", "value": "string",
                                  "reason": "string"}))
