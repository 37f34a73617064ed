"""Reading sources: encodings and each kind of extraction noise listed in DOMAIN.md."""

from dataclasses import replace
from pathlib import Path

import pytest

from builder.errors import DisclosureError
from builder.sources.reading import Line, clean_line, read_source


@pytest.mark.parametrize(
    ("raw", "text", "noise"),
    [
        ("## 第一部分 概况", "第一部分 概况", ("markdown-heading",)),
        ("### 支出決算表", "支出決算表", ("markdown-heading",)),
        (
            "<b>第二部分 2024年部门决算表</b>\t<b>3</b>",
            "第二部分 2024年部门决算表\t3",
            ("html-tag",),
        ),
        ("<p>项目实施情况</p> <p>一、</p>", "项目实施情况 一、", ("html-tag",)),
        ("## **二、机构设置情况**", "二、机构设置情况", ("markdown-heading", "markdown-bold")),
        ("- 一、财政拨款收入：指……", "一、财政拨款收入：指……", ("list-bullet",)),
        ("-5-", "", ("page-number",)),
        ("---", "", ("rule",)),
        ("山西省民营经济发展局  ", "山西省民营经济发展局", ()),
        ("金额单位：万  ", "金额单位：万", ()),
        ("合计\t\t5, 256. 96\t\t", "合计\t\t5, 256. 96\t\t", ()),  # trailing empty cells kept
    ],
)
def test_noise_is_stripped_and_words_kept(raw: str, text: str, noise: tuple[str, ...]) -> None:
    assert clean_line(raw) == (text, noise)


def test_negative_numbers_are_not_page_numbers() -> None:
    assert clean_line("-5")[0] == "-5"


SAMPLE = "山西省测试局\n2024年度单位决算公开\n合计\t1,234.50\n"


@pytest.mark.parametrize(
    ("encoding", "prefix", "name"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("utf-16", b"", "utf-16"),  # Python writes the BOM
        ("gb18030", b"", "gb18030"),
    ],
)
def test_encodings_are_detected(tmp_path: Path, encoding: str, prefix: bytes, name: str) -> None:
    path = tmp_path / "d.txt"
    path.write_bytes(prefix + SAMPLE.replace("\n", "\r\n").encode(encoding))
    source = read_source(path)
    assert source.encoding == name
    # \r\n ends a line as \n does; the final line end starts no further line (grep -n)
    assert [line.text for line in source.lines] == SAMPLE.split("\n")[:-1]
    assert source.lines[2].cells == ["合计", "1,234.50"]


def test_binary_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"%PDF-1.7\x00\x01\x02\xff\xfe\x00")
    with pytest.raises(DisclosureError) as caught:
        read_source(path)
    assert str(path) in caught.value.describe()


def test_a_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # a sparse 100 MB file: nothing is really written
        handle.truncate(100 * 2**20)
    with pytest.raises(DisclosureError) as caught:
        read_source(path)
    assert "100.0 MB, over the 20 MB limit" in caught.value.describe()


def test_with_text_keeps_every_other_field() -> None:
    line = Line(12, "<b>合计</b>\t5", "合计\t5", ("html-tag",), 3)
    assert line.with_text("合计\t\t5") == replace(line, text="合计\t\t5")
