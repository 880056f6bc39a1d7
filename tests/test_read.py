"""Stage "read": files in the encodings and shapes historians have, and the bad ones."""
import hashlib
import json
from pathlib import Path

import pytest

from kg.errors import InputError, ReadError
from kg.read import decode_bytes, iter_paths, read_all, read_file
from kg.types import Document

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "corpus"
GOLD = ROOT / "tests" / "gold"

RUSSIAN = (
    "Орден нашёл семью через 78 лет\n"
    "\n"
    "Жумагали Исмаилов родился в 1913 году в Аулиеколе. В августе 1941 года его призвали.\n"
    '"Бабушка получила похоронку летом 1945-го, уже после Победы", - рассказывает внук.\n'
)  # no «» or —: KOI8-R has neither


@pytest.mark.parametrize("encoding, detected", [
    ("utf-8", "utf-8"),
    ("utf-8-sig", "utf-8-sig"),
    ("utf-16", "utf-16"),
    ("utf-16-le", "utf-16"),  # with a BOM written by hand below
    ("utf-16-be", "utf-16-be"),  # without a BOM
    ("cp1251", "cp1251"),
    ("koi8_r", "koi8_r"),
])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_encodings_decode_to_the_original_text(tmp_path, encoding, detected, newline):
    text = RUSSIAN.replace("\n", newline)
    data = text.encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    doc = read_file(path)
    assert doc.raw == text  # exactly: no BOM, no newline translation
    assert doc.encoding == detected
    assert doc.format == "text"
    assert doc.digest == hashlib.sha256(data).hexdigest()
    assert doc.source == str(path)


@pytest.mark.parametrize("text, encoding", [
    ("Подвиг", "cp1251"),
    ("Подвиг", "koi8_r"),
    ("Кабыш Омаров встретил войну 22 июня 1941 года.", "cp1251"),
    ("Кабыш Омаров встретил войну 22 июня 1941 года.", "koi8_r"),
    ("Кабыш Омаров встретил войну 22 июня 1941 года.", "mac_cyrillic"),
    ("Кабыш Омаров встретил войну 22 июня 1941 года.", "cp866"),
    ("Просто текст latin only", "utf-8"),
    # all in capitals, few words: the letters score both code pages alike, the words decide
    ("НА ОРДЕН ДЕРЕВНЯ. НА ДЕРЕВНЯ В. СЫН ДЕРЕВНЯ ЕРЁМИН.", "koi8_r"),
    ("НА ОРДЕН ДЕРЕВНЯ. НА ДЕРЕВНЯ В. СЫН ДЕРЕВНЯ ЕРЁМИН.", "cp1251"),
    ("ДОНЕСЕНИЕ. ПОЛК ВЕДЁТ БОЙ ЗА ДЕРЕВНЮ.", "koi8_r"),
    ("ДОНЕСЕНИЕ. ПОЛК ВЕДЁТ БОЙ ЗА ДЕРЕВНЮ.", "cp1251"),
])
def test_short_cyrillic_texts(text, encoding):
    assert decode_bytes(text.encode(encoding)) == (text, encoding)


@pytest.mark.parametrize("name, data, reason", [
    ("nul.txt", "Текст".encode() + b"\x00\x01\x02" + "ещё".encode(), "binary file"),
    ("program.txt", b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8, "binary file (contains NUL bytes)"),
    ("renamed.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "binary file (looks like PDF)"),
    ("doc.txt", b"PK\x03\x04\x14\x00\x06\x00", "binary file (looks like ZIP or DOCX)"),
    ("empty.txt", b"", "empty file"),
    ("blank.md", b"  \n\t\r\n \n", "empty file (only whitespace)"),
    ("bom_only.txt", b"\xef\xbb\xbf", "empty file (only whitespace)"),
    ("noise.txt", bytes(range(0x80, 0x100)) * 3, "undecodable bytes"),
    ("broken_bom.txt", b"\xef\xbb\xbf\xff\xfe\xfa", "undecodable bytes after a utf-8-sig"),
    ("controls.txt", bytes(range(1, 9)) * 20, "binary file"),
    ("notes.pdf", "Текст".encode(), "unsupported file type '.pdf'"),
    ("README", "Текст".encode(), "unsupported file type '(no suffix)'"),
])
def test_bad_files_raise_read_error_with_reason(tmp_path, name, data, reason):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ReadError) as info:
        read_file(path)
    assert reason in info.value.reason
    assert info.value.path == str(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ReadError, match="file not found"):
        read_file(tmp_path / "missing.txt")
    with pytest.raises(ReadError, match="is a folder"):
        read_file(tmp_path)


@pytest.mark.parametrize("suffix, fmt", [
    (".txt", "text"), (".TXT", "text"), (".md", "markdown"), (".markdown", "markdown"),
    (".html", "html"), (".htm", "html"),
])
def test_format_from_suffix(tmp_path, suffix, fmt):
    path = tmp_path / f"a{suffix}"
    path.write_text("<p>Текст</p>", encoding="utf-8")
    assert read_file(str(path)).format == fmt


def _tree(root: Path) -> None:
    for rel in ["b.txt", "a.html", "sub/c.md", "sub/deeper/d.htm", "A/z.txt",
                ".hidden/x.txt", ".dot.txt", "x.gold.json", "notes.pdf", "sub/e.markdown"]:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("Текст статьи.", encoding="utf-8")


def test_iter_paths_expands_folders_sorted(tmp_path):
    _tree(tmp_path)
    root = str(tmp_path)
    got = [p[len(root) + 1:] for p in iter_paths([root])]
    assert got == ["A/z.txt", "a.html", "b.txt", "sub/c.md", "sub/deeper/d.htm", "sub/e.markdown"]
    assert list(iter_paths([root])) == list(iter_paths([root]))


def test_iter_paths_keeps_explicit_files(tmp_path):
    _tree(tmp_path)
    pdf, missing = str(tmp_path / "notes.pdf"), str(tmp_path / "missing.txt")
    assert list(iter_paths([pdf, missing])) == [pdf, missing]


def test_read_all_yields_errors_and_goes_on(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_text("Текст статьи.", encoding="utf-8")
    (tmp_path / "c.txt").write_bytes(b"%PDF-1.4")
    (tmp_path / "d.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    out = list(read_all([tmp_path, tmp_path / "d.doc"]))
    assert [type(x) for x in out] == [ReadError, Document, ReadError, ReadError]
    assert all(isinstance(x, InputError) for x in out if not isinstance(x, Document))
    assert out[1].raw == "Текст статьи."
    assert "unsupported file type '.doc'" in out[3].reason


@pytest.mark.parametrize("name", ["seed_partisans_toulouse.txt", "a02.html", "a03.txt",
                                  "a05.html", "a08.txt"])
def test_dev_corpus_encodings(name):
    gold = json.loads((GOLD / (name.rsplit(".", 1)[0] + ".gold.json")).read_text("utf-8"))
    doc = read_file(CORPUS / name)
    assert doc.encoding == gold["encoding"]
    assert doc.format == gold["format"]


def test_a08_is_windows_1251():
    doc = read_file(CORPUS / "a08.txt")
    assert doc.encoding == "cp1251"
    assert doc.raw.startswith("Орден нашёл семью через 78 лет\n\n15.05.2023 | Общество\n")
    assert doc.raw == (CORPUS / "a08.txt").read_bytes().decode("cp1251")
