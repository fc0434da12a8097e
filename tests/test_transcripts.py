"""Transcripts in every format and language become speaker turns; bad files are reported, not fatal."""

import docx
import pandas as pd
import pytest

from portrait.errors import SourceFormatError
from portrait.collect.transcripts import TURN_COLUMNS, read_transcript, read_transcripts

LABELS = ["Interviewer", "Інтерв'юер", "Интервьюер", "I"]


def write(path, text, encoding="utf-8"):
    path.write_text(text, encoding=encoding)
    return path


def write_docx(path, paragraphs):
    """Paragraphs as (label, text); the label is written as a bold run, like a hand-typed transcript."""
    document = docx.Document()
    document.add_heading(path.stem, level=1)
    for label, text in paragraphs:
        paragraph = document.add_paragraph()
        if label:
            paragraph.add_run(f"{label}:").bold = True
            paragraph.add_run(" ")
        paragraph.add_run(text)
    document.save(path)
    return path


def test_txt_turns_roles_and_columns(tmp_path):
    path = write(tmp_path / "INT-01.txt", "Interview 1 — 2026-03-02\n\nInterviewer: Why do you buy?\n"
                 "Respondent: Mostly gifts.\nInterviewer: Thanks.\n")
    turns = read_transcript(path, LABELS)
    assert list(turns.columns) == TURN_COLUMNS
    assert turns["document"].tolist() == ["INT-01"] * 3  # the title line before the first label is skipped
    assert turns["turn"].tolist() == [1, 2, 3] and turns["turn"].dtype == "int64"
    assert turns["speaker"].tolist() == ["Interviewer", "Respondent", "Interviewer"]
    assert turns["role"].tolist() == ["interviewer", "respondent", "interviewer"]
    assert turns["text"].tolist() == ["Why do you buy?", "Mostly gifts.", "Thanks."]
    assert turns["start"].isna().all() and turns["end"].isna().all()


def test_continuation_lines_and_colons_inside_sentences_stay_in_the_turn(tmp_path):
    path = write(tmp_path / "INT-02.txt", "Interviewer: What happened?\n"
                 "Respondent: I asked for a refund.\n   They said no.\n"
                 "I said: no way.\nI told my sister: never again.\nhttps://shop.example: bad.\n"
                 "Interviewer: And then?\n")
    turns = read_transcript(path, LABELS)
    assert len(turns) == 3
    assert turns.loc[1, "text"] == ("I asked for a refund. They said no. I said: no way. "
                                    "I told my sister: never again. https://shop.example: bad.")


def test_a_known_label_keeps_its_turns_and_a_late_speaker_is_recognised(tmp_path):
    path = write(tmp_path / "INT-03.txt", "Interviewer: Hello.\nRespondent: Hi.\nRespondent: Second paragraph.\n"
                 "interviewer: lower-case label of a configured interviewer.\nTranslator 2: She means yes.\n")
    turns = read_transcript(path, LABELS)
    assert turns["speaker"].tolist() == ["Interviewer", "Respondent", "interviewer", "Translator 2"]
    assert turns.loc[1, "text"] == "Hi. Second paragraph."  # one speaker until another starts: one turn
    assert turns["role"].tolist() == ["interviewer", "respondent", "interviewer", "respondent"]


def test_a_label_longer_than_40_characters_is_text(tmp_path):
    long_label = "Respondent " + "x" * 40
    path = write(tmp_path / "INT-04.txt", f"Respondent: Hi.\n{long_label}: still the respondent.\n")
    turns = read_transcript(path, LABELS)
    assert turns["text"].tolist() == [f"Hi. {long_label}: still the respondent."]


def test_markdown_variants_in_ukrainian(tmp_path):
    path = write(tmp_path / "INT-05.md", "# INT-05\n\n_Дата: 2026-02-03_\n\n"
                 "**Інтерв’юер:** Що заважає купувати частіше?\n\n**Олена**: Ціни там   зависокі.\n"
                 "## Частина 2\n- Інтервʼюер: А доставка?\n- **Олена:** Повільна.\n")
    turns = read_transcript(path, LABELS)
    assert turns["speaker"].tolist() == ["Інтерв’юер", "Олена", "Інтервʼюер", "Олена"]
    # The configured "Інтерв'юер" matches every apostrophe a Ukrainian keyboard produces.
    assert turns["role"].tolist() == ["interviewer", "respondent", "interviewer", "respondent"]
    assert turns["text"].tolist() == ["Що заважає купувати частіше?", "Ціни там зависокі.", "А доставка?",
                                      "Повільна."]


