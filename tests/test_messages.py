"""The message library: entries per code and language; unknown codes and missing languages are errors."""

import textwrap

import pytest

from portrait.errors import CodebookError
from portrait.personas.messages import load_messages

LIBRARY = textwrap.dedent("""
    messages:
      high_price:
        message: {en: Worth every hryvnia, uk: Вартує кожної гривні}
        reason_to_believe: {en: Cost per wear on every tag}
""")


def write(tmp_path, text=LIBRARY):
    path = tmp_path / "messages.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_lookup_by_code_and_language(tmp_path):
    library = load_messages(write(tmp_path), {"high_price", "fit_problems"}, "en")
    assert library.lookup("high_price", "en") == ("Worth every hryvnia", "Cost per wear on every tag")
    assert library.lookup("high_price", "uk") == ("Вартує кожної гривні", None)
    assert library.lookup("fit_problems", "en") == (None, None)  # not written: the card says so


def test_unknown_code_and_missing_language_are_named(tmp_path):
    with pytest.raises(CodebookError, match=r"`high_prise`: not a code of the interview codebook \(did you mean `high_price`\?\)"):
        load_messages(write(tmp_path, LIBRARY.replace("high_price", "high_prise")), {"high_price"}, "en")
    with pytest.raises(CodebookError, match=r"`high_price`: no message in the report language `ru`"):
        load_messages(write(tmp_path), {"high_price"}, "ru")
    with pytest.raises(CodebookError, match=r"messages.yml: 2 problem\(s\):\n  - `messages.a.message`: required key is "
                                            r"missing.*\n  - `messages.a.text`: unknown key.*\(known here: message, reason_to_believe\)"):
        load_messages(write(tmp_path, "messages: {a: {text: x}}"), None, "en")
