"""The survey codebook: every validation error, coding of each question type, reverse items, derived."""

import textwrap

import pandas as pd
import pytest

from portrait.survey import codebook
from portrait.errors import CodebookError

GRID = "How much do you agree - "


def raw():
    return pd.DataFrame({
        "Gender": ["Female", "male ", "Femal", None, "Female"],
        "Age": ["25", "40", "999", "33", ""],
        "Hobbies - Sport": ["Sport", None, None, None, "Sport"],
        "Hobbies - Travel": [None, "Travel", None, None, "Travel"],
        f"{GRID}I like new things": ["5", "1", "9", "4", "2"],
        f"{GRID}Fashion is unimportant": ["1", "5", "3", "2", "4"],
        "Heard of brand": ["Yes", "No", "Yes", "Yes", "Not sure"],
        "Bought": ["Yes", "No", "No", "Yes", "No"],
    }, dtype="string")


BOOK = textwrap.dedent(f"""
    questions:
      - {{id: gender, column: Gender, type: single, labels: {{1: Female, 2: Male, 3: Other}}}}
      - {{id: age, column: Age, type: numeric, range: [16, 99]}}
      - {{id: hobbies, pattern: "^Hobbies - (.+)$", type: multi, items: {{sport: Sport, travel: Travel}}}}
      - id: att
        pattern: "^{GRID}(.+)$"
        type: likert
        range: [1, 5]
        items: {{new: I like new things, unimportant: Fashion is unimportant}}
        reverse: [unimportant]
      - {{id: heard, column: Heard of brand, type: single, labels: {{1: "Yes", 0: "No"}}, missing: [Not sure]}}
      - {{id: bought, column: Bought, type: single, labels: {{1: "Yes", 0: "No"}}}}
    scales:
      - {{id: fashion_interest, items: [att__new, att__unimportant]}}
    derived:
      - id: status
        rules:
          - {{value: unaware, when: "heard == 0"}}
          - {{value: buyer, when: "heard == 1 and bought == 1"}}
          - {{value: aware_only, when: "heard == 1 and bought == 0"}}
""")


def book(text=BOOK, tmp_path=None):
    path = tmp_path / "codebook.yml"
    path.write_text(text)
    return codebook.load_codebook(path)


def test_each_type_is_coded(tmp_path):
    coded = codebook.apply(book(tmp_path=tmp_path), raw())
    data = coded.data
    assert data["gender"].tolist()[:2] == [1, 2]  # labels matched ignoring case and spaces
    assert pd.isna(data.loc[2, "gender"]) and pd.isna(data.loc[3, "gender"])
    assert data["age"].tolist()[:2] == [25, 40] and pd.isna(data.loc[2, "age"])
    assert data["hobbies__sport"].tolist() == [1, 0, 0, 0, 1]
    assert data["hobbies"].tolist() == [1, 1, 0, 0, 2]  # options chosen
    assert data["att__new"].tolist()[:2] == [5, 1]
    assert data["att__unimportant"].tolist() == [5, 1, 3, 4, 2]  # reverse: 6 - x
    assert data["fashion_interest"].tolist()[:2] == [5.0, 1.0]
    assert data["status"].tolist()[:4] == ["buyer", "unaware", "aware_only", "buyer"]
    assert pd.isna(data.loc[4, "status"])  # "Not sure" is declared missing: no rule applies
    assert coded.labelled("gender")[0] == "Female"


def test_unlabelled_answers_are_reported_and_counted_not_hidden(tmp_path):
    coded = codebook.apply(book(tmp_path=tmp_path), raw())
    odd = coded.unlabelled.set_index("variable")
    assert odd.loc["gender", "value"] == "Femal" and odd.loc["gender", "closest_label"] == "Female"
    assert odd.loc["age", "value"] == "999" and odd.loc["att__new", "value"] == "9"
    assert coded.declared_missing.set_index("question").loc["heard", "respondents"] == 1
    assert any("Did you mean 'Female'?" in m for m in coded.messages())
    assert (coded.unused_labels["label"] == "Other").any()  # a label with no answer is reported too


def test_broken_off_respondents_get_missing_not_zero_on_multi(tmp_path):
    broke_off = pd.Series([False, False, False, True, False])
    coded = codebook.apply(book(tmp_path=tmp_path), raw(), broke_off)
    assert pd.isna(coded.data.loc[3, "hobbies__sport"]) and coded.data.loc[2, "hobbies__sport"] == 0


