"""The base study every case damages, the hostile study the pipeline cases share, and recipe helpers.

`build(root)` writes a small, clean study to `root/data/raw/base` (all five sources, tens of rows, every
row valid): step 01 reads every row of it and quarantines nothing. A recipe then damages that fresh copy.
`CLEAR` lists every clear personal value the base study holds and every value a recipe plants (names,
e-mails, phones, card numbers, IBANs, the content of files outside the study): the leak scan looks for
each of them in everything a case wrote.
"""

from __future__ import annotations

import contextlib
import csv
import io
import textwrap
from pathlib import Path

import numpy as np
import yaml

SECRET = b"bad-inputs-secret"

STUDY_YML = """
name: base
brand: Acme
languages: [en, uk]
privacy: {allow_demo_secret: true}
sources:
  survey:
    path: survey.csv
    id_column: ID
    link_key: Phone
    personal: {Name: name, Email: email, Phone: phone}
    open_text: [Comment]
    quality:
      submitted_column: Submitted
      duration_column: Seconds
      duplicate_on: [Email]
      grids: [{name: agree, columns: "^Agree", min: 1, max: 5}]
  transcripts:
    path: interviews
  participants:
    path: interviews/participants.csv
    id_column: Interview
    link_key: Phone
    personal: {Name: name, Phone: phone, E-mail: email}
  cardholders:
    path: cards.csv
    id_column: Card
    link_key: Phone
    personal: {Card: card, Name: name, Phone: phone}
  transactions:
    path: tx.csv
    personal: {Card number: card}
    decimal: "."
    export_date: 2026-06-30
    columns: {customer: Card number, date: Date, amount: Amount, receipt: Receipt, store: Store, city: City,
              channel: Channel, category: Category, discount: Discount, new_collection: New collection}
"""

SURVEY_HEADER = ["ID", "Submitted", "Seconds", "Name", "Email", "Phone", "City", "Agree 1", "Agree 2", "Agree 3",
                 "Comment"]
SURVEY_ROWS = [
    ["1", "2026-01-01 10:00", "600", "Yaryna Kovalchuk", "yaryna.kovalchuk@example.com", "+380 67 123 45 67", "Kyiv",
     "1", "5", "2", "Call me on 067 123 45 67 please"],
    ["2", "2026-01-01 10:05", "590", "Ostap Hnatyshyn", "ostap.hnatyshyn@example.org", "0509876543", "Lviv",
     "4", "4", "3", "Too expensive, sorry"],
    ["3", "2026-01-01 10:20", "610", "Zlata Prokopovych", "zlata.prokopovych@example.net", "+380 93 555 12 34", "Одеса",
     "3", "2", "4", "Дуже дорого"],
    ["4", "2026-01-02 09:00", "580", "Myroslav Fedoryshyn", "myroslav.f@example.com", "0661230099", "Dnipro",
     "2", "3", "5", "Nice shop"],
    ["5", "2026-01-02 09:30", "605", "Solomiia Dziuba", "solomiia.dziuba@example.com", "+380 97 700 11 22", "Kyiv",
     "5", "1", "2", ""],
]
PARTICIPANTS = ("Interview,Name,Phone,E-mail\n"
                "INT-01,Yaryna Kovalchuk,+380671234567,yaryna.kovalchuk@example.com\n"
                "INT-02,Ostap Hnatyshyn,0509876543,ostap.hnatyshyn@example.org\n")
TRANSCRIPTS = {
    "INT-01.txt": "Interviewer: Hello, tell me about yourself.\n"
                  "Yaryna: I am Yaryna Kovalchuk, I buy bags. Call 067 123 45 67.\n"
                  "Interviewer: Thanks.\nYaryna: Write to yaryna.kovalchuk@example.com.\n",
    "INT-02.txt": "Interviewer: What do you buy?\nRespondent: Shoes, mostly. Ostap Hnatyshyn, if you need a name.\n"
                  "Interviewer: Thank you.\nRespondent: You are welcome.\n",
}
CARDS = ("Card;Name;Phone;City\n"
         "2700000000001234;Yaryna Kovalchuk;380671234567;Kyiv\n"
         "2700000000005678;Ostap Hnatyshyn;+380 50 987 65 43;Lviv\n"
         "2700000000009012;Zlata Prokopovych;0935551234;Odesa\n")
