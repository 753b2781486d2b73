"""Sudoku (colour Sudoku): the task table against Game-RL's, and every task's gold re-derived from the record's
`state` by code written here: a scan of each cell's row, column and box, a row-major backtracking solver that
counts solutions up to two, and a brute-force enumeration of task 5's deduction chains."""
import io
import json

import pytest

import gameqa
import rewards
from gameqa_testing import gold

SIZE = {"Easy": 4, "Medium": 9, "Hard": 9}
BLANKS = {"Easy": {6, 8}, "Medium": {8}, "Hard": {16, 24}}  # int(16 × 40 %, 50 %), int(81 × 10 %, 20 %, 30 %)
SEEDS = range(105)  # 35 per plot level
# Game-RL's question ids, descriptions, qa_type and qa_level (data_generator.py), then ours;
# "mc": one option per colour of the board
TABLE = {1: ("Check color state at position", "Target Perception", "Easy", "mc"),
         2: ("Count occurrences of specific color", "Target Perception", "Easy", "fill-in"),
         3: ("Analyze possible colors to fill", "State Prediction", "Medium", "fill-in"),
         4: ("Count regions with empty cells exceeding threshold", "Target Perception", "Medium", "fill-in"),
         5: ("Multi-step deductive reasoning with constraints analysis", "State Prediction", "Hard", "mc"),
         6: (None, "Strategy Optimization", "Hard", "mc")}


def samples(question_id, seeds=SEEDS, render=False):
    for seed in seeds:
        level = gameqa.LEVELS[seed % 3]
        yield level, gameqa.sample_task("sudoku", question_id, seed, level, render=render)


