"""The two binary formats behind vbaProject.bin: [MS-OVBA] compression and the compound file."""

from __future__ import annotations

import random

import pytest

from infusion_billing.classic import cfb, vba
from infusion_billing.classic.workbook import quickstart


@pytest.fixture(scope="module")
def quickstart_project() -> cfb.Storage:
    with quickstart() as qs:
        return cfb.read(qs.read("xl/vbaProject.bin"))


def test_decompresses_what_excel_compressed(quickstart_project):
    """xlwings' quickstart was saved by Excel: its module source reads back as the VBA it shows."""
    assert vba.module_source(quickstart_project, "Module1") == (
        'Attribute VB_Name = "Module1"\r\nSub SampleCall()\r\n'
        '    mymodule = Left(ThisWorkbook.Name, (InStrRev(ThisWorkbook.Name, ".", -1, vbTextCompare) - 1))\r\n'
        '    RunPython "import " & mymodule & ";" & mymodule & ".main()"\r\nEnd Sub\r\n\r\n')
    assert set(vba.modules(quickstart_project)) == {"ThisWorkbook", "Sheet1", "Sheet2", "Module1"}


@pytest.mark.parametrize("data", [
    b"",
    b"a",
    b"abcabcabcabcabcabc",
    b'Sub X()\r\n    RunPython "import m; m.x()"\r\nEnd Sub\r\n' * 200,  # several chunks of repeats
    bytes(random.Random(7).randrange(256) for _ in range(9000)),  # incompressible: raw chunks, then a short one
])
def test_compression_round_trips(data):
    packed = vba.compress(data)
    assert packed[0] == 1
    assert vba.decompress(packed) == data


def test_compression_actually_compresses_source_text():
    text = (b'Sub CheckAndCode()\r\n'
            b'    RunPython "import infusion_billing.macros as m; m.check_and_code_classic()"\r\n') * 20
    assert len(vba.compress(text)) < len(text) // 4


def test_compound_file_round_trips_storages_streams_and_class_ids():
    tree = cfb.Storage(clsid=bytes(range(16)), children={
        "PROJECT": b"ID=\"{1}\"\r\n" * 10,
        "VBA": cfb.Storage(children={f"Module{i}": bytes([i]) * (i * 37) for i in range(1, 12)}),
        "Big": bytes(range(256)) * 40,  # 10240 bytes: regular sectors, not the mini stream
        "Empty": b"",
    })
    again = cfb.read(cfb.write(tree))
    assert again == tree


def test_the_quickstart_project_survives_a_rewrite_unchanged(quickstart_project):
    again = cfb.read(cfb.write(quickstart_project))
    assert again == quickstart_project


def test_sibling_trees_are_ordered_and_coloured_as_the_format_requires():
    entries = [cfb._Entry(f"S{i:02}", cfb.STREAM) for i in range(6)]
    root = cfb._tree(list(range(6)), entries)

    def walk(i, depth=0):
        if i == cfb.NOSTREAM:
            return [], {1}  # (in-order names, black heights of the empty links)
        left, lh = walk(entries[i].left, depth + 1)
        right, rh = walk(entries[i].right, depth + 1)
        if entries[i].color == cfb.RED:
            for child in (entries[i].left, entries[i].right):
                assert child == cfb.NOSTREAM or entries[child].color == cfb.BLACK
        black = 1 if entries[i].color == cfb.BLACK else 0
        return left + [entries[i].name] + right, {h + black for h in lh | rh}

    names, heights = walk(root)
    assert names == sorted(names, key=lambda n: (len(n), n.upper()))
    assert len(heights) == 1 and entries[root].color == cfb.BLACK
