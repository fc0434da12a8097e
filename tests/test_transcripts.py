"""Transcripts in every format and language become speaker turns; bad files are reported, not fatal."""

import docx
import pandas as pd
import pytest

from portrait.errors import SourceFormatError
from portrait.transcripts import TURN_COLUMNS, read_transcript, read_transcripts, seconds

LABELS = ["Interviewer", "Інтерв’юер", "Интервьюер", "I"]


def test_txt_with_title_continuation_and_colon_inside_a_turn(tmp_path):
    path = tmp_path / "INT-01.txt"
    path.write_text("Interview 1 — 2026-03-02\n\nInterviewer: Why do you buy?\n"
                    "Respondent: Mostly gifts.\nI told my sister: no more scarves.\n"
                    "Interviewer: Thanks.\n", encoding="utf-8")
    turns = read_transcript(path, LABELS)
    assert list(turns.columns) == TURN_COLUMNS
    assert turns["role"].tolist() == ["interviewer", "respondent", "interviewer"]
    assert turns.loc[1, "text"] == "Mostly gifts. I told my sister: no more scarves."
    assert turns["turn"].tolist() == [1, 2, 3] and set(turns["document"]) == {"INT-01"}
    assert turns["start"].isna().all()


def test_markdown_bold_labels_in_ukrainian(tmp_path):
    path = tmp_path / "INT-02.md"
    path.write_text("# INT-02\n\n_Date: 2026-02-03_\n\n**Інтерв’юер:** Що заважає купувати частіше?\n\n"
                    "**Олена:** Ціни там зависокі.\n", encoding="utf-8")
    turns = read_transcript(path, LABELS)
    assert turns["speaker"].tolist() == ["Інтерв’юер", "Олена"]
    assert turns["role"].tolist() == ["interviewer", "respondent"]
    assert turns.loc[1, "text"] == "Ціни там зависокі."


def test_vtt_voice_tags_timestamps_and_merged_cues(tmp_path):
    path = tmp_path / "INT-03.vtt"
    path.write_text("WEBVTT\n\nNOTE recorded in Kyiv\n\n1\n00:00:03.000 --> 00:00:05.400\n"
                    "<v Интервьюер>Где вы покупаете?</v>\n\n00:00:06.200 --> 00:00:09.800\n"
                    "<v Респондент>В основном онлайн,</v>\n\n00:00:10.000 --> 01:02:03.250\n"
                    "<v.loud Респондент>через <i>приложение</i>.</v>\n", encoding="utf-8")
    turns = read_transcript(path, LABELS)
    assert len(turns) == 2
    assert turns.loc[1, "text"] == "В основном онлайн, через приложение."
    assert (turns.loc[1, "start"], turns.loc[1, "end"]) == (6.2, 3723.25)
    assert turns.loc[0, "role"] == "interviewer"


def test_srt_with_speaker_prefix(tmp_path):
    path = tmp_path / "INT-04.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:04,000\nInterviewer: Hello\n\n2\n00:00:04,500 --> 00:00:06,000\n"
                    "Respondent: Hi there\n", encoding="utf-8")
    turns = read_transcript(path, LABELS)
    assert turns["text"].tolist() == ["Hello", "Hi there"]
    assert turns["end"].tolist() == [4.0, 6.0]


def test_docx_paragraphs(tmp_path):
    path = tmp_path / "INT-05.docx"
    document = docx.Document()
    document.add_heading("INT-05", level=1)
    paragraph = document.add_paragraph()
    paragraph.add_run("Interviewer:").bold = True
    paragraph.add_run(" What stops you?")
    document.add_paragraph("Respondent: The delivery is slow.")
    document.save(path)
    turns = read_transcript(path, LABELS)
    assert turns["text"].tolist() == ["What stops you?", "The delivery is slow."]
    assert turns["role"].tolist() == ["interviewer", "respondent"]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp1251"])
def test_encodings_are_detected(tmp_path, encoding):
    path = tmp_path / "INT-06.txt"
    path.write_text("Интервьюер: Что мешает покупать чаще?\nРеспондент: Слишком дорого для меня, честно говоря.\n",
                    encoding=encoding)
    assert read_transcript(path, LABELS)["text"].tolist()[1] == "Слишком дорого для меня, честно говоря."


def test_empty_and_unlabelled_transcripts_are_refused_with_the_file_name(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n")
    with pytest.raises(SourceFormatError, match="empty.txt: the transcript is empty"):
        read_transcript(empty, LABELS)
    notes = tmp_path / "notes.txt"
    notes.write_text("The participant liked the shop windows.\nShe visits monthly.\n")
    with pytest.raises(SourceFormatError, match="notes.txt: no speaker labels found"):
        read_transcript(notes, LABELS)


def test_unsupported_extension(tmp_path):
    path = tmp_path / "INT.pdf"
    path.write_bytes(b"%PDF")
    with pytest.raises(SourceFormatError, match="unsupported transcript format '.pdf'"):
        read_transcript(path, LABELS)


def test_folder_reads_good_files_and_reports_bad_ones(tmp_path):
    (tmp_path / "a.txt").write_text("Interviewer: Q\nRespondent: A\n")
    (tmp_path / "b.txt").write_text("no labels at all\n")
    (tmp_path / "participants.csv").write_text("Interview,Name\n")
    turns, problems = read_transcripts(tmp_path, LABELS)
    assert set(turns["document"]) == {"a"}
    assert problems["file"].tolist() == ["b.txt"]
    assert problems.loc[0, "reason"].startswith("no speaker labels found")


def test_seconds():
    assert seconds("01:02:03.250") == 3723.25
    assert seconds("02:03.5") == 123.5
    assert seconds("00:00:01,000") == 1.0
