"""The demo through the real runner: no clear-text personal data anywhere, and identical reruns."""

import json
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import yaml

from portrait import Study, pipeline
from portrait.collect import collect, privacy

from conftest import DEMO, ROOT


DIGITS = re.compile(r"(?<![0-9a-fA-F])\+?\d[\d\s().-]{7,}\d(?![0-9a-fA-F])")
WORDS = re.compile(r"\w+")
FLOAT = re.compile(r"\d+\.\d{9,}")  # computed decimals: a typed phone has no 9-digit fraction
NOT_A_DIGIT = re.compile(r"\D")


def phone_spellings(written: str) -> set[str]:
    """Every digit string a phone may appear as, worked out here (not by the normaliser under test): the digits
    as written, without an international `00`, and both the national (0XX…) and the +380 forms of a Ukrainian
    number."""
    digits = NOT_A_DIGIT.sub("", written)
    spellings = {digits}
    if digits.startswith("00"):
        digits = digits[2:]
        spellings.add(digits)
    if len(digits) == 10 and digits.startswith("0"):
        spellings.add("38" + digits)
    if len(digits) == 12 and digits.startswith("380"):
        spellings.add(digits[2:])
    return {s for s in spellings if len(s) >= 9}


class PersonalData:
    """Every e-mail, phone, card number and full name in the demo's raw files, and a scanner for them
    that does not reuse the masking code under test."""

    def __init__(self):
        survey = pd.read_csv(DEMO / "survey" / "survey_export.csv", dtype=str, encoding="utf-8-sig")
        holders = pd.read_csv(DEMO / "loyalty" / "cardholders.csv", sep=";", dtype=str, encoding="cp1251")
        people = pd.read_csv(DEMO / "interviews" / "participants.csv", dtype=str)
        phones = pd.concat([survey["What is your phone number?"], holders["Phone"], people["Phone"]]).dropna()
        self.phones = set().union(*(phone_spellings(p) for p in phones))  # a phone must not survive in any form
        self.emails = set(pd.concat([survey["What is your e-mail address?"], holders["E-mail"],
                                     people["E-mail"]]).dropna().str.lower())
        self.cards = set(holders["Card number"].dropna())
        self.names = set(pd.concat([holders["Name"], people["Name"]]).dropna())
        self.sizes = sorted({len(number) for number in self.phones | self.cards})

    def find(self, text: str) -> str | None:
        for match in DIGITS.finditer(text):
            number = match.group()
            # A long decimal fraction is computed, never typed: 0.9956674363431296 holds a phone's ten
            # digits by chance about once in 10^4 floats. Its integer part is still scanned (a phone read as a
            # float, 671234567.0, is caught).
            if FLOAT.fullmatch(number):
                number = number.split(".")[0]
            digits = re.sub(r"\D", "", number)
            for size in self.sizes:
                for i in range(len(digits) - size + 1):
                    window = digits[i:i + size]
                    if window in self.phones or window in self.cards:
                        return match.group()
        # Whitespace-separated tokens holding an "@" (a regex like \S+@\S+ is quadratic on inline images).
        for token in text.split():
            if "@" in token and token.lower().strip(".,;:!?()[]<>\"'") in self.emails:
                return token
        # Consecutive words one space apart, found in one linear pass (a lookahead regex is quadratic on
        # the long base64 "words" of inline images).
        words = list(WORDS.finditer(text))
        for first, second in zip(words, words[1:]):
            if second.start() == first.end() + 1 and text[first.end()] == " ":
                pair = f"{first.group()} {second.group()}"
                if pair in self.names:
                    return pair
        return None


# Between two cells of a table: neither a digit, a space nor a word character, so a match never spans two cells.
CELL_APART = ";\n"


def cells_text(table: pd.DataFrame) -> str:
    """Every column name and each distinct value of a column once, as text (a leak is in a cell: scanning the
    distinct values sees it, without rescanning the repeated ones)."""
    return CELL_APART.join([*map(str, table.columns),
                            *(str(value) for column in table for value in table[column].astype(str).unique())])


def texts_of(folder: Path):
    """Readable text of every output file: parquet tables cell by cell, the rest as written."""
    for path in sorted(folder.rglob("*")):
        if path.suffix == ".parquet":
            yield path, cells_text(pd.read_parquet(path))
        elif path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            yield path, "\n".join(str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row)
        elif path.is_file() and path.suffix in {".html", ".ipynb", ".json", ".md", ".csv"}:
            yield path, path.read_text(encoding="utf-8", errors="replace")