TX_HEADER = "Receipt;Card number;Date;Store;City;Channel;Category;Amount;Discount;New collection"
TX_ROWS = [
    "A1;2700000000001234;2026-01-02 12:00;Kyiv Podil;Kyiv;store;Tops;900.50;1;0",
    "A1;2700000000001234;2026-01-02 12:00;Kyiv Podil;Kyiv;store;Bags;2000;0;1",
    "A2;2700000000005678;2026-02-03 18:30;Online shop;Lviv;online;Shoes;1500;0;0",
    "A3;2700000000005678;2026-03-05 11:10;Lviv Center;Lviv;store;Tops;450.25;1;0",
    "A4;2700000000009012;2026-04-06 15:45;Online shop;Odesa;online;Bags;1200;0;1",
    "A5;2700000000009012;2026-05-07 10:00;Odesa Arcadia;Odesa;store;Shoes;3100;0;0",
]

# Clear personal values of the base study (and of the hostile study), and what recipes plant.
NAMES = ["Yaryna", "Kovalchuk", "Ostap", "Hnatyshyn", "Zlata", "Prokopovych", "Myroslav", "Fedoryshyn", "Solomiia",
         "Dziuba", "Bohdana Tkachyshyn", "Tkachyshyn"]
EMAILS = ["yaryna.kovalchuk@example.com", "ostap.hnatyshyn@example.org", "zlata.prokopovych@example.net",
          "myroslav.f@example.com", "solomiia.dziuba@example.com"]
PHONES = ["+380 67 123 45 67", "123 45 67", "0671234567", "380671234567", "0509876543", "987 65 43", "+380 93 555 12 34",
          "555 12 34", "0935551234", "0661230099", "+380 97 700 11 22", "700 11 22", "0977001122"]
CARDS_CLEAR = ["2700000000001234", "2700000000005678", "2700000000009012"]
PLANTED = [
    "stray.person@example.net", "eve.shifted@example.com", "+380 67 999 88 77", "999 88 77", "2700000000007777",
    "petrenko", "ivan[at]gmail", "ivan (at) mail", "olena.backup", "5168742000000",
    "UA21322313000002600723356600", "322313000002600723356600", "4111 1111 1111 1111", "4111111111111111",
    "(067) 765-43-21", "765-43-21", "0677654321",
    "SECRET-OUTSIDE-TEXT", "root:x:0:0",
]
CLEAR = NAMES + EMAILS + PHONES + CARDS_CLEAR + PLANTED


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def build(root: Path, name: str = "base") -> Path:
    """The clean base study in `root/data/raw/<name>`; outputs go to `root/data/processed/<name>`."""
    folder = root / "data" / "raw" / name
    (folder / "interviews").mkdir(parents=True)
    (folder / "study.yml").write_text(textwrap.dedent(STUDY_YML).replace("name: base", f"name: {name}"),
                                      encoding="utf-8")
    (folder / "survey.csv").write_text(csv_text(SURVEY_HEADER, SURVEY_ROWS), encoding="utf-8")
    (folder / "interviews" / "participants.csv").write_text(PARTICIPANTS, encoding="utf-8")
    for file, text in TRANSCRIPTS.items():
        (folder / "interviews" / file).write_text(text, encoding="utf-8")
    (folder / "cards.csv").write_text(CARDS, encoding="utf-8")
    (folder / "tx.csv").write_text("\n".join([TX_HEADER, *TX_ROWS]) + "\n", encoding="utf-8")
    return folder


def outputs_of(folder: Path) -> Path:
    """Where step 01 and later write a study's tables: data/processed/<study> beside data/raw."""
    return folder.parents[1] / "processed" / folder.name


# ------------------------------------------------------------------ helpers for recipes

def edit(path: Path, old: str, new: str, encoding: str = "utf-8") -> None:
    """Replace the first `old` in a file by `new`; a recipe whose target is not there fails loudly."""
    text = path.read_text(encoding=encoding)
    assert old in text, f"recipe: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding=encoding)


def append(path: Path, line: str, encoding: str = "utf-8") -> None:
    """Add one line at the end of a file."""
    with path.open("a", encoding=encoding, newline="") as handle:
        handle.write(line + "\n")