def allowed(board, r, c):
    """The colours (1..n) that no cell in the row, column or box of the 0-based cell (r, c) holds."""
    n = len(board)
    b = int(n ** 0.5)
    seen = [board[r][j] for j in range(n)] + [board[i][c] for i in range(n)]
    seen += [board[i][j] for i in range(n) for j in range(n) if i // b == r // b and j // b == c // b]
    return [v for v in range(1, n + 1) if v not in seen]


def solutions(board, limit=2):
    """Up to `limit` solved boards, by backtracking over the empty cells in row-major order."""
    board = [row[:] for row in board]
    cells = [(r, c) for r in range(len(board)) for c in range(len(board)) if board[r][c] == 0]
    out = []

    def backtrack(k):
        if len(out) >= limit:
            return
        if k == len(cells):
            out.append([row[:] for row in board])
            return
        r, c = cells[k]
        for v in allowed(board, r, c):
            board[r][c] = v
            backtrack(k + 1)
        board[r][c] = 0
    backtrack(0)
    return out


def put(board, cell, v):
    board = [row[:] for row in board]
    board[cell[0]][cell[1]] = v
    return board


def zero_based(cell):
    return (cell[0] - 1, cell[1] - 1)


def name(state, v):
    return state["color_names"][v - 1]


def test_task_table_levels_and_answer_forms():
    tasks = {t.question_id: t for t in gameqa.REGISTRY["sudoku"].tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (description, qa_type, qa_level, form) in TABLE.items():
        assert (tasks[qid].qa_type, tasks[qid].qa_level) == (qa_type, qa_level), qid
        if description is not None:
            assert tasks[qid].description == description, qid
        for level in gameqa.LEVELS:
            s = gameqa.sample_task("sudoku", qid, 0, level, render=False)
            assert s["state"]["size"] == SIZE[level] and len(s["state"]["board"]) == SIZE[level]
            if form == "mc":  # every colour of the board is an option, once
                assert sorted(s["options"]) == sorted(s["state"]["color_names"]) and len(s["options"]) == SIZE[level]
            else:
                assert "options" not in s and s["answer"].isdigit()


def test_boards_have_the_level_size_blank_count_and_one_solution():
    blank_counts = {level: set() for level in gameqa.LEVELS}
    for level, s in samples(2):
        state = s["state"]
        board, n = state["board"], SIZE[level]
        assert state["size"] == n and len(board) == n and all(len(row) == n for row in board)
        assert len(state["colors"]) == len(set(state["colors"])) == n
        assert len(state["color_names"]) == len(set(state["color_names"])) == n
        for r in range(n):
            for c in range(n):
                if board[r][c]:
                    assert board[r][c] in allowed(put(board, (r, c), 0), r, c), (level, r, c)  # no repeated colour
        blanks = sum(row.count(0) for row in board)
        assert blanks in BLANKS[level]
        blank_counts[level].add(blanks)
        assert len(solutions(board)) == 1, (level, board)
    assert blank_counts == BLANKS  # both of Game-RL's difficulties occur at Easy and at Hard


def test_colour_at_a_filled_cell():
    for level, s in samples(1):
        r, c = zero_based(s["state"]["cell"])
        v = s["state"]["board"][r][c]
        assert v != 0 and gold(s) == name(s["state"], v)
        assert sorted(s["options"]) == sorted(s["state"]["color_names"])  # the other colours: none is right
        assert f"({r + 1}, {c + 1})" in s["prompt"]


def test_colour_count():
    for level, s in samples(2):
        colour = s["state"]["colour"]
        count = sum(name(s["state"], v) == colour for row in s["state"]["board"] for v in row if v)
        assert gold(s) == str(count) and f"are {colour}?" in s["prompt"]


def test_candidate_count():
    for level, s in samples(3):
        board = s["state"]["board"]
        r, c = zero_based(s["state"]["cell"])
        assert board[r][c] == 0
        assert gold(s) == str(len(allowed(board, r, c)))


def test_lines_with_more_than_k_empty_cells():
    seen = set()
    for level, s in samples(4):
        board, line, k = s["state"]["board"], s["state"]["line"], s["state"]["more_than"]
        lines = board if line == "row" else [list(col) for col in zip(*board)]
        assert gold(s) == str(sum(row.count(0) > k for row in lines))
        assert f"How many {line}s have more than {k} empty" in s["prompt"]
        seen.add((line, k))
    assert seen == {("row", 1), ("row", 2), ("column", 1), ("column", 2)}


def brute_force_triples(board):
    """Every (c1, c2, c3, both) the question may ask, found by trying all cells on whole boards."""
    n = len(board)
    empty = [(r, c) for r in range(n) for c in range(n) if board[r][c] == 0]
    out = []
    for c1 in empty:
        if len(allowed(board, *c1)) != 1:
            continue
        after1 = put(board, c1, allowed(board, *c1)[0])
        for c2 in empty:
            if c2 == c1 or len(allowed(after1, *c2)) != 1:
                continue
            v2 = allowed(after1, *c2)[0]
            after2 = put(after1, c2, v2)
            for c3 in empty:
                if c3 in (c1, c2) or len(allowed(after2, *c3)) != 1 or len(allowed(after1, *c3)) < 2:
                    continue
                both = len(allowed(board, *c2)) >= 2 or len(allowed(put(board, c2, v2), *c3)) >= 2
                out.append((c1, c2, c3, both))
    return out


def test_guided_deduction_chain_and_gold():
    for level, s in samples(5):
        state = s["state"]
        board = state["board"]
        c1, c2 = (zero_based(cell) for cell in state["determined"])
        c3 = zero_based(state["cell"])
        assert len({c1, c2, c3}) == 3 and all(board[r][c] == 0 for r, c in (c1, c2, c3))
        (v1,) = allowed(board, *c1)  # c1 is forced on the board shown
        after1 = put(board, c1, v1)
        (v2,) = allowed(after1, *c2)  # c2 is forced once c1 is filled
        after2 = put(after1, c2, v2)
        (v3,) = allowed(after2, *c3)  # c3 is forced once both are filled ...
        assert len(allowed(board, *c3)) >= 2 and len(allowed(after1, *c3)) >= 2  # ... and not before c2 is
        assert gold(s) == name(state, v3) and sorted(s["options"]) == sorted(state["color_names"])
        (solution,) = solutions(board)  # one solution, so no other option is right
        assert solution[c3[0]][c3[1]] == v3 and solution[c1[0]][c1[1]] == v1 and solution[c2[0]][c2[1]] == v2


def test_guided_deduction_needs_both_colours_where_the_board_allows():
    asked_both = 0
    for level, s in samples(5, seeds=range(45)):
        board = s["state"]["board"]
        chosen = tuple(zero_based(cell) for cell in s["state"]["determined"]) + (zero_based(s["state"]["cell"]),)
        triples = {t[:3]: t[3] for t in brute_force_triples(board)}
        assert chosen in triples
        if any(triples.values()):
            assert triples[chosen], (level, chosen)
            asked_both += 1
    assert asked_both >= 15


def test_solved_colour():
    for level, s in samples(6):
        board = s["state"]["board"]
        r, c = zero_based(s["state"]["cell"])
        (solution,) = solutions(board)
        assert len(allowed(board, r, c)) >= 2  # not a cell the board shown forces already
        assert gold(s) == name(s["state"], solution[r][c])
        assert sorted(s["options"]) == sorted(s["state"]["color_names"])


@pytest.mark.parametrize("qid", [2, 3, 4])
def test_fill_in_gold_scores_and_a_wrong_number_does_not(qid):
    for level, s in samples(qid, seeds=range(6)):
        assert rewards.score_gameqa(f"Counting as above. The answer is {s['answer']}", s)["accuracy"] == 1
        assert rewards.score_gameqa(f"The answer is {int(s['answer']) + 1}", s)["accuracy"] == 0


def test_image_shows_the_board_with_labels():
    for level, s in samples(1, seeds=range(6), render=True):
        state, (image,) = s["state"], s["images"]
        n = state["size"]
        cell = 480 // n
        assert image.size == (2 * 30 + n * cell,) * 2 == {4: (540, 540), 9: (537, 537)}[n]
        for r in range(n):
            for c in range(n):
                pixel = image.getpixel((30 + c * cell + cell // 2, 30 + r * cell + cell // 2))
                v = state["board"][r][c]
                expected = tuple(int(state["colors"][v - 1][k:k + 2], 16) for k in (1, 3, 5)) if v else (255, 255, 255)
                assert pixel == expected, (level, r, c)
        for i in range(n):  # a label in the margin beside each row and above each column
            row_label = image.crop((0, 30 + i * cell, 30, 30 + (i + 1) * cell)).convert("L")
            col_label = image.crop((30 + i * cell, 0, 30 + (i + 1) * cell, 30)).convert("L")
            assert row_label.getextrema()[0] < 100 and col_label.getextrema()[0] < 100


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("qid", sorted(TABLE))
def test_same_seed_same_record_and_image_bytes(qid):
    level = gameqa.LEVELS[qid % 3]
    a, b = (gameqa.sample_task("sudoku", qid, 11, level) for _ in range(2))
    assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
    assert png(a["images"][0]) == png(b["images"][0])
