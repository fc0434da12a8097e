"""Pseudonyms link one person across sources and never keep clear text."""

import pandas as pd
import pytest

from portrait.errors import PrivacyError
from portrait.collect.privacy import DEMO_SECRET, load_secret, mask_text, normalise, pseudonym, pseudonymise

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