def survey(folder: Path, rows: list[list[str]] | None = None, header: list[str] | None = None,
           delimiter: str = ",", encoding: str = "utf-8", file: str = "survey.csv") -> Path:
    """Rewrite the survey export (by default the base rows) with another delimiter, encoding or rows."""
    path = folder / file
    path.write_bytes(csv_text(header or SURVEY_HEADER, rows if rows is not None else SURVEY_ROWS, delimiter)
                     .encode(encoding))
    return path


def set_answer(folder: Path, respondent: int, column: str, value: str) -> None:
    """Put `value` into one cell of the survey (respondent = 1-based row of SURVEY_ROWS)."""
    rows = [list(r) for r in SURVEY_ROWS]
    rows[respondent - 1][SURVEY_HEADER.index(column)] = value
    survey(folder, rows)


@contextlib.contextmanager
def config(folder: Path):
    """Edit study.yml as a mapping: `with config(folder) as c: c["sources"]["transactions"]["decimal"] = ","`."""
    path = folder / "study.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    yield data
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def outside(folder: Path) -> Path:
    """A folder beside the case, outside the study (and outside what the leak scan reads)."""
    path = folder.parents[2] / "outside"
    path.mkdir(exist_ok=True)
    return path


# ------------------------------------------------------------------ the hostile study of the pipeline cases

MARKUP = "<img src=x onerror=alert({n})>"          # n: 1 file name, 2 participant label, 3 open answer, 4 label
FORMULA_IDS = ["=HYPERLINK(\"http://x\",\"y\")", "+cmd|' /C calc'!A0", "@SUM(1)"]
HOSTILE_CODEBOOK = """\
questions:
  - {id: gender, column: Gender, type: single, labels: {1: Female, 2: Male}, topic: demographics}
  - {id: region, column: Region, type: single, labels: {1: North, 2: "South <img src=x onerror=alert(4)>",
                                                    3: '=HYPERLINK("http://x","East")'}}
  - {id: age, column: Age, type: numeric, range: [18, 90], topic: demographics}
  - {id: agree, pattern: "^Agree - (.+)$", type: likert, range: [1, 5], topic: psychographics}
  - {id: comment, column: Comment, type: open, label: Comment}
scales:
  - {id: outgoing, label: Outgoing, items: [agree__parties, agree__new_people, agree__talk], topic: psychographics}
  - {id: careful, label: Careful, items: [agree__plans, agree__savings, agree__checks], topic: psychographics}
derived:
  - {id: age_band, label: Age band, order: [under 40, 40+], topic: demographics,
     rules: [{value: under 40, when: "age < 40"}, {value: 40+, when: "age >= 40"}]}
"""
HOSTILE_CODE_FRAME = """\
question: comment
codes:
  - code: price
    label: Price
    patterns: {en: [price, expensive, cheap, discount]}
  - code: service
    label: Service
    patterns: {en: [staff, service, friendly]}
"""
HOSTILE_INTERVIEW_CODEBOOK = """\
groups:
  motive: {label: Needs and motives, description: Why the participant buys.}
  barrier: {label: Barriers, description: What stops the participant from buying.}
codes:
  - {code: price, group: motive, label: Price, definition: Talks about prices and discounts.,
     patterns: {en: [price, discount, sale, cheap]}}
  - {code: quality, group: motive, label: Quality, definition: Talks about quality.,
     patterns: {en: [quality, fabric, durable]}}
  - {code: queue, group: barrier, label: Queues, definition: Waiting in line.,
     patterns: {en: [queue, wait, line]}}
"""
HOSTILE_STUDY = """\
name: hostile
brand: Acme
languages: [en]
privacy: {allow_demo_secret: true}
sources:
  survey:
    path: survey.csv
    id_column: ID
    link_key: Phone
    personal: {Email: email, Phone: phone}
    open_text: [Comment]
  transcripts: {path: interviews}
  participants:
    path: interviews/participants.csv
    id_column: Interview
    link_key: Phone
    personal: {Name: name, Phone: phone}
  cardholders:
    path: cards.csv
    id_column: Card
    link_key: Phone
    personal: {Card: card, Name: name, Phone: phone}
  transactions:
    path: tx.csv
    personal: {Card number: card}
    decimal: "."
    export_date: 2026-06-30
    columns: {customer: Card number, date: Date, amount: Amount, receipt: Receipt, store: Store, channel: Channel,
              category: Category}
codebooks:
  survey: codebook.yml
  open_ended: open_codes.yml
  interviews: interview_codebook.yml
roles:
  currency: UAH
  demographics: {gender: gender, age: age_band}
  geography: {region: region}
parameters:
  04_segmentation: {k_min: 2, k_max: 3}
"""
ITEMS = {"parties": 0, "new_people": 0, "talk": 0, "plans": 1, "savings": 1, "checks": 1}
HOSTILE_COMMENTS = ["Prices are too expensive", "Friendly staff and good service", "<img src=x onerror=alert(3)> nice",
                    "Write to ivan dot petrenko at gmail dot com", "cheap and cheerful", "ivan[at]gmail.com knows",
                    "call (067) 765-43-21", ""]
