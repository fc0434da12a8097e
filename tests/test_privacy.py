"""Pseudonyms link one person across sources and never keep clear text."""

import pandas as pd
import pytest

from portrait.errors import PrivacyError
from portrait.collect.privacy import DEMO_SECRET, load_secret, mask_cell, mask_text, normalise, pseudonym, pseudonymise

SECRET = b"test-secret"


@pytest.mark.parametrize("written", ["+380 67 123 45 67", "067-123-45-67", "0671234567", "+380(67)1234567",
                                     "00380671234567"])
def test_phone_formats_share_one_pseudonym(written):
    assert normalise(written, "phone") == "380671234567"
    assert pseudonym(written, "phone", SECRET) == pseudonym("380671234567", "phone", SECRET)


def test_email_is_case_insensitive_and_key_matters():
    assert pseudonym(" Anna@Example.COM ", "email", SECRET) == pseudonym("anna@example.com", "email", SECRET)
    assert pseudonym("anna@example.com", "email", SECRET) != pseudonym("anna@example.com", "email", b"other")


def test_blank_values_stay_missing():
    assert pseudonym("", "email", SECRET) is None
    assert pseudonym(None, "phone", SECRET) is None


def test_pseudonymise_replaces_columns_and_adds_person_key():
    frame = pd.DataFrame({"id": ["1", "2"], "E-mail": ["a@example.com", None], "Phone": ["0671234567", "+48 501 234 567"]})
    out = pseudonymise(frame, {"E-mail": "email", "Phone": "phone"}, SECRET, link_key="Phone")
    assert list(out.columns) == ["id", "email_key", "phone_key", "person_key"]
    assert out["person_key"].tolist() == out["phone_key"].tolist()
    assert pd.isna(out.loc[1, "email_key"])
    text = out.to_csv()
    assert "a@example.com" not in text and "0671234567" not in text


def test_secret_from_environment_then_demo_then_error(monkeypatch, tmp_path):
    monkeypatch.setenv("MY_KEY", "abc")
    assert load_secret("MY_KEY", None, False) == b"abc"
    monkeypatch.delenv("MY_KEY")
    key = tmp_path / "key"
    key.write_text("from-file\n")
    assert load_secret("MY_KEY", str(key), False) == b"from-file"
    assert load_secret("MY_KEY", None, True) == DEMO_SECRET.encode()
    with pytest.raises(PrivacyError, match="MY_KEY"):
        load_secret("MY_KEY", None, False)


def test_mask_text_hides_contacts_cards_and_names():
    text = ("I am Olena Shevchuk, write to olena.s@example.com or call +380 67 123 45 67; "
            "my card is 2700 1234 5678 9012. Olena likes 3 dresses from 2025.")
    masked = mask_text(text, ["Olena", "Shevchuk"])
    for secret in ["Olena", "Shevchuk", "olena.s@example.com", "123 45 67", "2700 1234"]:
        assert secret not in masked
    assert "[email]" in masked and "[phone]" in masked and "[card]" in masked and "[name]" in masked
    assert "3 dresses from 2025" in masked  # ordinary numbers survive


def test_mask_text_works_in_cyrillic():
    masked = mask_text("Мене звати Олена, телефон 067-123-45-67.", ["Олена"])
    assert masked == "Мене звати [name], телефон [phone]."


# Known people's names in any inflected form (uk / ru / en): the sentence, the names given, the masked sentence.
INFLECTED = [
    ("Мене звати Іван Петренко.", ["Іван Петренко"], "Мене звати [name] [name]."),
    ("Я говорив з Івана Петренка", ["Іван Петренко"], "Я говорив з [name] [name]"),
    ("Ми говорили з Іваном Петренком, дякую Іванові Петренку", ["Іван Петренко"],
     "Ми говорили з [name] [name], дякую [name] [name]"),
    ("Я бачила Олену Ковальчук, передайте Олені привіт", ["Олена Ковальчук"],
     "Я бачила [name] [name], передайте [name] привіт"),
    ("Подзвоніть Ользі, Наталці та Сашею", ["Ольга", "Наталка", "Саша"], "Подзвоніть [name], [name] та [name]"),
    ("Зустрілися з Андрієм Ковальським і Марією Ковальською", ["Андрій Ковальський", "Марія Ковальська"],
     "Зустрілися з [name] [name] і [name] [name]"),
    ("Розмова з Федором, подарунок від Кравця, Стрільцю", ["Федір", "Кравець", "Стрілець"],
     "Розмова з [name], подарунок від [name], [name]"),
    ("Дар’ї сподобалось, а Іллі ні", ["Дар'я", "Ілля"], "[name] сподобалось, а [name] ні"),
    ("Ян прийшов", ["Ян"], "[name] прийшов"),
    ("Я передал Ивану Петренко", ["Иван Петренко"], "Я передал [name] [name]"),
    ("Спросите у Ивановой, она знает Иванова", ["Иванова"], "Спросите у [name], она знает [name]"),
    ("Мы говорили с Еленой Кузнецовой и Ольгой", ["Елена Кузнецова", "Ольга"], "Мы говорили с [name] [name] и [name]"),
    ("Звонил Сергею и Дмитрию, письмо от Павла Вишневского", ["Сергей", "Дмитрий", "Павел Вишневский"],
     "Звонил [name] и [name], письмо от [name] [name]"),
    ("Подарок для Семёна, встретил Игоря Смирнова", ["Семен", "Игорь Смирнов"],
     "Подарок для [name], встретил [name] [name]"),
    ("That was Ivan's idea, not Olena’s", ["Ivan", "Olena"], "That was [name] idea, not [name]"),
    ("ANN LEE called; ann said so", ["Ann Lee"], "[name] [name] called; [name] said so"),
]


