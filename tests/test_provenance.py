"""The manifest's input hashes: a hash a reader computed while streaming a file is reused only while the file is
unchanged."""

import hashlib
import os

from portrait.collect import line_source
from portrait.io import provenance


def test_a_remembered_hash_is_the_files_and_a_changed_file_is_hashed_again(tmp_path):
    path = tmp_path / "lines.csv"
    path.write_text("Card;Date\n1;2026-01-02\n", encoding="utf-8")
    line_source.prepare_csv(path, "auto", "auto", 1, tmp_path / "work")  # streams the file, hashing it
    assert provenance.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
    provenance.remember_sha256(path, "0" * 64)  # a stale entry for this very file
    assert provenance.file_sha256(path) == "0" * 64
    path.write_text("Card;Date\n2;2026-01-03\n", encoding="utf-8")
    os.utime(path, ns=(1, 1))  # even with the same size, another time means another file
    assert provenance.file_sha256(path) == hashlib.sha256(path.read_bytes()).hexdigest()