@pytest.mark.parametrize("change, message", [
    (("column: Gender", "column: Gendr"), "question `gender`: no column matches 'Gendr'. Did you mean 'Gender'?"),
    (("^Hobbies - (.+)$", "^Hobby - (.+)$"), "question `hobbies`: no column matches"),
    (("travel: Travel", "travel: Travle"), "item `travel` ('Travle') matches no column. Did you mean 'Travel'?"),
    (("reverse: [unimportant]", "reverse: [unimportnt]"), "reverse item `unimportnt` is not one of its items"),
    (("[att__new, att__unimportant]", "[att__new, att__nwe]"), "scale `fashion_interest`: item `att__nwe` does not exist"),
    (("heard == 0", "herd == 0"), "derived `status`: unknown variable `herd`"),
])
def test_validation_errors_name_the_question_and_the_closest_match(tmp_path, change, message):
    broken = book(BOOK.replace(*change), tmp_path)
    with pytest.raises(CodebookError) as err:
        codebook.apply(broken, raw())
    assert message in str(err.value)


def test_cycle_among_derived_variables(tmp_path):
    text = BOOK + (
        "  - id: a\n    rules: [{value: x, when: \"b == 'x'\"}]\n"
        "  - id: b\n    rules: [{value: x, when: \"a == 'x'\"}]\n"
    )
    with pytest.raises(CodebookError, match="derived variables form a cycle"):
        codebook.apply(book(text, tmp_path), raw())


def test_malformed_codebook_names_the_question(tmp_path):
    text = BOOK.replace("{id: age, column: Age, type: numeric", "{id: age, column: Age, type: number")
    with pytest.raises(CodebookError, match=r"questions\[1\] \(id: age\)\.type"):
        book(text, tmp_path)
    both = BOOK.replace("{id: age, column: Age,", "{id: age, column: Age, pattern: x,")
    with pytest.raises(CodebookError, match="exactly one of `column`"):
        book(both, tmp_path)


def test_date_and_open_questions(tmp_path):
    frame = pd.DataFrame({"When": ["2026-01-12 08:00:00", "yesterday", None], "Why": ["Too pricey", "", None]},
                         dtype="string")
    text = """
questions:
  - {id: when, column: When, type: date}
  - {id: why, column: Why, type: open}
"""
    coded = codebook.apply(book(text, tmp_path), frame)
    assert coded.data.loc[0, "when"] == pd.Timestamp("2026-01-12 08:00")
    assert coded.unlabelled.set_index("variable").loc["when", "value"] == "yesterday"  # reported, not hidden
    assert coded.data["why"].tolist()[0] == "Too pricey" and pd.isna(coded.data.loc[1, "why"])


def test_a_question_nobody_answered_is_coded_blank_not_a_crash(tmp_path):
    frame = raw()
    for column in frame.columns:
        frame[column] = pd.array([pd.NA] * len(frame), dtype="string")
    coded = codebook.apply(book(tmp_path=tmp_path), frame)
    assert coded.data["gender"].isna().all() and coded.data["age"].isna().all()
    assert coded.data["hobbies__sport"].tolist() == [0] * 5  # nothing chosen


def test_numbers_with_a_decimal_comma_are_read(tmp_path):
    frame = raw()
    frame["Age"] = pd.array(["25,5", "40", "99,0", "33,25", None], dtype="string")
    coded = codebook.apply(book(tmp_path=tmp_path), frame)
    assert coded.data["age"].tolist()[:4] == [25.5, 40.0, 99.0, 33.25]


def test_a_variable_is_titled_in_the_codebooks_words(tmp_path):
    b = book(BOOK.replace("id: att\n", "id: att\n    label: How much do you agree\n"), tmp_path)
    assert b.title_of("att__new") == "How much do you agree · I like new things"
    assert b.title_of("hobbies__travel") == "hobbies · Travel"  # no label: the id stands for the question
    assert b.title_of("gender") == "gender"
    assert b.title_of("not_in_the_book") == "not_in_the_book"
    assert b.item_text("att__new") == "I like new things" and b.item_text("hobbies__travel") == "Travel"
    assert b.item_text("gender") == "gender" and b.item_text("not_in_the_book") == "not_in_the_book"