def test_vtt_voice_tags_timestamps_and_merged_cues_in_russian(tmp_path):
    path = write(tmp_path / "INT-06.vtt", "WEBVTT\n\nNOTE записано в Киеве\n\n"
                 "cue-1\n00:00:03.000 --> 00:00:05.400 align:start\n<v Интервьюер>Где вы покупаете?</v>\n\n"
                 "00:00:06.200 --> 00:00:09.800\n<v Респондент>В основном онлайн,</v>\n\n"
                 "00:00:10.000 --> 01:02:03.250\n<v.loud Респондент>через <i>приложение</i> &amp; сайт.</v>\n\n"
                 "01:02:04.000 --> 01:02:06.500\nИнтервьюер: Спасибо.\n")
    turns = read_transcript(path, LABELS)
    assert turns["speaker"].tolist() == ["Интервьюер", "Респондент", "Интервьюер"]
    assert turns["role"].tolist() == ["interviewer", "respondent", "interviewer"]
    assert turns.loc[1, "text"] == "В основном онлайн, через приложение & сайт."
    assert (turns.loc[1, "start"], turns.loc[1, "end"]) == (6.2, 3723.25)  # first cue's start, last cue's end
    assert (turns.loc[2, "start"], turns.loc[2, "end"]) == (3724.0, 3726.5)
    assert turns["start"].dtype == "Float64"


def test_vtt_timestamps_without_hours(tmp_path):
    path = write(tmp_path / "INT-07.vtt", "WEBVTT\n\n01:02.500 --> 01:05.000\n<v Interviewer>Hi</v>\n")
    turns = read_transcript(path, LABELS)
    assert (turns.loc[0, "start"], turns.loc[0, "end"]) == (62.5, 65.0)


def test_srt_speaker_prefix_merging_and_unlabelled_continuation_cue(tmp_path):
    path = write(tmp_path / "INT-08.srt", "1\n00:00:01,000 --> 00:00:04,000\nInterviewer: Hello\n\n"
                 "2\n00:00:04,500 --> 00:00:06,000\nRespondent: Hi there,\n\n"
                 "3\n00:00:06,000 --> 00:00:08,250\nRespondent: nice to meet you\n\n"
                 "4\n00:00:08,500 --> 00:00:09,000\nand thanks.\n")
    turns = read_transcript(path, LABELS)
    assert turns["text"].tolist() == ["Hello", "Hi there, nice to meet you and thanks."]
    assert turns["start"].tolist() == [1.0, 4.5]
    assert turns["end"].tolist() == [4.0, 9.0]


def test_docx_paragraphs_with_bold_labels(tmp_path):
    path = write_docx(tmp_path / "INT-09.docx", [
        ("", "INT-09 — 2026-02-06"),
        ("Інтерв’юер", "Що вас зупиняє?"),
        ("Респондент", "Доставка повільна."),
        ("", "Чекала два тижні."),
        ("Interviewer", "Thank you."),
    ])
    turns = read_transcript(path, LABELS)
    assert turns["text"].tolist() == ["Що вас зупиняє?", "Доставка повільна. Чекала два тижні.", "Thank you."]
    assert turns["role"].tolist() == ["interviewer", "respondent", "interviewer"]
    assert turns["start"].isna().all()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1251"])
def test_bom_and_cp1251_are_detected(tmp_path, encoding):
    path = write(tmp_path / "INT-10.txt", "Интервьюер: Что мешает покупать чаще?\n"
                 "Респондент: Слишком дорого для меня, честно говоря.\n", encoding)
    turns = read_transcript(path, LABELS, encoding="auto")
    assert turns["speaker"].tolist() == ["Интервьюер", "Респондент"]  # no BOM glued to the first label
    assert turns["role"].tolist() == ["interviewer", "respondent"]
    assert turns.loc[1, "text"] == "Слишком дорого для меня, честно говоря."


@pytest.mark.parametrize("name, content",
                         [("empty.txt", " \n\n"), ("empty.vtt", "WEBVTT\n\n"), ("empty.md", "# Title\n")])
def test_empty_transcript_is_refused_with_the_file_name(tmp_path, name, content):
    path = write(tmp_path / name, content)
    with pytest.raises(SourceFormatError, match=rf"{name}: the transcript is empty.*remove it"):
        read_transcript(path, LABELS)


def test_unlabelled_transcript_is_refused_with_file_line_and_fix(tmp_path):
    path = write(tmp_path / "notes.txt", "\nThe participant liked the shop windows.\nShe visits monthly.\n")
    with pytest.raises(SourceFormatError, match=r"notes\.txt, line 2: no speaker labels found.*'Interviewer: …'"):
        read_transcript(path, LABELS)


