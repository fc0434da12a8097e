"""The corpus's folder for the session, and its summary table at the end of the pytest run."""

import pytest

from .framework import RESULTS, table


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory):
    """One folder per session: a subfolder per case, and the hostile study the pipeline cases share."""
    return tmp_path_factory.mktemp("bad_inputs")


def pytest_terminal_summary(terminalreporter):
    if RESULTS:
        terminalreporter.section("hostile-input corpus (tests/bad_inputs)")
        terminalreporter.write_line(table(RESULTS))
