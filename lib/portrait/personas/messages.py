"""The message library (step 05): for a motive or barrier code, the message to say and the reason to
believe, in each language of the report. Written by the brand team, never generated: a code without
an entry shows "no message written yet" on the persona card.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from portrait.config import yamlconfig
from portrait.errors import CodebookError


class Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    message: dict[str, str] = Field(description="language -> message")
    reason_to_believe: dict[str, str] = Field(default_factory=dict, description="language -> proof")


class MessageLibrary(BaseModel):
    model_config = ConfigDict(extra="forbid")
    messages: dict[str, Entry] = Field(default_factory=dict)

    def lookup(self, code: str, language: str) -> tuple[str | None, str | None]:
        """The message and reason to believe of `code` in `language` (None where none is written)."""
        entry = self.messages.get(code)
        if entry is None:
            return None, None
        return entry.message.get(language), entry.reason_to_believe.get(language)


def load_messages(path: str | Path, codes: set[str] | None = None, language: str | None = None) -> MessageLibrary:
    """Read and check a message library: every code must exist in the interview codebook (`codes`), and
    every entry must have the report's `language`; errors name the code and the fix."""
    path = Path(path)
    try:
        library = yamlconfig.load(path, MessageLibrary, CodebookError, "message library")
    except OSError as exc:
        raise CodebookError(f"{path}: cannot be read ({exc}).") from None
    problems = []
    for code, entry in library.messages.items():
        if codes is not None and code not in codes:
            close = difflib.get_close_matches(code, sorted(codes), n=1)
            problems.append(f"`{code}`: not a code of the interview codebook"
                            + (f" (did you mean `{close[0]}`?)" if close else "") + ".")
        if language and language not in entry.message:
            problems.append(f"`{code}`: no message in the report language `{language}`; add `message: {{{language}: …}}`.")
    if problems:
        raise CodebookError(f"{path}: {len(problems)} problem(s):\n  - " + "\n  - ".join(problems))
    return library
