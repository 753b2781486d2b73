"""Tetris: answers re-derived from the board in `state` with a separate shape table, drop and clear code."""
import pytest

import gameqa
from gameqa_testing import gold

SEEDS = range(100)
# Every orientation of every piece written out by hand, as picture strings (rows joined by '/').
PICTURES = {
    "I": ["XXXX", "X/X/X/X"], "O": ["XX/XX"],
    "T": ["XXX/.X.", ".X/XX/.X", ".X./XXX", "X./XX/X."],
    "S": [".XX/XX.", "X./XX/.X"], "Z": ["XX./.XX", ".X/XX/X."],
    "J": ["X../XXX", "XX/X./X.", "XXX/..X", ".X/.X/XX"],
    "L": ["..X/XXX", "X./X./XX", "XXX/X..", "XX/.X/.X"],
}




def picture(cells):
    r0, c0 = min(r for r, _ in cells), min(c for _, c in cells)
    h, w = max(r for r, _ in cells) - r0 + 1, max(c for _, c in cells) - c0 + 1
    return "/".join("".join("X" if (r + r0, c + c0) in cells else "." for c in range(w)) for r in range(h))


def parse(board):
    settled = {(r, c) for r, row in enumerate(board) for c, ch in enumerate(row) if ch == "#"}
    piece = {(r, c) for r, row in enumerate(board) for c, ch in enumerate(row) if ch == "@"}
    return settled, piece, len(board), len(board[0])


def free(cells, settled, rows, cols):
    return all(0 <= r < rows and 0 <= c < cols and (r, c) not in settled for r, c in cells)


def drop_and_clear(cells, settled, rows, cols):
    while free({(r + 1, c) for r, c in cells}, settled, rows, cols):
        cells = {(r + 1, c) for r, c in cells}
    after = settled | cells
    return sum(all((r, c) in after for c in range(cols)) for r in range(rows))


def test_shape_table_matches_rotations():
    for kind, pics in PICTURES.items():
        cells = {(r, c) for r, row in enumerate(pics[0].split("/")) for c, ch in enumerate(row) if ch == "X"}
        seen = set()
        for _ in range(4):  # counter-clockwise turns here, the engine turns clockwise
            seen.add(picture(cells))
            cells = {(-c, r) for r, c in cells}
        assert seen == set(pics)


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_piece_shape(level):
    for seed in SEEDS:
        s = gameqa.sample_task("tetris", 1, seed, level, render=False)
        _, piece, *_ = parse(s["state"]["board"])
        assert picture(piece) in PICTURES[gold(s)]


def test_empty_cells_in_row():
    for seed in SEEDS:
        s = gameqa.sample_task("tetris", 2, seed, "Medium", render=False)
        assert int(gold(s)) == s["state"]["board"][s["state"]["row"]].count(".")


def test_drop_distance():
    for seed in SEEDS:
        s = gameqa.sample_task("tetris", 3, seed, "Easy", render=False)
        settled, piece, rows, cols = parse(s["state"]["board"])
        d = 0
        while free({(r + d + 1, c) for r, c in piece}, settled, rows, cols):
            d += 1
        assert int(gold(s)) == d


@pytest.mark.parametrize("level", ["Easy", "Medium"])
def test_best_clear(level):
    counts = set()
    for seed in SEEDS:
        s = gameqa.sample_task("tetris", 4, seed, level, render=False)
        settled, piece, rows, cols = parse(s["state"]["board"])
        kind = next(k for k, pics in PICTURES.items() if picture(piece) in pics)
        best = 0
        for pic in PICTURES[kind]:
            shape = {(r, c) for r, row in enumerate(pic.split("/")) for c, ch in enumerate(row) if ch == "X"}
            for shift in range(cols):
                cells = {(r, c + shift) for r, c in shape}
                if free(cells, settled, rows, cols):
                    best = max(best, drop_and_clear(cells, settled, rows, cols))
        assert int(gold(s)) == best
        counts.add(best)
    assert {0, 1, 2} <= counts  # the carved wells make clears happen, but not always
