"""Open-ended coding on word families (as written, lemma, stem) in English, Ukrainian and Russian; uncoded share;
matched words and warnings on over-broad patterns; theme proposals without stop words."""

import pandas as pd

from portrait.survey.open_coding import CodeFrame, code_answers, is_stop_word, language_of, propose_themes

FRAME = CodeFrame.model_validate({"question": "q", "codes": [
    {"code": "price", "label": "Price", "patterns": {"en": ["discount", "promo code"], "uk": ["знижка"],
                                                      "ru": ["скидка"]}},
    {"code": "kids", "label": "Children", "patterns": {"en": ["kid"], "uk": ["дитина", "діти"], "ru": ["ребенок", "дети"]}},
]})


def test_languages_are_told_by_their_letters():
    assert language_of("Чекаю знижок") == "uk"
    assert language_of("Жду скидок") == "ru"
    assert language_of("Waiting for discounts") == "en"


def test_inflected_forms_match_in_three_languages_and_answers_carry_several_codes():
    answers = pd.Series([
        "I wait for discounts and promo codes for my kids",   # en, two codes, plural forms
        "Купую все зі знижкою",                              # uk instrumental case
        "Покупаю только со скидками",                        # ru plural instrumental
        "Мої діти швидко ростуть",                            # uk
        "Для ребенка ищу куртку",                            # ru genitive
        "The colours are lovely",                            # nothing
        None, "  ",
    ])
    coding = code_answers(answers, FRAME)
    assert coding.codes["price"].tolist() == [1, 1, 1, 0, 0, 0, 0, 0]
    assert coding.codes["kids"].tolist() == [1, 0, 0, 1, 1, 0, 0, 0]
    table = coding.frequencies().set_index("code")
    assert table.loc["(uncoded)", "answers"] == 1  # blanks are not answers
    assert table.loc["price", "% of answers"] == 50.0


def test_theme_proposals_find_the_missing_code():
    delivery = ["The courier was late and the parcel took two weeks",
                "Delivery takes too long, the parcel never comes on time",
                "My parcel was stuck and the courier did not call"] * 4
    colours = ["I want brighter colours and prints", "More colours please, bright prints",
               "The colours and prints are boring"] * 4
    answers = pd.Series(delivery + colours)
    themes = propose_themes(answers, answers.map(language_of), n_themes=2, seed=1)
    terms = " ".join(themes["top terms"])
    assert "parcel" in terms and "colour" in terms
    assert sorted(themes["answers"]) == [12, 12]
    again = propose_themes(answers, answers.map(language_of), n_themes=2, seed=1)
    pd.testing.assert_frame_equal(themes, again)


def test_a_question_nobody_answered_has_no_shares_and_no_themes():
    blank = pd.Series([None, "  ", None], dtype="string")
    table = code_answers(blank, FRAME).frequencies()
    assert table["answers"].sum() == 0 and table["% of answers"].isna().all()
    themes = propose_themes(blank.dropna(), pd.Series(dtype="string"))
    assert themes.empty and str(themes["theme"].dtype) == "int64"


# Hand-written product reviews (coffee, snacks, a drink in cans): the words people really use, stop words and all.
REVIEWS_EN = [
    "I have to say the taste is good, it is so tasty with milk",
    "Tastes burnt, I would not buy that again",
    "Tasting notes of chocolate, good with a croissant",
    "The packaging is hard to open, I can never get the lid off",
    "You can really taste the hazelnut",
    "Can arrived dented, the box was crushed",
    "The price is fine for the size of the pack",
    "It makes a good cup, nothing special",
]
REVIEWS_RU = ["Очень вкусный кофе, беру каждую неделю", "Вкус как у горелой резины", "Вкусная, но дорогая пачка"]
REVIEWS_UK = ["Смак кави дуже м'який", "Не сподобався смаком, гіркий", "Дуже смачна кава, беру ще",
              "Смачні круасани, а кава гірка"]

FAMILY_FRAME = CodeFrame.model_validate({"question": "q", "codes": [
    {"code": "taste", "label": "Taste", "patterns": {"en": ["taste"], "ru": ["вкус"], "uk": ["смак", "смачний"]}},
    {"code": "packaging", "label": "Packaging", "patterns": {"en": ["can", "box", "lid"]}},
    {"code": "value", "label": "Value", "patterns": {"en": ["value for money", "price"]}},
]})


