"""study.yml itself: hostile YAML (alias bombs, deep nesting, huge files, long values), misspelt keys and
columns, keys that would let personal data through, a missing key for pseudonyms."""

from portrait import Study
from portrait.collect import privacy
from portrait.errors import PortraitError

from .base import config, edit
from .framework import MAX_MESSAGE, Case, Outcome, error


def alias_bomb(folder):
    """The "billion laughs": nine levels of anchors, each alias nine times the one below."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    (folder / "study.yml").write_text("\n".join(lines) + "\n" + (folder / "study.yml").read_text(encoding="utf-8"),
                                      encoding="utf-8")


def deep_nesting(folder):
    with config(folder) as c:
        c["parameters"] = {"01_collect": {"write": True}}
    edit(folder / "study.yml", "write: true", "write: " + "[" * 100 + "1" + "]" * 100)


def huge_file(folder):
    with (folder / "study.yml").open("a", encoding="utf-8") as handle:
        handle.write(("# " + "padding " * 12 + "\n") * 55_000)  # 5.4 MB of comments


def long_value(folder):
    with config(folder) as c:
        c["languages"] = ["x" * 5000]


def no_secret(folder):
    """Step 01 asks study.yml for its pseudonymisation key: here neither a variable nor a file holds one."""
    try:
        study = Study.load(folder)
        privacy.load_secret(**study.config.privacy.model_dump())
    except PortraitError as exc:
        message = str(exc)
        return Outcome("error" if len(message) <= MAX_MESSAGE else "long error", f"{type(exc).__name__}: {message}")
    return Outcome("accepted", "a key was found")


def privacy_block(**values):
    def recipe(folder):
        with config(folder) as c:
            c["privacy"] = values
    return recipe


def secret_inside_repository(folder):
    (folder.parents[2] / "key.txt").write_text("not-so-secret-key\n")  # the case folder stands for the repository
    privacy_block(secret_file=str(folder.parents[2] / "key.txt"))(folder)


def survey_key(key, value):
    def recipe(folder):
        with config(folder) as c:
            c["sources"]["survey"][key] = value
    return recipe


CASES = [
    Case("YAML alias bomb (9 levels)", alias_bomb, "error", error(max_seconds=1.0),
         must=(r"study\.yml: not valid YAML", r"aliases \(\*name\) are not allowed; write the value out")),
    Case("study.yml nested 100 levels deep", deep_nesting, "error", error(max_seconds=1.0),
         must=(r"study\.yml: nested more than 40 levels deep",)),
    Case("huge study.yml (5 MB)", huge_file, "error", error(max_seconds=2.0),
         must=(r"study\.yml: 5,\d{3},\d{3} bytes is more than a study\.yml needs \(limit 5,000,000\)",)),
    Case("5,000-character value in study.yml", long_value, "error", error(),
         must=(r"study\.yml: 1 problem", r"`languages\[0\]`", r"… \(5,002 characters\)")),
    Case("misspelt key in study.yml", lambda f: edit(f / "study.yml", "    id_column: ID\n", "    id_column: ID\n    delimter: ';'\n"),
         "error", error(), must=(r"study\.yml", r"`sources\.survey\.delimter`: unknown key", r"did you mean `delimiter`")),
    Case("misspelt column name in study.yml", lambda f: edit(f / "study.yml", "open_text: [Comment]", "open_text: [Coment]"),
         "error", error(), must=(r"survey\.csv: column 'Coment' named in study\.yml `sources\.survey`",
                                 r"Did you mean 'Comment'\?")),
    Case("delimiter study.yml cannot know", survey_key("delimiter", ":"), "error", error(),
         must=(r"study\.yml", r"`sources\.survey\.delimiter`: Value error, must be auto")),
    Case("link_key not declared personal", lambda f: edit(f / "study.yml", "personal: {Name: name, Email: email, Phone: phone}",
                                                          "personal: {Name: name, Email: email}"),
         "error", error(), must=(r"study\.yml", r"link_key 'Phone' is not listed under `personal`; add it there")),
    Case("source file missing", lambda f: (f / "cards.csv").unlink(), "error", error(),
         must=(r"study\.yml: `sources\.cardholders\.path` points at 'cards\.csv', which does not exist",
               "Correct the path or remove the source")),
    Case("wrong type of a step parameter", lambda f: edit(f / "study.yml", "name: base\n",
                                                          "name: base\nparameters: {04_segmentation: {k_max: many}}\n"),
         "error", error(), must=(r"study\.yml", r"`k_max`: expected int")),
    Case("no pseudonymisation key", privacy_block(secret_env="BAD_INPUTS_NO_SUCH_VARIABLE"), "error", no_secret,
         must=(r"PrivacyError: No pseudonymisation key", r"BAD_INPUTS_NO_SUCH_VARIABLE", r"`privacy\.secret_file` in study\.yml")),
    Case("key file inside the repository", secret_inside_repository, "error", error(),
         must=(r"study\.yml: `privacy\.secret_file` lies inside the repository", "keep the key outside it")),
]
