"""The extract stage: PDF in, tab-celled text with page markers out, or a clear refusal.

Facts of the real Shanghai Putuo PDFs (``tests/pdfs/shanghai-putuo/``) were read by eye
from their rendering (``pdftoppm -png -r 80 -f 8 -l 8 FILE``). Each PDF is extracted once
per module. The unruled-table fallback and the refusals are tested on PDFs drawn here
(``tests/drawn_pdfs.py``).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from builder.errors import DisclosureError
from builder.extract import EXTRACTOR, Extraction, extract_pdf, opening
from builder.extract.cells import cell_text, format_row, join_breaks
from tests.conftest import run_builder
from tests.drawn_pdfs import draw_scan, draw_text_pdf, encrypt

PDFS = Path(__file__).resolve().parent / "pdfs" / "shanghai-putuo"
FINAL = PDFS / "sh-putuo-czj-2024-final.pdf"
BUDGET = PDFS / "sh-putuo-wanli-2024-budget.pdf"
TEMPLATE = PDFS / "sh-template-2024-final-blank.pdf"
PAGES = {FINAL: 25, BUDGET: 33, TEMPLATE: 23}
MARKER = re.compile(r"=== page (\d+) ===")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@pytest.fixture(scope="module")
def extracted() -> dict[Path, Extraction]:
    return {path: extract_pdf(path) for path in PAGES}


def page_of(extraction: Extraction, number: int) -> list[str]:
    """The lines of page ``number`` (after its marker, before the next)."""
    lines = extraction.text.split("\n")
    start = lines.index(f"=== page {number} ===") + 1
    end = next((i for i in range(start, len(lines)) if MARKER.fullmatch(lines[i])), len(lines) - 1)
    return lines[start:end]


# --- the real Shanghai PDFs -------------------------------------------------------------


def test_a_marker_before_every_page(extracted: dict[Path, Extraction]) -> None:
    for path, pages in PAGES.items():
        extraction = extracted[path]
        markers = [int(m) for m in MARKER.findall(extraction.text)]
        assert markers == list(range(1, pages + 1)), path.name
        assert extraction.pages == pages
        assert extraction.text.startswith("=== page 1 ===\n")


def test_the_text_keeps_the_format_contract(extracted: dict[Path, Extraction]) -> None:
    for path, extraction in extracted.items():
        text = extraction.text
        assert text.endswith("\n"), path.name
        assert not text.endswith("\n\n"), path.name
        assert "\r" not in text
        assert not CONTROL.search(text), path.name
        for line in text.split("\n")[:-1]:
            assert line.strip(), f"{path.name}: an empty line"
            if "\t" in line:
                assert any(cell.strip() for cell in line.split("\t")), f"an empty row: {line!r}"
            assert line == line.strip(" "), f"{path.name}: spaces around {line!r}"


def test_provenance_of_the_extraction(extracted: dict[Path, Extraction]) -> None:
    final = extracted[FINAL]
    assert final.pdf_sha256.startswith("d45e923176f9fe4b")
    assert final.extractor == EXTRACTOR
    assert EXTRACTOR.startswith("pdfplumber 0.11.")


def test_ruled_table_rows_are_lines_of_cells(extracted: dict[Path, Extraction]) -> None:
    page = page_of(extracted[FINAL], 8)
    # The title and unit above the table, then the table, top to bottom.
    assert page[:2] == ["收入决算表", "单位：万元"]
    # The merged 项目 header spans four columns: its text once, then empty cells; the
    # headers wrapped in their cells (本年收入合/计) are joined without a space.
    assert page[2] == (
        "项目\t\t\t\t本年收入合计\t财政拨款收入\t上级补助收入\t事业收入\t经营收入"
        "\t附属单位上缴收入\t其他收入"
    )
    assert "类\t款\t项\t合计\t2,946.25\t2,940.05\t\t\t\t\t6.20" in page
    assert "201\t06\t01\t行政运行\t1,511.90\t1,511.89\t\t\t\t\t0.01" in page
    assert "201\t06\t07\t信息化建设\t135.25\t135.25\t\t\t\t\t" in page
    # A name wrapped over two lines of its cell stays on its row, whole.
    assert "208\t05\t05\t机关事业单位基本养老保险缴费支出\t160.75\t160.75\t\t\t\t\t" in page
    assert page[-1] == "210\t11\t\t行政事业单位医疗\t60.99\t60.99\t\t\t\t\t"


def test_a_page_with_an_empty_table_is_empty(extracted: dict[Path, Extraction]) -> None:
    # Page 14 of the final accounts draws one empty table row and no text.
    assert page_of(extracted[FINAL], 14) == []


def test_the_budget_tables_and_their_label_line(extracted: dict[Path, Extraction]) -> None:
    page = page_of(extracted[BUDGET], 16)
    assert page[:5] == [
        "2024年部门支出预算总表",
        "编制部门：上海市普陀区人民政府万里街道办事处 单位：元",
        "项目\t\t\t\t支出预算\t\t",
        "功能分类科目编码\t\t\t功能分类科目名称\t合计\t基本支出\t项目支出",
        "类\t款\t项\t\t\t\t",
    ]
    assert "201\t33\t02\t一般行政管理事务\t1,106,000\t0\t1,106,000" in page
    assert page_of(extracted[BUDGET], 20) == ["合计\t156,211,123\t99,706,020\t56,505,103"]


def test_narrative_pages_are_plain_lines(extracted: dict[Path, Extraction]) -> None:
    page = page_of(extracted[BUDGET], 6)
    assert page[0] == "2024年部门预算编制说明"
    assert all("\t" not in line for line in page)
    # A paragraph wraps where the page wraps it: one line per printed line.
    assert page[-3:] == [
        "6. “一般公共服务支出（类）市场监督管理事务（款）一般行政管理事务（项）”13.52万元，"
        "主要用于市场监督管理事务一般行政",
        "管理事务。2023年当年预算执行数为14.62万元，2024年预算安排13.52万元，"
        "比2023年预算执行数减少7.52%。主要原因是：市场监督管",
        "理事务一般行政管理事务经费减少。",
    ]


def test_digits_in_another_font_stay_on_their_line(extracted: dict[Path, Extraction]) -> None:
    # The digits (Times New Roman) sit 4.9 points lower in their boxes than the Chinese
    # (FangSong) on the same baseline; grouped by box tops, they fell onto lines of their own.
    assert page_of(extracted[FINAL], 1) == ["上海市普陀区财政局", "2024年度部门决算"]
    page = page_of(extracted[FINAL], 21)
    assert page[:5] == [
        "第三部分上海市普陀区财政局2024年度部门决算情况",
        "说明",
        "一、收入支出决算总体情况说明",
        "上海市普陀区财政局2024年度收入支出总计2995.39万元。与2023年度相比，收入",
        "支出总计减少56.95万元，下降1.87%。主要原因：基本支出中人员进出及退休变化，",
    ]
    assert "七、财政拨款“三公”经费支出决算表" in page_of(extracted[FINAL], 2)


def test_the_same_pdf_gives_the_same_bytes(extracted: dict[Path, Extraction]) -> None:
    assert extract_pdf(FINAL).text == extracted[FINAL].text


def test_cli_extract_writes_the_same_text(
    extracted: dict[Path, Extraction], tmp_path: Path
) -> None:
    result = run_builder("extract", TEMPLATE, "--output", tmp_path / "template.txt")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "template.txt").read_bytes() == extracted[TEMPLATE].text.encode("utf-8")
    refused = run_builder("extract", tmp_path / "template.txt")
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"error: {tmp_path / 'template.txt'}: the file is not a PDF")


# --- cells -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "text"),
    [
        ("本年收入合\n计", "本年收入合计"),
        ("附属单\n位上\n缴收入", "附属单位上缴收入"),
        ("Office\nWord", "Office Word"),
        ("2024\n年", "2024年"),
        ("项目\n2024", "项目2024"),
        ("1,511.\n90", "1,511.90"),
        ("A 类 \n 项目", "A 类项目"),
    ],
)
def test_a_wrapped_cell_is_joined(printed: str, text: str) -> None:
    assert join_breaks(printed) == text


def test_cells_lose_control_characters_and_keep_their_row() -> None:
    assert cell_text(None) == ""
    assert cell_text(" 行政\x00运行 ") == "行政运行"
    assert cell_text("合\t计") == "合 计"
    assert format_row(["合计"]) == "合计\t"
    assert format_row(["", "", ""]) is None
    assert format_row(["201", "", "行政运行"]) == "201\t\t行政运行"


# --- unruled tables (another publisher's layout) ----------------------------------------

UNRULED = [
    "一般公共预算财政拨款支出决算表",
    "本部门2024年度支出合计2,946.25万元，比上年增加3.5%。",
    "科目编码\t科目名称\t合计\t基本支出",
    "201\t一般公共服务支出\t2,106.66\t1,503.52",
    "20106\t财政事务\t2,106.66\t",
    "208\t\t\t326.72",
    "注：本表金额单位为万元。",
    "Total\t4,213.32",
]


@pytest.fixture(scope="module")
def unruled(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    path = tmp_path_factory.mktemp("unruled") / "unruled.pdf"
    return extract_pdf(draw_text_pdf(UNRULED, path, ruled=False)).text.split("\n")


def test_unruled_rows_with_numbers_are_split_at_wide_gaps(unruled: list[str]) -> None:
    # Consecutive rows are one table: a blank cell keeps its column.
    assert unruled[4:7] == [
        "201\t一般公共服务支出\t2,106.66\t1,503.52",
        "20106\t财政事务\t2,106.66\t",
        "208\t\t\t326.72",
    ]
    # A row alone has the cells it prints.
    assert unruled[7:] == ["注：本表金额单位为万元。", "Total\t4,213.32", ""]


def test_unruled_lines_without_a_number_cell_stay_plain(unruled: list[str]) -> None:
    assert unruled[:3] == [
        "=== page 1 ===",
        "一般公共预算财政拨款支出决算表",
        "本部门2024年度支出合计2,946.25万元，比上年增加3.5%。",
    ]
    header = unruled[3]
    assert "\t" not in header
    assert header.split() == ["科目编码", "科目名称", "合计", "基本支出"]


def test_ruled_rows_drawn_here_come_back_as_drawn(tmp_path: Path) -> None:
    lines = ["标题", "项目\t金额", "合计\t", "\t", "201\t\t1.50"]
    text = extract_pdf(draw_text_pdf(lines, tmp_path / "ruled.pdf")).text
    assert text == "=== page 1 ===\n标题\n项目\t金额\n合计\t\n201\t\t1.50\n"


# --- refusals ----------------------------------------------------------------------------


def refusal(path: Path) -> DisclosureError:
    with pytest.raises(DisclosureError) as caught:
        extract_pdf(path)
    error = caught.value
    assert error.path == path
    assert error.hint, "every refusal says what to do"
    return error


def test_not_a_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.pdf"
    path.write_text("会议纪要\n", encoding="utf-8")
    assert "not a PDF" in refusal(path).message


@pytest.mark.parametrize("kept", [0.5, 0.02])
def test_a_truncated_pdf_is_refused(tmp_path: Path, kept: float) -> None:
    data = BUDGET.read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(data[: int(len(data) * kept)])
    error = refusal(path)
    assert "the PDF is broken" in error.message
    assert "download the PDF again" in error.hint


def test_a_pdf_header_with_garbage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    assert "the PDF is broken" in refusal(path).message


def test_a_password_protected_pdf_is_refused(tmp_path: Path) -> None:
    path = encrypt(TEMPLATE, tmp_path / "locked.pdf", "secret")
    error = refusal(path)
    assert "encrypted and needs a password" in error.message
    assert "unprotected copy" in error.hint


def test_a_scan_is_refused_with_a_hint_to_ocr(tmp_path: Path) -> None:
    error = refusal(draw_scan(tmp_path / "scan.pdf"))
    assert "no text layer" in error.message
    assert "scan" in error.message
    assert "OCR" in error.hint


def test_a_huge_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(opening, "MAX_PDF_BYTES", 2**20)
    path = tmp_path / "huge.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"0" * (2 * 2**20))
    error = refusal(path)
    assert "over the 1 MB limit" in error.message


def test_damaged_pdfs_are_extracted_or_refused(tmp_path: Path) -> None:
    """Bytes changed, cut or repeated anywhere: an extraction or a DisclosureError, nothing
    else (a longer run of this over the Shanghai budget found the errors pdfplumber leaves
    unwrapped)."""
    lines = ["标题", "项目\t金额", "201\t1.50", "说明：本表无数据。"] * 3
    original = draw_text_pdf(lines, tmp_path / "drawn.pdf").read_bytes()
    rng = random.Random(20261201)
    outcomes = set()
    for example in range(60):
        data = bytearray(original)
        start = rng.randrange(len(data))
        if example % 3 == 0:
            data[start : start + rng.randint(1, 200)] = b""
        elif example % 3 == 1:
            data[start:start] = data[start : start + rng.randint(1, 200)]
        else:
            for _ in range(rng.randint(1, 20)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        path = tmp_path / f"damaged-{example}.pdf"
        path.write_bytes(bytes(data))
        try:
            extract_pdf(path)
            outcomes.add("extracted")
        except DisclosureError as error:
            outcomes.add("refused" if error.path == path else f"refused naming {error.path}")
    assert outcomes == {"extracted", "refused"}


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    assert "cannot read the file" in refusal(tmp_path / "missing.pdf").message
