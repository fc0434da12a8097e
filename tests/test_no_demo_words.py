"""The demo is one study among many: no demo variable id, header, brand, currency or sector word in
lib/ or a notebook's code outside the demo generator (every analysis asks the study for a role)."""

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "lib" / "portrait"
DEMO = LIB / "demo"
GENERATORS = [DEMO, LIB / "coffee"]  # the bundled studies' generators write their own study's words

# Single-word names portrait itself gives to columns it derives, not taken from the demo: the card
# holder's `age` and `gender` (from the `cardholders` role), RFM's `frequency`, the transaction roles
# `city` and `store`, the personal-data kind `card`.
PORTRAIT_OWN = {"age", "gender", "frequency", "city", "card", "values", "spend"}


def product_vocabulary() -> set[str]:
    """Role names and persona topics: the articles' vocabulary, which each study maps to its own variables."""
    from portrait.survey import codebook
    from portrait.config import roles

    names = set()
    for model in (roles.Roles, roles.FunnelRoles, roles.DemographicRoles, roles.GeographyRoles, roles.CardholderRoles):
        names |= set(model.model_fields)
    return names | set(codebook.Topic.__args__)
WORDS = ["Loom", "Lark", "fashion", "UAH", "hryvnia", "гривн"]


def demo_vocabulary() -> tuple[set[str], set[str], set[str]]:
    """(ids with an underscore, single-word ids, headers) of the demo's codebook and study.yml."""
    book = yaml.safe_load((DEMO / "codebook.yml").read_text(encoding="utf-8"))
    ids = set()
    headers = set()
    for q in book["questions"]:
        ids.add(q["id"])
        ids |= {f"{q['id']}__{item}" for item in q.get("items", {})}
        if q.get("column"):
            headers.add(q["column"])
    ids |= {s["id"] for s in book.get("scales", [])} | {d["id"] for d in book.get("derived", [])}
    study = yaml.safe_load((DEMO / "study.yml").read_text(encoding="utf-8"))
    for source in study["sources"].values():
        headers |= {v for k, v in source.items() if k in ("id_column", "link_key") and v}
        headers |= set(source.get("personal", {})) | set(source.get("columns", {}).values())
    headers |= {v for v in study["roles"].get("cardholders", {}).values() if v}
    ids -= product_vocabulary()
    return {i for i in ids if "_" in i}, {i for i in ids if "_" not in i} - PORTRAIT_OWN, headers


def product_texts():
    """Every source file of the product outside the demo generator, and the notebooks' code cells."""
    for path in sorted(LIB.rglob("*")):
        if path.is_file() and not any(g in path.parents for g in GENERATORS) and path.suffix in {".py", ".yml", ".j2", ".json", ".css"}:
            yield path.relative_to(ROOT), path.read_text(encoding="utf-8")
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        yield path.relative_to(ROOT), "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_the_vocabulary_is_the_demos():
    distinctive, single, headers = demo_vocabulary()
    assert {"brand_relationship", "attitudes__new_styles", "aware__brand", "age_group"} <= distinctive
    assert {"nps", "religion", "hobbies"} <= single and "Birth year" in headers and "Store" in headers


def test_no_demo_id_header_or_word_outside_the_demo_generator():
    distinctive, single, headers = demo_vocabulary()
    found = []
    for path, text in product_texts():
        for name in distinctive:
            if re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text):
                found.append(f"{path}: {name}")
        for name in single | headers:
            if re.search(rf"[\"']{re.escape(name)}[\"']", text):
                found.append(f"{path}: {name!r}")
        for word in WORDS:
            if word.lower() in text.lower():
                found.append(f"{path}: word {word!r}")
    assert not found, "demo names outside the demo generator:\n" + "\n".join(sorted(found))


def test_the_scan_finds_a_planted_demo_id(tmp_path):
    distinctive, single, _ = demo_vocabulary()
    text = 'funnel = table["considered__brand"]; nps = data["nps"]'
    assert any(re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", text) for n in distinctive)
    assert any(re.search(rf"[\"']{re.escape(n)}[\"']", text) for n in single)
