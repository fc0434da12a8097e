"""Rule-based schemes: one value or `unclassified` with a reason; errors name the variable; demo recovery."""

import textwrap

import pandas as pd
import pytest

from portrait.errors import CodebookError
from portrait.schemes import UNCLASSIFIED, apply_schemes, load_schemes

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
    from portrait import rfm

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
    }
    for scheme, planted in checks.items():
        agreement = (values[scheme] == planted).mean()
        assert agreement >= 0.8, f"{scheme}: {agreement:.1%}"


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