@pytest.mark.parametrize("text, names, expected", INFLECTED, ids=[t[0][:30] for t in INFLECTED])
def test_known_names_are_masked_in_any_inflected_form(text, names, expected):
    assert mask_text(text, names) == expected


# Words that share a prefix with a name, other names and short names' relatives stay: precision matters for
# open coding. A stem shorter than 3 letters (Ян, Яна, Ія) matches the exact word only, so `Яну` survives `Яна`:
# the price of not masking every word that starts with those letters.
NOT_NAMES = [
    ("Аналіз показав, що Анастасія права", ["Анна"]),
    ("Олеся і Олексій прийшли", ["Олег"]),  # another name, not a form of Олег
    ("Яна і Януш прийшли, Янів не бачив", ["Ян"]),
    ("Ян прийшов, Яну не бачив", ["Яна"]),
    ("Ірина і Іван", ["Ія"]),
    ("Іванна з Івано-Франківська", ["Іван"]),
    ("Ми бачили оленя", ["Олена"]),
    ("Романтика і романтичні сукні", ["Роман"]),
    ("Anna bought an annual pass, Annie too", ["Ann"]),
]


@pytest.mark.parametrize("text, names", NOT_NAMES, ids=[t[0][:30] for t in NOT_NAMES])
def test_words_sharing_a_prefix_with_a_name_are_kept(text, names):
    assert mask_text(text, names) == text


def test_name_pattern_is_compiled_once_per_set_of_names():
    from portrait.collect import privacy

    privacy._names_pattern.cache_clear()
    names = ["Іван Петренко", "Олена"]
    for _ in range(50):
        assert mask_text("Іване, привіт від Олени", names) == "[name], привіт від [name]"
    info = privacy._names_pattern.cache_info()
    assert (info.misses, info.hits) == (1, 49)
    assert mask_text("Іване", []) == "Іване"


@pytest.mark.parametrize("text, masked", [
    ("тел.:0671234567", "тел.:[phone]"),                       # a colon before the number
    ("Call 067 123 45 67: evenings", "Call [phone]: evenings"),  # and after it
    ("(067) 123-45-67", "[phone]"),                             # the opening bracket goes too
    ("+49 1512 3456789", "[phone]"),                           # "+" makes it a phone, not a card
    ("4111 1111 1111 1111", "[card]"),
    ("2026-01-01 10:00:00", "2026-01-01 10:00:00"),            # a date-time is no phone
    ("order 12345.50 paid", "order 12345.50 paid"),
])
def test_phone_and_card_edges(text, masked):
    assert mask_text(text) == masked


@pytest.mark.parametrize("cell", ["(067) 123-45-67", "4111111111111", "00380 67 123 45 67", "+49 1512 3456789"])
def test_a_whole_cell_gets_the_mask_free_text_gives_it(cell):
    assert mask_cell(cell) == mask_text(cell)


def test_a_pseudonym_is_the_first_16_hex_digits_of_hmac_sha256_of_the_normalised_value():
    """The documented key, computed here with the standard library's one-shot HMAC, for several secrets in turn
    (a secret's keyed state is kept between calls: it must never leak into another secret's pseudonyms)."""
    import hmac as std_hmac

    values = [("4111 1111 1111 1111", "card", "4111111111111111"), ("Ivan@Example.COM", "email", "ivan@example.com"),
              ("R-7", "other", "r-7")]
    for secret in (b"one", b"two", b"one", b"a" * 100):
        for value, kind, canonical in values:
            assert normalise(value, kind) == canonical
            expected = std_hmac.digest(secret, canonical.encode("utf-8"), "sha256").hex()[:16]
            assert pseudonym(value, kind, secret) == expected