def test_a_pattern_word_matches_its_family_in_three_languages():
    answers = pd.Series(REVIEWS_EN[:3] + REVIEWS_RU + REVIEWS_UK)
    coding = code_answers(answers, FAMILY_FRAME)
    assert coding.codes["taste"].tolist() == [1] * len(answers)
    words = set(coding.matched_words()["word"])
    assert {"taste", "tasty"} <= words           # en: tastes and tasting lemmatise to taste; tasty by its stem
    assert {"вкус", "вкусный"} <= words          # ru: stem вкус / вкусн, one letter apart
    assert {"смак", "смачний"} <= words          # uk: lemmas only (смаком -> смак, смачна, смачні -> смачний)


def test_phrases_stay_exact_and_families_do_not_swallow_longer_words():
    frame = CodeFrame.model_validate({"question": "q", "codes": [
        {"code": "value", "label": "Value", "patterns": {"en": ["value for money"]}},
        {"code": "cost", "label": "Cost", "patterns": {"en": ["cost", "card"]}},
    ]})
    answers = pd.Series(["Great value for money", "Money is no object, the value is in the beans",
                         "It costs more than it should", "Bought it with a gift card",
                         "Her costume and cardigan smelled of coffee"])
    coding = code_answers(answers, frame)
    assert coding.codes["value"].tolist() == [1, 0, 0, 0, 0]
    assert coding.codes["cost"].tolist() == [0, 0, 1, 1, 0]


def test_a_stop_word_pattern_is_named_in_the_warnings():
    coding = code_answers(pd.Series(REVIEWS_EN), FAMILY_FRAME)
    table = coding.matched_words().set_index(["code", "word"])
    assert table.loc[("packaging", "can"), "answers"] == 3   # the modal verb twice, the tin once
    assert bool(table.loc[("packaging", "can"), "stop word"]) and not table.loc[("packaging", "box"), "stop word"]
    about_can = [w for w in coding.warnings if "'can'" in w]
    assert len(about_can) >= 1 and "`packaging`" in about_can[0] and "stop word" in about_can[0]
    # "can" codes 3 of 8 answers (37.5 %): past BROAD_WORD_SHARE, so the share is named too
    assert any("'can' by itself codes 37.5 % of all answers" in w for w in coding.warnings)
    assert not any("'box'" in w or "'lid'" in w for w in coding.warnings)


def test_a_frame_of_specific_words_gives_no_warning():
    frame = CodeFrame.model_validate({"question": "q", "codes": [
        {"code": "packaging", "label": "Packaging", "patterns": {"en": ["lid", "dented"]}}]})
    coding = code_answers(pd.Series(REVIEWS_EN), frame)
    assert coding.codes["packaging"].sum() == 2 and coding.warnings == []


def test_matched_words_shares_add_up():
    answers = pd.Series(REVIEWS_EN + REVIEWS_RU + REVIEWS_UK + [None])
    coding = code_answers(answers, FAMILY_FRAME)
    table = coding.matched_words()
    answered = int(coding.answered.sum())
    for code, rows in table.groupby("code"):
        coded = coding.codes[code].astype(bool)
        hits = coding.matches[coding.matches["code"] == code].drop_duplicates(["answer", "word"])
        per_answer = hits.groupby("answer").size()
        assert set(per_answer.index) == set(coded[coded].index)
        # every coded answer counts once per word it matched; those with one word are each word's sole answers
        assert rows["answers"].sum() == per_answer.sum()
        assert rows["sole answers"].sum() == (per_answer == 1).sum()
        assert rows["% of code"].tolist() == [round(100 * n / coded.sum(), 1) for n in rows["answers"]]
        assert rows["% of all answers"].tolist() == [round(100 * n / answered, 1) for n in rows["answers"]]
    one_word_each = code_answers(pd.Series(REVIEWS_EN[1:3] + REVIEWS_RU + REVIEWS_UK), FAMILY_FRAME)
    taste = one_word_each.matched_words().query("code == 'taste'")
    assert taste["sole answers"].sum() == one_word_each.codes["taste"].sum()  # one taste word per answer here...
    assert abs(taste["% of code"].sum() - 100) < 0.5                            # ...so its shares add up to 100 %
    taste = table[table["code"] == "taste"]
    assert taste["% of code"].sum() > 100                  # the first review says both "taste" and "tasty"
    top = coding.matched_words(top=3)
    assert top.groupby("code").size().max() <= 3
    assert top[top["code"] == "taste"]["answers"].tolist() == sorted(taste["answers"], reverse=True)[:3]