HOSTILE_TRANSCRIPT = ("Interviewer: Why do you shop with us?\n"
                      "Respondent: The price and the discount days. My card is 4111 1111 1111 1111.\n"
                      "Interviewer: Anything that stops you?\n"
                      "Respondent: The queue, I wait in line too long. <img src=x onerror=alert(3)> Quality is fine.\n")


def build_hostile(root: Path, n: int = 240, seed: int = 5) -> Path:
    """A study every step runs on, with markup and formula-like values planted where a reader meets them:
    a transcript file name and participant label (1, 2), an open answer and a transcript turn (3), a codebook
    label (4); formula-like respondent ids and a formula-like codebook label; obfuscated contacts and a card in
    free text."""
    folder = root / "data" / "raw" / "hostile"
    (folder / "interviews").mkdir(parents=True)
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 2, n)
    header = ["ID", "Email", "Phone", "Gender", "Region", "Age", *[f"Agree - {i}" for i in ITEMS], "Comment"]
    regions = ["North", "South <img src=x onerror=alert(4)>"]  # the South stands out in segment 1
    rows = []
    for i in range(n):
        rid = FORMULA_IDS[i] if i < len(FORMULA_IDS) else str(1000 + i)
        email, phone = ((EMAILS[i - 3], PHONES[[0, 4, 6, 9, 10][i - 3]]) if 3 <= i < 8
                        else ("", f"+380 44 {100 + i:03d} {i % 100:02d} {i % 7:02d}"))
        answers = [str(int(np.clip(np.rint(rng.normal(4.2 if group[i] == side else 1.8, 0.8)), 1, 5)))
                   for side in ITEMS.values()]
        rows.append([rid, email, phone, rng.choice(["Female", "Male"]),
                     regions[1] if (group[i] == 0) == (rng.random() < 0.8) else regions[0],
                     str(rng.integers(18, 80)), *answers, HOSTILE_COMMENTS[i % len(HOSTILE_COMMENTS)]])
    (folder / "survey.csv").write_text(csv_text(header, rows), encoding="utf-8")
    (folder / "codebook.yml").write_text(HOSTILE_CODEBOOK, encoding="utf-8")
    (folder / "open_codes.yml").write_text(HOSTILE_CODE_FRAME, encoding="utf-8")
    (folder / "interview_codebook.yml").write_text(HOSTILE_INTERVIEW_CODEBOOK, encoding="utf-8")
    (folder / "study.yml").write_text(HOSTILE_STUDY, encoding="utf-8")
    names = [MARKUP.format(n=1), "INT-02", "INT-03"]
    participants = [["Interview", "Name", "Phone", "Label"]]
    for number, stem in enumerate(names):
        (folder / "interviews" / f"{stem}.txt").write_text(HOSTILE_TRANSCRIPT, encoding="utf-8")
        participants.append([stem, ["Yaryna Kovalchuk", "Ostap Hnatyshyn", "Zlata Prokopovych"][number],
                             ["+380671234567", "0509876543", "0935551234"][number],
                             MARKUP.format(n=2) if number == 0 else "regular"])
    (folder / "interviews" / "participants.csv").write_text(csv_text(participants[0], participants[1:]),
                                                             encoding="utf-8")
    (folder / "cards.csv").write_text(CARDS, encoding="utf-8")
    lines = [TX_HEADER.replace(";City", "").replace(";Discount;New collection", "")]
    cards = CARDS_CLEAR
    for i in range(60):
        lines.append(f"R{i};{cards[i % 3]};2026-0{1 + i % 5}-{10 + i % 18} 12:00;Store {i % 4};"
                     f"{'online' if i % 3 == 0 else 'store'};{['Tops', 'Bags', 'Shoes'][i % 3]};{100 + 37 * i}")
    (folder / "tx.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