def test_runner_writes_html_per_step_the_report_and_moves_latest(demo_run):
    result, reports = demo_run
    assert result.executed == ["01_collect", "02_survey_coding", "03_interview_coding", "04_segmentation",
                               "05_personas"]
    page = (result.run_dir / "01_collect.html").read_text()
    assert "reconciles" in page and "data:image/png;base64" in page  # tables and inline chart
    for path in [*result.run_dir.glob("*.html")]:
        assert not re.search(r'(src|href)="(https?:)?//', path.read_text()), f"{path.name} must open offline"
    report = (result.run_dir / "report.html").read_text()
    assert 'href="report.html"' in (result.run_dir / "index.html").read_text()
    assert "<script" not in report and "Customer journey maps" in report
    assert (reports / "demo" / "latest").resolve() == result.run_dir


def test_no_clear_text_personal_data_in_processed_or_reports(demo_run):
    _, reports = demo_run
    personal = PersonalData()
    assert len(personal.phones) > 10_000 and len(personal.names) > 300
    # The scanner itself must see a planted leak in each form.
    assert personal.find(f"call {next(iter(personal.emails))}") is not None
    assert personal.find("tel. " + next(p for p in personal.phones if p.startswith("0"))) is not None
    national = next(p for p in personal.phones if len(p) == 10 and p.startswith("0"))
    assert personal.find(f"call +38 ({national[:3]}) {national[3:6]}-{national[6:8]}-{national[8:]}") is not None
    assert personal.find(f"card {next(iter(personal.cards))}.") is not None
    assert personal.find(f"met {next(iter(personal.names))} today") is not None
    # ... and in a table's cells: a phone read as a float, a name among repeated values.
    phone = next(p for p in personal.phones if not p.startswith("0"))
    assert personal.find(cells_text(pd.DataFrame({"n": [1.5, float(phone)]}))) is not None
    assert personal.find(cells_text(pd.DataFrame({"who": ["x", "x", next(iter(personal.names)), None]}))) is not None
    scanned = []
    for folder in [Study.load(DEMO).processed, reports]:
        for path, text in texts_of(folder):
            hit = personal.find(text)
            assert hit is None, f"{path} contains raw personal data {hit!r}"
            scanned.append(path.name)
    assert len(scanned) >= 10
    # The stakeholder report and every persona card were among the files scanned.
    assert scanned.count("report.html") >= 2 and "personas.json" in scanned
    assert sum(name.startswith("segment-") and name.endswith((".html", ".md")) for name in scanned) >= 4


def test_two_collect_runs_give_identical_tables(tmp_path, demo_study):
    secret = privacy.DEMO_SECRET.encode()
    digests = []
    for name in ("first", "second"):
        study = Study(demo_study.folder, demo_study.config, tmp_path / name)
        manifest = collect.write_outputs(study, collect.collect(study, secret), {"study": "demo"})
        digests.append({table: out["sha256"] for table, out in manifest["outputs"].items()})
    assert digests[0] == digests[1]


def test_a_study_with_only_a_survey_runs_collect_and_coding(tmp_path):
    folder = tmp_path / "data" / "raw" / "solo"
    (folder / "survey").mkdir(parents=True)
    shutil.copyfile(DEMO / "survey" / "survey_export.csv", folder / "survey" / "export.csv")
    shutil.copyfile(DEMO / "codebook.yml", folder / "codebook.yml")
    config = yaml.safe_load((DEMO / "study.yml").read_text())
    config["name"], config["parameters"] = "solo", {}
    config["roles"].pop("weighting")  # no targets: unweighted
    config["sources"] = {"survey": {**config["sources"]["survey"], "path": "survey/export.csv"}}
    config["codebooks"] = {"survey": "codebook.yml"}
    (folder / "study.yml").write_text(yaml.safe_dump(config, allow_unicode=True))
    quick = {"n_boot": 2, "models": ["kmeans"], "k_max": 5}  # step 04's full search is tested elsewhere
    result = pipeline.run(str(folder), ROOT, ["01", "02", "04", "05"], quick, reports=tmp_path / "reports",
                          progress=False, say=lambda m: None)
    assert result.executed == ["01_collect", "02_survey_coding", "04_segmentation", "05_personas"]
    processed = tmp_path / "data" / "processed" / "solo"
    coded = pd.read_parquet(processed / "survey_coded.parquet")
    assert len(coded) == 2300 and (coded["weight"] == 1.0).all()  # no targets: unweighted
    assert not (processed / "transactions.parquet").exists() and not (processed / "rfm_customers.parquet").exists()
    segments = pd.read_parquet(processed / "segments.parquet")
    # Respondents who skipped an item of the basis (the demo's item non-response) are kept without a segment.
    answered = coded["quality_ok"] & coded.filter(like="attitudes__").notna().all(axis=1)
    assert len(segments) == int(coded["quality_ok"].sum()) and segments["segment"].notna().sum() == answered.sum()
    assert 0 < (~answered & coded["quality_ok"]).sum() < 0.15 * len(segments)
    assert (processed / "typing_tool.pkl").exists()
    cards = json.loads((processed / "personas.json").read_text())["personas"]
    assert all(c["size"]["value_share"] is None and c["quotes"] == [] for c in cards)  # no card, no interviews


