"""Tangram: the task table against Game-RL's, and every task's gold re-derived from the record's `state` by code
written here: the board recomputed from its seeds, a flood fill for connected pieces, a scan of every pair of
edge-sharing cells, rotations done on cell coordinates, and, for task 5, every translation of piece P1 anywhere on
the board. The image is read back pixel by pixel against the state."""
import io
import json

import pytest

import gameqa
import rewards
from gameqa_testing import gold

SEEDS = range(120)  # 40 per plot level
SIZES = {"Easy": {5}, "Medium": {6, 7, 8}, "Hard": {9, 10}}  # Game-RL: n = randint(5, 10); <= 5 Easy, <= 8 Medium
# question_id: (description, qa_type, qa_level); every task is multiple choice with 8 options
TABLE = {1: ("piece_count", "Target Perception", "Easy"),
         2: ("piece_rotation", "State Prediction", "Medium"),
         3: ("piece_area", "Target Perception", "Medium"),
         4: ("piece_adjacency", "Target Perception", "Medium"),
         5: ("piece_placement", "State Prediction", "Hard")}
# Task 2's phrases, by the set of clockwise turns (degrees) of the drawn piece that fit the hole
PHRASES = {frozenset(): "it cannot fit by rotation alone (it was flipped)",
           frozenset({0}): "only as shown, with no rotation (0 degrees)",
           frozenset({90}): "only after a 90-degree clockwise rotation",
           frozenset({180}): "only after a 180-degree rotation",
           frozenset({270}): "only after a 90-degree counterclockwise rotation",
           frozenset({0, 180}): "as shown or after a 180-degree rotation, no other way",
           frozenset({90, 270}): "after a 90-degree rotation either way (clockwise or counterclockwise), no other way",
           frozenset({0, 90, 180, 270}): "after any rotation: 0, 90, 180 or 270 degrees"}
TAB10 = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
         (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]


def samples(qid, seeds=SEEDS, render=False):
    for seed in seeds:
        level = gameqa.LEVELS[seed % 3]
        yield level, gameqa.sample_task("tangram", qid, seed, level, render=render)


def full_board(n, seeds):
    """Each cell's piece (1-based): sort the seeds by (squared distance, number) and take the first."""
    board = {}
    for r in range(n):
        for c in range(n):
            ranked = sorted(((r - sr) ** 2 + (c - sc) ** 2, i + 1) for i, (sr, sc) in enumerate(seeds))
            board[(r, c)] = ranked[0][1]
    return board


def edge_pairs(n):
    """Every pair of cells that share an edge, each pair once."""
    return [((r, c), (r + dr, c + dc)) for r in range(n) for c in range(n) for dr, dc in ((0, 1), (1, 0))
            if r + dr < n and c + dc < n]


def normal(cells):
    """Cells moved so that the smallest row and the smallest column are 0."""
    r0, c0 = min(r for r, _ in cells), min(c for _, c in cells)
    return frozenset((r - r0, c - c0) for r, c in cells)


def matrix_cells(matrix):
    return frozenset((i, j) for i, row in enumerate(matrix) for j, v in enumerate(row) if v)