def test_matched_words_fit_the_catalog_even_when_nothing_matched():
    from portrait.io import catalog
    catalog.OPEN_MATCHED_WORDS.check(code_answers(pd.Series(REVIEWS_EN), FAMILY_FRAME).matched_words())
    nothing = code_answers(pd.Series(["Fine", None]), FAMILY_FRAME)
    catalog.OPEN_MATCHED_WORDS.check(nothing.matched_words())
    assert nothing.matched_words().empty and nothing.warnings == []


def test_stop_words_do_not_lead_theme_proposals():
    crema = ["I have to say that the crema is good and thick with every shot",
             "The crema makes it, good foam that lasts with milk",
             "That crema! I have never had foam this thick",
             "Good thick crema, I make two shots with it every morning"] * 3
    delivery = ["The courier was late and that parcel had to wait with a neighbour",
                "I have waited two weeks for the parcel, the courier never came",
                "Parcel lost, courier said that it was delivered, not good",
                "Make the courier call first, the parcel sat outside with rain"] * 3
    answers = pd.Series(crema + delivery)
    themes = propose_themes(answers, answers.map(language_of), n_themes=2, seed=0)
    terms = [terms.split(", ") for terms in themes["top terms"]]
    assert not any(is_stop_word(word, "en") for words in terms for word in words), terms
    assert {"crema", "courier"} <= {word for words in terms for word in words[:3]}
    ru = pd.Series(["Это очень вкусный кофе, и пенка у него густая", "Пенка густая, кофе вкусный, и это всё"] * 4
                   + ["Курьер опоздал, и посылка была мокрая", "Посылка пришла через неделю, курьер не звонил"] * 4)
    ru_terms = " ".join(propose_themes(ru, ru.map(language_of), n_themes=2, seed=0)["top terms"]).split(", ")
    assert not any(is_stop_word(word, "ru") for word in " ".join(ru_terms).replace(",", " ").split())


def test_patterns_are_looked_up_by_family_keys_without_missing_a_match():
    from portrait.survey.open_coding import family_keys, find_all, key_positions, same_family, tokens, word_forms
    pairs = [("tasty", "taste", "en"), ("tastes", "taste", "en"), ("вкусная", "вкус", "ru"),
             ("вкусом", "вкусный", "ru"), ("смаком", "смак", "uk"), ("смачні", "смачний", "uk"), ("kids", "kid", "en")]
    for word, pattern, lang in pairs:
        a, b = word_forms(word, lang), word_forms(pattern, lang)
        assert same_family(a, b) and family_keys(a) & family_keys(b), (word, pattern)
    words = tokens("Tasty beans, and the tastes linger; taste it", "en")
    taste = [word_forms("taste", "en")]
    assert find_all(words, taste) == find_all(words, taste, key_positions(words)) == [0, 4, 6]


def test_step_02_writes_the_matched_words_the_appendix_reads(demo_study):
    from collections import Counter
    from portrait.io import catalog
    from portrait.report import method_notes
    table = demo_study.read(catalog.OPEN_MATCHED_WORDS)
    coded = demo_study.read(catalog.SURVEY_CODED)
    assert set(table["code"]) == {c.removeprefix("open__") for c in coded.columns if c.startswith("open__")}
    for code, rows in table.groupby("code"):
        # every coded answer has a word; one with several words counts for each, one with a single word is its sole
        assert rows["sole answers"].sum() <= coded[f"open__{code}"].sum() <= rows["answers"].sum()
    appendix = method_notes.open_matched_words(demo_study)
    assert appendix and max(Counter(row["code"] for row in appendix).values()) == 3
