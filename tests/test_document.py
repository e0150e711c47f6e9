"""Opening letters from disk: every bad input is a ``DocumentError`` with a clear message."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from imr_desktop.core import pdf
from imr_desktop.core.document import (
    TEXT_EXTRACTOR_VERSION,
    decode_text,
    load_document,
    read_source,
)
from imr_desktop.core.errors import DocumentError, PasswordRequired, UserFacingError
from tests import pdfgen


def one_line(exc: BaseException) -> str:
    message = str(exc)
    assert message and "\n" not in message, f"message is not one line: {message!r}"
    assert "Traceback" not in message
    return message


# --------------------------------------------------------------------------- bad inputs
@pytest.mark.parametrize("name", ["empty.pdf", "empty.txt", "empty"])
def test_zero_byte_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    with pytest.raises(DocumentError) as info:
        load_document(path)
    assert one_line(info.value) == f"{name} is empty (0 bytes)."


def test_truncated_pdf(truncated_pdf: Path) -> None:
    with pytest.raises(DocumentError) as info:
        load_document(truncated_pdf)
    message = one_line(info.value)
    assert "truncated.pdf" in message
    assert "damaged" in message
    assert not isinstance(info.value, PasswordRequired)


def test_corrupt_pdf(corrupt_pdf: Path) -> None:
    with pytest.raises(DocumentError) as info:
        load_document(corrupt_pdf)
    message = one_line(info.value)
    assert message.startswith("corrupt.pdf is damaged and cannot be read as a PDF")


@pytest.mark.corpus
def test_truncated_real_letter(tmp_path: Path) -> None:
    from tests.conftest import corpus_letter

    data = corpus_letter("CM16-0230651.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DocumentError, match=r"^cut\.pdf is damaged"):
        load_document(path)


def test_encrypted_pdf_needs_a_password(encrypted_pdf: Path) -> None:
    with pytest.raises(PasswordRequired) as info:
        load_document(encrypted_pdf)
    assert info.value.wrong is False
    assert one_line(info.value) == "encrypted.pdf is protected by a password."


def test_encrypted_pdf_with_a_wrong_password(encrypted_pdf: Path) -> None:
    with pytest.raises(PasswordRequired) as info:
        load_document(encrypted_pdf, password="not-it")
    assert info.value.wrong is True
    assert one_line(info.value) == "The password for encrypted.pdf is not correct."


@pytest.mark.parametrize("password", [pdfgen.USER_PASSWORD, pdfgen.OWNER_PASSWORD])
def test_encrypted_pdf_opens_with_the_right_password(encrypted_pdf: Path, password: str) -> None:
    loaded = load_document(encrypted_pdf, password=password)
    assert loaded.has_text
    assert loaded.page_count == 1
    assert "Page 1 of 1" in loaded.text


def test_image_only_pdf_opens_without_text(image_only_pdf: Path) -> None:
    loaded = load_document(image_only_pdf)
    assert loaded.page_count == 2
    assert loaded.layer.pages_done == 2
    assert loaded.has_text is False
    assert loaded.text == ""
    assert loaded.source.kind == "pdf"


def test_text_file_named_pdf(not_a_pdf: Path) -> None:
    with pytest.raises(DocumentError) as info:
        load_document(not_a_pdf)
    assert one_line(info.value) == "notes.pdf is not a PDF file (it has no PDF header)."


def test_undecodable_text_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Décision: Upheld".encode("latin-1"))
    with pytest.raises(DocumentError) as info:
        load_document(path)
    message = one_line(info.value)
    assert "latin1.txt is not UTF-8 text" in message
    assert "0xe9" in message and "position 1" in message


def test_binary_file_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(DocumentError, match=r"^image\.txt is a binary file"):
        load_document(path)


def test_pdf_named_txt_opens_as_pdf(tmp_path: Path, letter_pdf: Path) -> None:
    renamed = tmp_path / "letter.txt"
    shutil.copyfile(letter_pdf, renamed)
    as_txt = load_document(renamed)
    as_pdf = load_document(letter_pdf)
    assert as_txt.source.kind == "pdf"
    assert as_txt.page_count == 3
    assert as_txt.text == as_pdf.text
    assert as_txt.source.sha256 == as_pdf.source.sha256  # same bytes, same document


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.pdf"
    with pytest.raises(DocumentError) as info:
        load_document(path)
    assert one_line(info.value) == f"File not found: {path}"


def test_folder(tmp_path: Path) -> None:
    folder = tmp_path / "letters.pdf"
    folder.mkdir()
    with pytest.raises(DocumentError) as info:
        load_document(folder)
    assert one_line(info.value) == f"{folder} is a folder, not a letter."


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root reads files whatever their mode bits; needs an ordinary user",
)
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.pdf"
    path.write_bytes(pdfgen.letter_bytes(1))
    path.chmod(0)
    try:
        with pytest.raises(DocumentError, match="Permission denied"):
            load_document(path)
    finally:
        path.chmod(0o600)


def test_errors_are_user_facing() -> None:
    assert issubclass(DocumentError, UserFacingError)
    assert issubclass(PasswordRequired, DocumentError)


# --------------------------------------------------------------------------- good inputs
def test_pdf_identity_and_extractor_version(letter_pdf: Path, tmp_path: Path) -> None:
    loaded = load_document(letter_pdf)
    assert loaded.source.sha256 == hashlib.sha256(letter_pdf.read_bytes()).hexdigest()
    assert loaded.extractor_version == pdf.EXTRACTOR_VERSION
    assert loaded.warnings == []
    moved = tmp_path / "sub" / "renamed.pdf"
    moved.parent.mkdir()
    shutil.copyfile(letter_pdf, moved)
    assert read_source(moved).sha256 == loaded.source.sha256


def test_text_letter_bom_and_newlines(tmp_path: Path) -> None:
    path = tmp_path / "letter.txt"
    path.write_bytes("\ufeffLine one\r\nLine two\rLine three\n".encode())
    loaded = load_document(path)
    assert loaded.text == "Line one\nLine two\nLine three\n"
    assert loaded.extractor_version == TEXT_EXTRACTOR_VERSION
    assert loaded.page_count == 0
    assert not loaded.layer.has_geometry


def test_decode_text_keeps_non_ascii() -> None:
    assert decode_text("naïve — “ok” 😀".encode(), "x.txt") == "naïve — “ok” 😀"


def test_sniff_kind_tolerates_junk_before_the_header() -> None:
    assert pdf.sniff_kind(b"\r\n%PDF-1.4 rest") == "pdf"
    assert pdf.sniff_kind(b"hello") == "text"
    assert pdf.sniff_kind(b"x" * 2000 + b"%PDF-1.4") == "text"


def test_repair_warnings_are_collected_not_printed(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    pdf.repair_warnings()  # drop what earlier tests left
    data = pdfgen.letter_bytes(1)
    # a broken cross-reference table: MuPDF repairs it and says so
    broken = data.replace(b"startxref", b"startxrex")
    path = tmp_path / "repaired.pdf"
    path.write_bytes(broken)
    loaded = load_document(path)
    assert loaded.has_text
    assert loaded.warnings and "repair" in loaded.warnings[0]
    assert "repair" not in capfd.readouterr().err


@pytest.mark.corpus
def test_real_letter_loads(corpus_dir: Path) -> None:
    loaded = load_document(corpus_dir / "letters" / "CM16-0219557.pdf")
    assert loaded.page_count == 2
    assert "CM16-0219557" in loaded.text
    assert "IMR ISSUES, DECISIONS AND RATIONALES" in loaded.text


def test_warnings_of_a_failed_file_are_not_blamed_on_the_next(
    corrupt_pdf: Path, letter_pdf: Path
) -> None:
    with pytest.raises(DocumentError):
        load_document(corrupt_pdf)
    assert load_document(letter_pdf).warnings == []