def test_unlabelled_docx_names_the_paragraph(tmp_path):
    path = write_docx(tmp_path / "notes.docx", [("", "Summary of the pilot interview.")])
    with pytest.raises(SourceFormatError, match=r"notes\.docx, paragraph 1: no speaker labels"):
        read_transcript(path, LABELS)


def test_unsupported_and_damaged_files(tmp_path):
    pdf = tmp_path / "INT.pdf"
    pdf.write_bytes(b"%PDF")
    with pytest.raises(SourceFormatError, match=r"INT\.pdf: unsupported transcript format '\.pdf'.*\.docx"):
        read_transcript(pdf, LABELS)
    fake = tmp_path / "INT.docx"
    fake.write_bytes(b"not a zip")
    with pytest.raises(SourceFormatError, match=r"INT\.docx: not a readable \.docx"):
        read_transcript(fake, LABELS)


def test_folder_reads_good_files_and_reports_bad_ones(tmp_path):
    write(tmp_path / "b.txt", "Interviewer: Q\nRespondent: A\n")
    write(tmp_path / "a.srt", "1\n00:00:01,000 --> 00:00:02,000\nInterviewer: Q\n")
    write_docx(tmp_path / "c.docx", [("Respondent", "Відповідь")])
    write(tmp_path / "d.md", "# Notes\n\nNo labels here.\n")
    write(tmp_path / "e.txt", "")
    write(tmp_path / "participants.csv", "Interview,Name\nb,Ann\n")
    (tmp_path / "sub.txt").mkdir()  # a folder is not read, even with a transcript-like name
    write(tmp_path / "sub.txt" / "x.txt", "Interviewer: nested\n")
    turns, problems = read_transcripts(tmp_path, LABELS)
    assert turns["document"].unique().tolist() == ["a", "b", "c"]  # sorted by file name
    assert turns.dtypes.to_dict() == read_transcript(tmp_path / "b.txt", LABELS).dtypes.to_dict()
    assert list(problems.columns) == ["file", "row", "column", "value", "reason"]
    assert problems["file"].tolist() == ["d.md", "e.txt"]
    assert problems["row"].tolist() == [3, pd.NA]
    assert problems["column"].tolist() == ["transcript"] * 2 and problems["value"].isna().all()
    assert "d.md, line 3: no speaker labels found" in problems.loc[0, "reason"]
    assert "e.txt: the transcript is empty" in problems.loc[1, "reason"]


def test_folder_without_problems_or_transcripts(tmp_path):
    turns, problems = read_transcripts(tmp_path, LABELS)
    assert list(turns.columns) == TURN_COLUMNS and turns.empty and problems.empty
    write(tmp_path / "a.txt", "I: Q\nR: A\n")
    turns, problems = read_transcripts(tmp_path, LABELS)
    assert turns["role"].tolist() == ["interviewer", "respondent"] and problems.empty


def test_a_binary_file_named_txt_is_called_binary_not_an_encoding(tmp_path):
    from portrait.collect.transcripts import read_transcript
    from portrait.errors import SourceFormatError
    import pytest as _pytest

    path = tmp_path / "INT-07.txt"
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)
    with _pytest.raises(SourceFormatError, match=r"INT-07.txt: this is not a text file but a zip archive"):
        read_transcript(path, ["Interviewer"])


def test_a_vtt_with_broken_timings_names_the_line(tmp_path):
    from portrait.collect.transcripts import read_transcript
    from portrait.errors import SourceFormatError
    import pytest as _pytest

    path = tmp_path / "INT-08.vtt"
    path.write_text("WEBVTT\n\n00:01 -> 00:04\n<v Interviewer>Hello\n\n00:05 -> 00:09\n<v Olha>Hi\n")
    with _pytest.raises(SourceFormatError, match=r"INT-08.vtt, line 3: the cue timing '00:01 -> 00:04' cannot be read"):
        read_transcript(path, ["Interviewer"])
    path.write_text("WEBVTT\n\nInterviewer: Hello\nOlha: Hi\n")
    with _pytest.raises(SourceFormatError, match=r"INT-08.vtt, line 3: no cue timings"):
        read_transcript(path, ["Interviewer"])


def test_a_stray_byte_in_a_transcript_does_not_refuse_it(tmp_path):
    from portrait.collect.transcripts import read_transcript

    path = tmp_path / "INT-09.txt"
    body = "".join(f"Interviewer: Питання {i}?\nRespondent: Відповідь номер {i}.\n" for i in range(20))
    path.write_bytes(body.encode("utf-8") + "Respondent: caf".encode() + b"\xe9\n")
    turns = read_transcript(path, ["Interviewer"])
    assert turns["text"].iloc[-1].endswith("caf\ufffd") and turns["text"].str.contains("Відповідь").any()