def turn_cells(cells, degrees):
    """Cells turned clockwise on screen (row down, column right): (r, c) -> (c, -r), then normalised."""
    for _ in range(degrees // 90):
        cells = {(c, -r) for r, c in cells}
    return normal(cells)


def check_board(level, state):
    """The grid is the seeds' board less the removed pieces, every piece is one 4-connected region, and each
    removed piece's drawn matrix covers its cells (task 2's transform is checked in its own test).
    Returns (full board, n)."""
    grid, seeds = state["grid"], [tuple(s) for s in state["seeds"]]
    n = len(grid)
    assert n in SIZES[level] and all(len(row) == n for row in grid)
    assert 4 <= len(seeds) <= 8 and len(set(seeds)) == len(seeds)
    board = full_board(n, seeds)
    for piece in range(1, len(seeds) + 1):
        cells = {rc for rc, p in board.items() if p == piece}
        reached, todo = {min(cells)}, [min(cells)]
        while todo:
            r, c = todo.pop()
            for nb in ((r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)):
                if nb in cells and nb not in reached:
                    reached.add(nb)
                    todo.append(nb)
        assert reached == cells, (level, piece)
    removed = state["removed"]
    assert len(set(removed)) == len(removed) == len(state["removed_shapes"])
    for (r, c), piece in board.items():
        assert grid[r][c] == (0 if piece in removed else piece)
    return board, n


def cells_of(board, piece):
    return {rc for rc, p in board.items() if p == piece}


def test_task_table_and_option_counts():
    tasks = {t.question_id: t for t in gameqa.REGISTRY["tangram"].tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, row in TABLE.items():
        assert (tasks[qid].description, tasks[qid].qa_type, tasks[qid].qa_level) == row
        for level in gameqa.LEVELS:
            s = gameqa.sample_task("tangram", qid, 0, level, render=False)
            assert len(s["options"]) == 8 and len(s["state"]["grid"]) in SIZES[level]
            assert s["level"] == {"plot_level": level, "qa_level": row[2], "qa_type": row[1]}
            assert s["question_description"] == row[0]
    sizes = {level: set() for level in gameqa.LEVELS}
    for level, s in samples(1):
        sizes[level].add(len(s["state"]["grid"]))
    assert sizes == SIZES  # every board size of every level occurs


@pytest.mark.parametrize("qid", [1, 3, 4])
def test_boards_and_random_removals(qid):
    counts = set()
    for level, s in samples(qid):
        board, n = check_board(level, s["state"])
        removed = s["state"]["removed"]
        assert 1 <= len(removed) <= 3
        counts.add(len(removed))
        for piece, matrix in zip(removed, s["state"]["removed_shapes"]):
            cells = normal(cells_of(board, piece))
            assert matrix_cells(matrix) == cells  # drawn as it lay on the board
            assert (len(matrix), len(matrix[0])) == (max(r for r, _ in cells) + 1, max(c for _, c in cells) + 1)
    assert counts == {1, 2, 3}


def consecutive_and_spread(golds_and_options):
    places = set()
    for g, options in golds_and_options:
        values = sorted(int(o) for o in options)
        assert values == list(range(values[0], values[0] + 8)) and values[0] >= 0 and g in values
        places.add(values.index(g))
    assert len(places) >= 5, places  # the gold is not always at the same place in the run


def test_piece_count():
    seen = []
    for level, s in samples(1):
        board, _ = check_board(level, s["state"])
        on_board = {p for row in s["state"]["grid"] for p in row if p}
        assert gold(s) == str(len(on_board)) == str(len(s["state"]["seeds"]) - len(s["state"]["removed"]))
        seen.append((len(on_board), s["options"]))
    consecutive_and_spread(seen)


def test_piece_rotation():
    golds = set()
    for level, s in samples(2):
        state = s["state"]
        board, n = check_board(level, state)
        (piece,), (shown,) = state["removed"], state["removed_shapes"]
        original = normal(cells_of(board, piece))
        drawn = {(r, -c) for r, c in original} if state["flipped"] else original  # a left-right mirror
        assert matrix_cells(shown) == turn_cells(drawn, state["rotation"])  # the panel shows the stated transform
        hole = normal({(r, c) for r in range(n) for c in range(n) if state["grid"][r][c] == 0})
        fits = frozenset(d for d in (0, 90, 180, 270) if turn_cells(matrix_cells(shown), d) == hole)
        assert gold(s) == PHRASES[fits]
        assert sorted(s["options"]) == sorted(PHRASES.values())  # each set of turns has one phrase: one is right
        if not state["flipped"]:
            assert (360 - state["rotation"]) % 360 in fits  # undoing the turn always fits
        golds.add(fits)
    assert len(golds) >= 7, golds  # nearly every answer occurs in 120 draws (all four turns fit ~5 % of the time)


def test_piece_area():
    for level, s in samples(3):
        board, _ = check_board(level, s["state"])
        piece = s["state"]["target_piece"]
        area = sum(p == piece for row in s["state"]["grid"] for p in row)
        assert piece not in s["state"]["removed"] and area == len(cells_of(board, piece)) > 0
        assert gold(s) == str(area) and f"area (number of cells) of piece {piece}?" in s["prompt"]
        assert all(int(o) >= 1 for o in s["options"]) and len(set(s["options"])) == 8


def test_piece_adjacency():
    seen = []
    for level, s in samples(4):
        grid, piece = s["state"]["grid"], s["state"]["target_piece"]
        check_board(level, s["state"])
        touching = set()
        for (r1, c1), (r2, c2) in edge_pairs(len(grid)):
            a, b = grid[r1][c1], grid[r2][c2]
            if a and b and a != b and piece in (a, b):
                touching.add(b if a == piece else a)
        assert gold(s) == str(len(touching)) and f"adjacent to piece {piece}?" in s["prompt"]
        seen.append((len(touching), s["options"]))
    consecutive_and_spread(seen)


def box(text):
    """'(r0, c0) to (r1, c1)' -> (r0, c0, r1, c1)."""
    first, last = text.split(" to ")
    return tuple(int(v) for part in (first, last) for v in part.strip("()").split(","))


def test_piece_placement_has_one_placement_anywhere_on_the_board():
    for level, s in samples(5):
        state = s["state"]
        board, n = check_board(level, state)
        p1, p2 = state["piece1"], state["piece2"]
        assert state["removed"] == [p1, p2]
        assert any({board[a], board[b]} == {p1, p2} for a, b in edge_pairs(n))  # the two pieces are adjacent
        shape1, shape2 = (matrix_cells(m) for m in state["removed_shapes"])
        assert shape1 == normal(cells_of(board, p1)) and shape2 == normal(cells_of(board, p2))  # drawn as they lay
        empty = {(r, c) for r in range(n) for c in range(n) if state["grid"][r][c] == 0}
        right = []
        for dr in range(-n, n):  # every translation, not only those inside the hole's box
            for dc in range(-n, n):
                placed = {(r + dr, c + dc) for r, c in shape1}
                if placed <= empty and normal(empty - placed) == shape2:
                    right.append(placed)
        assert len(right) == 1, (level, len(right))
        (placed,) = right
        expected = (min(r for r, _ in placed), min(c for _, c in placed), max(r for r, _ in placed),
                    max(c for _, c in placed))
        assert box(gold(s)) == expected
        h, w = max(r for r, _ in shape1) + 1, max(c for _, c in shape1) + 1
        for option in s["options"]:  # every option is a box of P1's size on the board
            r0, c0, r1, c1 = box(option)
            assert (r1 - r0 + 1, c1 - c0 + 1) == (h, w) and 0 <= r0 and 0 <= c0 and r1 < n and c1 < n


def test_an_answer_letter_scores_and_a_hedge_does_not():
    for qid in TABLE:
        _, s = next(samples(qid, seeds=[qid]))
        other = next(letter for letter in "ABCDEFGH" if letter != s["answer"])
        assert rewards.score_gameqa(f"So it is this one. The answer is {s['answer']}", s)["accuracy"] == 1
        assert rewards.score_gameqa(f"The answer is {other}", s)["accuracy"] == 0
        assert rewards.score_gameqa(f"The answer is {s['answer']} or {other}", s)["accuracy"] == 0


def layout(image, n, panel_width):
    """The renderer's layout: the board's and the panel's left, top and cell size in pixels."""
    cell = 360 // n
    panel_cell = min(cell, 760 // panel_width)
    content = image.size[0] - 36 - 16
    board = (36 + (content - n * cell) // 2, 34, cell)
    panel = (36 + (content - panel_width * panel_cell) // 2, 34 + n * cell + 26 + 6 + 34, panel_cell)
    return board, panel


def colour_at(image, where, r, c):
    """The colour inside cell (r, c) near its lower-left corner, away from the number and the grid lines."""
    left, top, cell = where
    return image.getpixel((left + c * cell + cell // 5, top + (r + 1) * cell - cell // 5))


@pytest.mark.parametrize("qid", [1, 2, 5])
def test_image_shows_the_board_and_the_removed_pieces(qid):
    for level, s in samples(qid, seeds=range(9), render=True):
        state, (image,) = s["state"], s["images"]
        grid, n = state["grid"], len(state["grid"])
        panel = [[] for _ in range(max(len(m) for m in state["removed_shapes"]))]
        for k, (piece, matrix) in enumerate(zip(state["removed"], state["removed_shapes"])):
            for i, row in enumerate(panel):
                drawn = matrix[i] if i < len(matrix) else [0] * len(matrix[0])  # top-aligned
                row += ([0] if k else []) + [piece * v for v in drawn]
        board_at, panel_at = layout(image, n, len(panel[0]))
        assert max(image.size) <= 900
        for where, cells in ((board_at, grid), (panel_at, panel)):
            for r, row in enumerate(cells):
                for c, piece in enumerate(row):
                    pixel = colour_at(image, where, r, c)
                    if piece:
                        assert pixel == TAB10[piece - 1], (level, r, c)
                    else:  # white or grey, crossed by black hatching: never a piece's colour
                        assert pixel not in TAB10, (level, r, c)


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("qid", sorted(TABLE))
def test_same_seed_same_record_and_image_bytes(qid):
    level = gameqa.LEVELS[qid % 3]
    a, b = (gameqa.sample_task("tangram", qid, 7, level) for _ in range(2))
    assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
    assert png(a["images"][0]) == png(b["images"][0])