def test_a_study_with_only_a_loyalty_export_runs_collect_segmentation_and_personas(tmp_path):
    folder = tmp_path / "data" / "raw" / "cards"
    (folder / "loyalty").mkdir(parents=True)
    for name in ("cardholders.csv", "transactions.csv"):
        shutil.copyfile(DEMO / "loyalty" / name, folder / "loyalty" / name)
    shutil.copyfile(DEMO / "schemes.yml", folder / "schemes.yml")
    config = yaml.safe_load((DEMO / "study.yml").read_text())
    config.update(name="cards", parameters={}, codebooks={"schemes": "schemes.yml"},
                  sources={k: config["sources"][k] for k in ("cardholders", "transactions")})
    (folder / "study.yml").write_text(yaml.safe_dump(config, allow_unicode=True))
    messages = []
    result = pipeline.run(str(folder), ROOT, None, {"n_boot": 3, "k_max": 5}, reports=tmp_path / "reports",
                          progress=False, say=messages.append)
    assert result.executed == ["01_collect", "04_segmentation", "05_personas"]
    assert any("02_survey_coding: the study has no survey — skipped" in m for m in messages)
    processed = tmp_path / "data" / "processed" / "cards"
    customers = pd.read_parquet(processed / "rfm_customers.parquet")
    segments = pd.read_parquet(processed / "segments.parquet")
    assert len(segments) == len(customers) > 10_000
    assert segments["segment"].notna().all() and segments["scheme__card_frequency"].ne("unclassified").all()
    assert "scheme__brand_relationship" not in segments  # a survey scheme cannot apply
    assert not (processed / "typing_tool.pkl").exists()
    choice = json.loads((processed / "segmentation.json").read_text())
    assert choice["unit"] == "customers" and choice["k"] == len(choice["sizes"])
    # Category breadth (1-8) is a categorical indicator, so latent class analysis runs on the mixed basis.
    assert {row["model"] for row in choice["comparison"]} == {"kmeans", "gmm", "lca"}
    assert all(row["bic"] is not None for row in choice["comparison"] if row["model"] == "lca")
    cards = json.loads((processed / "personas.json").read_text())["personas"]
    assert len(cards) == choice["k"] and all(c["size"]["card_holders"] == c["size"]["respondents"] for c in cards)
    assert (result.run_dir / "report.html").exists()


def test_a_study_with_only_transcripts_runs_collect_and_interview_coding(tmp_path):
    folder = tmp_path / "data" / "raw" / "talks"
    (folder / "interviews").mkdir(parents=True)
    for path in (DEMO / "interviews").iterdir():
        if path.suffix in {".txt", ".md", ".vtt", ".docx"}:
            shutil.copyfile(path, folder / "interviews" / path.name)
    shutil.copyfile(DEMO / "interview_codebook.yml", folder / "interview_codebook.yml")
    config = yaml.safe_load((DEMO / "study.yml").read_text())
    config.update(name="talks", parameters={}, sources={"transcripts": {"path": "interviews"}},
                  codebooks={"interviews": "interview_codebook.yml"})
    (folder / "study.yml").write_text(yaml.safe_dump(config, allow_unicode=True))
    messages = []
    result = pipeline.run(str(folder), ROOT, None, reports=tmp_path / "reports", progress=False,
                          say=messages.append)
    assert result.executed == ["01_collect", "03_interview_coding"]
    assert any("02_survey_coding: the study has no survey — skipped" in m for m in messages)
    segments = pd.read_parquet(tmp_path / "data" / "processed" / "talks" / "codings.parquet")
    assert segments["document"].nunique() == 36


def test_the_appendix_numbers_reach_the_report_as_computed(demo_run):
    # Each headline number of the appendix (alpha, weighting efficiency, agreement, stability) is printed in
    # the stakeholder's report exactly as the steps computed it.
    from portrait import Study
    from portrait.personas import persona_sources
    from portrait.report import method_notes

    result, _ = demo_run
    study = Study.load(ROOT / "data" / "raw" / "demo")
    sources = persona_sources.load(study)
    headline = method_notes.headline(method_notes.gather(study, sources.coded, sources.book))
    assert {"weighting efficiency %", "Krippendorff's alpha", "bootstrap ARI (median)"} <= set(headline["measure"])
    assert headline["measure"].str.startswith("Cronbach's alpha").sum() >= 3
    report = (result.run_dir / "report.html").read_text()
    cells = set(re.findall(r"<td[^>]*>\s*([^<]*?)\s*</td>", report))
    missing = [m for m, v in zip(headline["measure"], headline["value"]) if f"{v:g}" not in cells]
    assert not missing, f"appendix numbers not shown as computed: {missing}"
