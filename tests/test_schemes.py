"""Rule-based schemes: one value or `unclassified` with a reason; errors name the variable; demo recovery."""

import textwrap

import pandas as pd
import pytest

from portrait.errors import CodebookError
from portrait.segments.schemes import UNCLASSIFIED, applicable, apply_schemes, load_schemes

from conftest import TRUTH

YAML = textwrap.dedent("""
    schemes:
      - id: price
        label: Price orientation
        rules:
          - {value: hunter, when: "sale_only >= 4"}
          - {value: full price, when: "sale_only <= 2"}
""")


def schemes(tmp_path, text=YAML):
    path = tmp_path / "schemes.yml"
    path.write_text(text)
    return load_schemes(path)


def test_every_respondent_gets_one_value_or_a_reason(tmp_path):
    data = pd.DataFrame({"sale_only": pd.array([5, 1, 3, None], dtype="Float64")})
    result = apply_schemes(data, schemes(tmp_path))
    assert result.values["price"].tolist() == ["hunter", "full price", UNCLASSIFIED, UNCLASSIFIED]
    assert result.reasons["price"].tolist() == ["", "", "no rule matched", "missing: sale_only"]
    table = result.table("price")
    assert table["respondents"].tolist() == [1, 1, 2] and table["%"].sum() == 100


def test_unknown_variable_is_named_with_a_suggestion(tmp_path):
    data = pd.DataFrame({"sale_only": [5.0]})
    with pytest.raises(CodebookError, match=r"unknown variable `sale_onl`. Did you mean 'sale_only'\?"):
        apply_schemes(data, schemes(tmp_path, YAML.replace("sale_only >= 4", "sale_onl >= 4")))


@pytest.fixture(scope="module")
def coded_with_cards(demo_study):
    from portrait.segments import rfm

    coded = demo_study.read("survey_coded")
    customers = rfm.customer_features(demo_study.table_path("transactions"))
    return coded.join(rfm.respondent_behaviour(coded, demo_study.read("cardholders"), customers))


def test_demo_schemes_recover_the_planted_dimensions(demo_study, coded_with_cards):
    coded = coded_with_cards
    result = apply_schemes(coded, load_schemes(demo_study.raw_path(demo_study.config.codebooks.schemes)))
    links = pd.read_csv(TRUTH / "survey_quality.csv", dtype=str)[["Response ID", "person_id"]]
    people = pd.read_csv(TRUTH / "people.csv")
    truth = coded[["respondent_id"]].merge(links, left_on="respondent_id", right_on="Response ID", how="left") \
        .merge(people, on="person_id", how="left")
    values = result.values.reset_index(drop=True)
    checks = {
        "purchase_purpose": truth["purpose"].map({"self": "for themselves", "gift": "as a gift",
                                                  "intermediary": "intermediary"}),
        "price_orientation": truth["discount_hunter"].map({True: "discount hunter", False: "not price-driven"}),
        "behaviour_profile": truth["behaviour_profile"],
        "audience": truth["local"].map({True: "local", False: "foreign"}),
        "novelty_orientation": truth["novelty_hunter"].map({True: "novelty hunter", False: "not a novelty hunter"}),
        "brand_relationship": truth["relationship"].map({
            "unaware": "doesn't know us", "aware_non_buyer": "knows us but buys elsewhere",
            "buys_rarely": "buys rarely", "buys_medium": "buys medium", "buys_often": "buys often"}),
    }
    for scheme, planted in checks.items():
        agreement = (values[scheme] == planted).mean()
        assert agreement >= 0.8, f"{scheme}: {agreement:.1%}"
    parents = values["parents"] == "parent buying for children"
    assert (parents == truth["parent_buying_for_children"]).mean() >= 0.95


