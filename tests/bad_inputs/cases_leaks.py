"""Personal data and outside content that must never reach an output: links out of the study, contacts in
columns nobody declared personal, contacts and names in free text, however they are written."""

import json

from portrait.errors import PortraitError

from .base import SURVEY_HEADER, SURVEY_ROWS, append, config, outside, set_answer, survey
from .framework import Case, Outcome, error, masking, step01


def link_out(target):
    """A transcript in the study that is a symbolic link to `target` (a path, or a secret file made outside)."""
    def recipe(folder):
        if target == "secret":
            secret = outside(folder) / "notes.txt"
            secret.write_text("Interviewer: hi\nRespondent: SECRET-OUTSIDE-TEXT lives here, by the way.\n")
            (folder / "interviews" / "INT-98.txt").symlink_to(secret)
        else:
            (folder / "interviews" / "INT-98.txt").symlink_to(target)
    return recipe


def not_read_nor_hashed(folder):
    """The linked transcript: its quarantine entry, and whether the manifest hashed it as an input."""
    try:
        study, result = step01(folder)
    except PortraitError as exc:
        return Outcome("error", f"{type(exc).__name__}: {exc}")
    rows = result.quarantine[result.quarantine["file"] == "INT-98.txt"]
    inputs = json.loads((study.processed / "manifest_01_collect.json").read_text())["inputs"]
    hashed = "hashed into the manifest" if any("INT-98" in key for key in inputs) else "not in the manifest"
    if rows.empty:
        return Outcome("accepted", f"INT-98.txt read; {hashed}")
    return Outcome("quarantined", f"INT-98.txt: {rows['reason'].iloc[0]}; {hashed}")


def extra_column(name, values):
    """A survey column nobody declared personal, one value per respondent."""
    def recipe(folder):
        survey(folder, [row + [values(i)] for i, row in enumerate(SURVEY_ROWS, start=1)], [*SURVEY_HEADER, name])
    return recipe


def survey_path_links_out(folder):
    secret = outside(folder) / "export.csv"
    secret.write_text("ID,Comment\n1,SECRET-OUTSIDE-TEXT\n")
    (folder / "survey.csv").unlink()
    (folder / "survey.csv").symlink_to(secret)


def transcript_line(line):
    return lambda folder: append(folder / "interviews" / "INT-02.txt", line)


def path_outside(path):
    def recipe(folder):
        with config(folder) as c:
            c["sources"]["transactions"]["path"] = path
    return recipe


CASES = [
    Case("transcript linking to a secret file outside the study", link_out("secret"), "quarantined", not_read_nor_hashed,
         must=(r"links to a place outside the study folder and was not read", "not in the manifest")),
    Case("transcript linking to /etc/passwd", link_out("/etc/passwd"), "quarantined", not_read_nor_hashed,
         must=(r"links to a place outside the study folder and was not read", "not in the manifest")),
    Case("survey file linking outside the study", survey_path_links_out, "error", error(),
         must=(r"survey\.csv", "leaves the study folder", "keep raw files inside it")),
    Case("source path ../.. outside the study", path_outside("../../outside.csv"), "error", error(),
         must=(r"`\.\./\.\./outside\.csv` leaves the study folder", "keep raw files inside it")),
    Case("source path absolute, outside the study", path_outside("/etc/passwd"), "error", error(),
         must=(r"`/etc/passwd` leaves the study folder", "keep raw files inside it")),
    Case("undeclared e-mail column", extra_column("Backup contact", lambda i: f"olena.backup{i}@example.org"), "error",
         error(), must=(r"survey\.csv: personal data in column\(s\) not declared personal",
                        r"'Backup contact': 5 of 5 values are email addresses",
                        r"add `Backup contact: email` under `sources\.survey\.personal`")),
    Case("undeclared card column", extra_column("Card on file", lambda i: f"516874200000000{i}"), "error", error(),
         must=(r"survey\.csv: personal data", r"'Card on file': 5 of 5 values are card numbers",
               r"add `Card on file: card` under `sources\.survey\.personal`")),
    Case("undeclared IBAN column", extra_column("Refund IBAN", lambda i: f"UA21322313000002600723356600{i}"), "error",
         error(), must=(r"survey\.csv: personal data", r"'Refund IBAN': 5 of 5 values are iban numbers",
                        r"add `Refund IBAN: other` under `sources\.survey\.personal`")),
    Case("stray e-mail typed into one answer cell", lambda f: set_answer(f, 4, "City", "stray.person@example.net"),
         "masked", masking("respondents", "City"), must=(r"respondents\.City: '\[email\]'",)),
    Case("e-mail written 'ivan dot petrenko at gmail dot com' in an open answer",
         lambda f: set_answer(f, 2, "Comment", "Write to ivan dot petrenko at gmail dot com please"), "masked",
         masking("respondents", "Comment", "Write to"), must=(r"'Write to \[email\] please'",)),
    Case("e-mail written 'ivan[at]gmail.com' in an open answer",
         lambda f: set_answer(f, 2, "Comment", "Write to ivan[at]gmail.com please"), "masked",
         masking("respondents", "Comment", "Write to"), must=(r"'Write to \[email\] please'",)),
    Case("e-mail written 'ivan (at) mail (dot) ua' in an open answer",
         lambda f: set_answer(f, 2, "Comment", "Write to ivan (at) mail (dot) ua please"), "masked",
         masking("respondents", "Comment", "Write to"), must=(r"'Write to \[email\] please'",)),
    Case("obfuscated e-mails in a transcript",
         transcript_line("Respondent: ivan dot petrenko at gmail dot com, or ivan (at) mail (dot) ua, whichever"),
         "masked", masking("turns", "text", "whichever"), must=(r"\[email\], or \[email\], whichever",)),
    Case("IBAN in an open answer", lambda f: set_answer(f, 2, "Comment", "Refund to UA213223130000026007233566001 thanks"),
         "masked", masking("respondents", "Comment", "Refund to"), must=(r"'Refund to \[iban\] thanks'",)),
    Case("IBAN in a transcript", transcript_line("Respondent: my IBAN is UA21 3223 1300 0002 6007 2335 6600 1, bye"),
         "masked", masking("turns", "text", "my IBAN is"), must=(r"my IBAN is \[iban\], bye",)),
    Case("phone in an open answer", lambda f: set_answer(f, 2, "Comment", "Ring (067) 765-43-21 after six"), "masked",
         masking("respondents", "Comment", "after six"), must=(r"\[phone\] after six",)),
    Case("card number in an open answer", lambda f: set_answer(f, 2, "Comment", "My card 4111 1111 1111 1111 is blocked"),
         "masked", masking("respondents", "Comment", "is blocked"), must=(r"'My card \[card\] is blocked'",)),
    Case("phone and card number in a transcript",
         transcript_line("Respondent: call 0677654321, card 4111111111111111, all good"), "masked",
         masking("turns", "text", "all good"), must=(r"call \[phone\], card \[card\], all good",)),
    Case("respondent labelled by her own name in the notes", None, "masked", masking("turns", "speaker"),
         must=(r"turns\.speaker: '\[name\]'",)),
    Case("participant's full name said in a transcript", None, "masked", masking("turns", "text", "if you need a name"),
         must=(r"\[name\] \[name\], if you need a name",)),
]
