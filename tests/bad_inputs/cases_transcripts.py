"""Transcripts: files that cannot be split into speaker turns are quarantined whole; good formats are read."""

from .framework import Case, quarantine, reading


def transcript(name, content, encoding="utf-8"):
    def recipe(folder):
        path = folder / "interviews" / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding=encoding)
    return recipe


def turns_of(document):
    return lambda turns: "; ".join(f"{t.speaker}: {t.text}" for t in turns[turns["document"] == document].itertuples())


VTT = ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Interviewer>What brings you here?\n\n"
       "00:00:04.500 --> 00:00:09.000\n<v Respondent>Good prices &amp; friendly staff.\n")

CASES = [
    Case("transcript without speaker labels", transcript("INT-03.txt", "just my notes, nobody speaking\n"),
         "quarantined", quarantine("transcripts"),
         must=(r"INT-03\.txt row 1 .*line 1: no speaker labels found", r"read 3 = kept 2 \+ quarantined 1")),
    Case("empty transcript", transcript("INT-03.txt", "\n\n"), "quarantined", quarantine("transcripts"),
         must=(r"INT-03\.txt .*the transcript is empty", r"read 3 = kept 2 \+ quarantined 1")),
    Case("broken .docx transcript", transcript("INT-03.docx", b"PK\x03\x04 not really a document"), "quarantined",
         quarantine("transcripts"), must=(r"INT-03\.docx .*not a readable \.docx", r"read 3 = kept 2 \+ quarantined 1")),
    Case("cp1251 transcript", transcript("INT-03.txt", "Інтерв'юер: Що ви купуєте найчастіше?\n"
                                                       "Респондент: Переважно взуття, іноді сумки для роботи.\n",
                                         encoding="cp1251"),
         "accepted", reading("transcripts", turns_of("INT-03")),
         must=(r"read 3 = kept 3", r"Респондент: Переважно взуття, іноді сумки")),
    Case("WebVTT transcript with voice tags", transcript("INT-03.vtt", VTT), "accepted",
         reading("transcripts", turns_of("INT-03")),
         must=(r"read 3 = kept 3", r"Interviewer: What brings you here\?; Respondent: Good prices & friendly staff\.")),
]