def test_card_schemes_follow_purchases_of_card_holders(demo_study, coded_with_cards):
    coded = coded_with_cards
    values = apply_schemes(coded, load_schemes(demo_study.raw_path(demo_study.config.codebooks.schemes))).values
    holders = coded["card__receipts_per_year"].notna()
    assert (values.loc[~holders, "card_frequency"] == UNCLASSIFIED).all()
    links = pd.read_csv(TRUTH / "survey_quality.csv", dtype=str)[["Response ID", "person_id"]]
    people = pd.read_csv(TRUTH / "people.csv")
    truth = coded[["respondent_id"]].merge(links, left_on="respondent_id", right_on="Response ID", how="left") \
        .merge(people, on="person_id", how="left").set_index(coded.index)
    on_card = values.loc[holders]
    assert (on_card["card_frequency"].str.replace(" ", "_") == truth.loc[holders, "relationship"]).mean() >= 0.8
    assert ((on_card["card_price_orientation"] == "discount hunter") == truth.loc[holders, "discount_hunter"]).mean() >= 0.9


BRAND = textwrap.dedent("""
    schemes:
      - id: relationship
        label: Relationship with the brand
        rules:
          - {value: unaware, when: "aware == 0"}
          - {value: aware non-buyer, when: "aware == 1 and bought == 0"}
          - {value: buyer, when: "bought == 1"}
      - id: card_price
        label: Discount on the card
        rules:
          - {value: hunter, when: "card__discount_share >= 0.5"}
          - {value: full price, when: "card__discount_share < 0.5"}
""")


def test_contradictory_and_partial_answers_get_exactly_one_value(tmp_path):
    # Row 0 says unaware but bought (contradictory): the first matching rule decides, never two values.
    # Row 3 skipped `aware` and bought nothing: no rule can hold, so the reason names the missing answer.
    data = pd.DataFrame({"aware": pd.array([0, 1, 1, None], dtype="Int64"),
                         "bought": pd.array([1, 0, 1, 0], dtype="Int64"),
                         "card__discount_share": [0.8, None, 0.2, 0.5]})
    result = apply_schemes(data, schemes(tmp_path, BRAND))
    assert result.values["relationship"].tolist() == ["unaware", "aware non-buyer", "buyer", UNCLASSIFIED]
    assert result.reasons["relationship"].tolist() == ["", "", "", "missing: aware"]
    assert result.values["card_price"].tolist() == ["hunter", UNCLASSIFIED, "full price", "hunter"]
    assert (result.values.notna()).all().all()


def test_schemes_the_data_cannot_feed_are_listed_not_applied(tmp_path):
    declared = schemes(tmp_path, BRAND)
    usable, skipped = applicable(declared, ["card__discount_share"])
    assert [s.id for s in usable] == ["card_price"]
    assert skipped.to_dict("records") == [{"scheme": "relationship", "label": "Relationship with the brand",
                                           "lacks": "aware, bought"}]


@pytest.mark.parametrize("text, message", [
    ("schemes:\n  - id: x\n    label: X\n    rules: []\n", "rules"),
    ("schemes:\n  - id: bad id\n    label: X\n    rules: [{value: a, when: 'q == 1'}]\n", "id"),
    ("schemes:\n  - id: x\n    label: X\n    rule: [{value: a, when: 'q == 1'}]\n", "rule"),
    ("schemes: [\n", "schemes.yml: not valid YAML"),
    ("schemes: &a [x]\nagain: *a\n", "aliases \\(\\*name\\) are not allowed"),
])
def test_a_broken_scheme_file_is_a_clear_error(tmp_path, text, message):
    with pytest.raises(CodebookError, match=message) as error:
        schemes(tmp_path, text)
    assert "schemes.yml" in str(error.value)


def test_an_unreadable_rule_names_the_scheme_and_value(tmp_path):
    data = pd.DataFrame({"sale_only": [5.0]})
    with pytest.raises(CodebookError, match=r"scheme `price`, value 'hunter': cannot read"):
        apply_schemes(data, schemes(tmp_path, YAML.replace("sale_only >= 4", "sale_only >>= 4")))
