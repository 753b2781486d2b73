"""Ultra TicTacToe: the task table against Game-RL's, every position replayed from the record's move list under
the rules and Game-RL's greedy-random play, and every task's gold re-derived from `state` by code written here.
Lines are found as collinear triples of a Nine-grid's cells (the module lists its 8 lines by name), the best move
by trying every cell of the board, and task 6 by following the move list (the module counts pieces)."""
import io
import json
from itertools import combinations

import pytest

import gameqa
import rewards
from gameqa_testing import gold

SEEDS = range(120)  # 40 per plot level: seed % 3
PIECES = {"Easy": (9, 34), "Medium": (34, 59), "Hard": (59, 80)}  # pieces on the board, by plot level
FIRST_STOP = {"Easy": 10, "Medium": 35, "Hard": 60}  # the first move number at which play may stop
PLAYER = {"X": "First Player", "O": "Second Player"}
ZERO_TO_NINE = [str(n) for n in range(10)]
GRIDS = [(i, j) for i in (1, 2, 3) for j in (1, 2, 3)]
# question_id: (description, qa_type, qa_level, options: a fixed list, a count for shuffled MC, None for fill-in)
TABLE = {1: ("Find which player marked the cell at a given coordinate.", "Target Perception", "Easy",
             ["First Player", "Second Player", "Not Marked"]),
         2: ("Given the coordinate of last step, find the number of possible coordinates of next step.",
             "Target Perception", "Easy", ZERO_TO_NINE),
         3: ("Find the number of marked middle cells in the image.", "Target Perception", "Easy", ZERO_TO_NINE),
         4: ("Find the number of pieces in the image.", "Target Perception", "Medium", 8),
         5: ("Find the points the given player has got within the given Nine-grid.", "Target Perception", "Medium",
             8),
         6: ("Given the Player name, find in which Nine-grid to place the piece.", "State Prediction", "Hard",
             [f"Nine-grid ({i}, {j})" for i, j in GRIDS]),
         7: ("Given the coordinate of last step, find the coordinate to place the next piece to get the highest "
             "point.", "Strategy Optimization", "Hard", None)}


def sample(qid, seed, render=False):
    return gameqa.sample_task("ultra_tictactoe", qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid, seeds=SEEDS):
    return [sample(qid, seed) for seed in seeds]


def cell_text(cell):
    return "(" + ", ".join(map(str, cell)) + ")"


# ---------------------------------------------------------------------------------------------------------
# A separate Ultra TicTacToe: a board is {(i, j, row, col): "X" or "O"}

def board_of(state):
    board = {tuple(p["grid"]) + tuple(p["cell"]): p["player"] for p in state["pieces"]}
    assert len(board) == len(state["pieces"]) and set(board.values()) <= {"X", "O"}
    return board


def is_line(a, b, c):
    """Three distinct cells of a 3×3 block lie on one straight line (zero cross product)."""
    return (b[0] - a[0]) * (c[1] - a[1]) == (c[0] - a[0]) * (b[1] - a[1])


LOCAL = [(r, c) for r in (1, 2, 3) for c in (1, 2, 3)]
TRIPLES = [t for t in combinations(LOCAL, 3) if is_line(*t)]


def points(board, player, grid):
    return sum(all(board.get(grid + rc) == player for rc in t) for t in TRIPLES)


def free(board, grid):
    return [grid + rc for rc in LOCAL if grid + rc not in board]


def best_moves(board, player, grid):
    """(largest gain, the cells that reach it) for `player` marking a free cell of `grid`."""
    before = points(board, player, grid)
    gains = {cell: points({**board, cell: player}, player, grid) - before for cell in free(board, grid)}
    top = max(gains.values())
    return top, sorted(c for c, g in gains.items() if g == top)


def replay(moves):
    """Play the move list from the empty board under the rules; returns the board, checking every move."""
    board, forced = {}, (2, 2)
    for k, move in enumerate(moves):
        move = tuple(move)
        assert move[:2] == forced and move not in board, (k, move, forced)
        assert sum(board.get(g + (2, 2)) is not None for g in GRIDS) < 9, "a move after the end"
        board[move] = "XO"[k % 2]
        forced = move[2:]
    return board


def test_the_test_rules_on_hand_made_boards():
    assert len(TRIPLES) == 8  # 3 rows, 3 columns, 2 diagonals
    full = {(1, 1) + rc: "X" for rc in LOCAL}
    assert points(full, "X", (1, 1)) == 8 and points(full, "O", (1, 1)) == 0 and points(full, "X", (1, 2)) == 0
    board = {(3, 3, 1, 1): "O", (3, 3, 2, 2): "O", (3, 3, 1, 3): "O", (3, 3, 2, 3): "O", (3, 3, 1, 2): "X"}
    assert points(board, "O", (3, 3)) == 0
    assert best_moves(board, "O", (3, 3)) == (2, [(3, 3, 3, 3)])  # the main diagonal and column 3 at once
    assert best_moves(board, "X", (3, 3)) == (0, [(3, 3, 2, 1), (3, 3, 3, 1), (3, 3, 3, 2), (3, 3, 3, 3)])
    assert replay([(2, 2, 3, 1), (3, 1, 2, 2), (2, 2, 1, 1)]) == {(2, 2, 3, 1): "X", (3, 1, 2, 2): "O",
                                                                  (2, 2, 1, 1): "X"}
    with pytest.raises(AssertionError):
        replay([(2, 2, 3, 1), (3, 2, 1, 1)])  # the second move ignores the forced Nine-grid (3, 1)


# ---------------------------------------------------------------------------------------------------------
# The table, the positions and the picture

def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY["ultra_tictactoe"].tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (description, qa_type, qa_level, options) in TABLE.items():
        assert (tasks[qid].description, tasks[qid].qa_type, tasks[qid].qa_level) == (description, qa_type, qa_level)
        for seed in range(6):
            s = sample(qid, seed)
            assert (s["level"]["qa_type"], s["level"]["qa_level"]) == (qa_type, qa_level)
            if options is None:
                assert "options" not in s
            elif isinstance(options, int):
                assert len(s["options"]) == options
            else:
                assert s["options"] == options  # a fixed list, in Game-RL's order
    game = gameqa.REGISTRY["ultra_tictactoe"]
    assert (game.split_group, game.category, game.folder) == ("in-domain", "strategic planning", "ultra_tictactoe")


def test_positions_are_greedy_random_games_stopped_by_the_rule():
    """Replay every position's moves: legal under the rules, each move of largest gain (Game-RL's play-out), no
    earlier stop, and the stop: the first move from `low` on with one cell of largest gain, above 0."""
    for seed in SEEDS:
        level = gameqa.LEVELS[seed % 3]
        state = sample(4, seed)["state"]
        moves = [tuple(m) for m in state["moves"]]
        board = replay(moves)
        assert board == board_of(state)
        low, high = PIECES[level]
        assert low <= len(board) == state["total_pieces"] <= high, (level, len(board))
        assert tuple(state["last_step"]) == moves[-1]
        centres = sum(g + (2, 2) in board for g in GRIDS)
        assert state["middle_marked"] == centres < 9
        before = {}  # the position before move k + 1
        for k in range(len(moves) + 1):
            player, grid = "XO"[k % 2], moves[k - 1][2:] if k else (2, 2)
            top, cells = best_moves(before, player, grid)
            stops = k + 1 >= FIRST_STOP[level] and top > 0 and len(cells) == 1
            if k < len(moves):
                assert moves[k] in cells and not stops, (seed, k)
                before[moves[k]] = player
            else:
                assert stops and [tuple(state["best_next_step"])] == cells, (seed, k)


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_image_shows_the_board_and_same_seed_same_bytes():
    for seed in range(6):
        qid = 1 + seed % 7
        a, b = sample(qid, seed, render=True), sample(qid, seed, render=True)
        assert png(a["images"][0]) == png(b["images"][0])
        assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
        image, board = a["images"][0], board_of(a["state"])
        assert image.size == (520, 520) and image.mode == "RGB"
        for i, j in GRIDS:
            for r, c in LOCAL:
                x = 70 + (j - 1) * 160 + (c - 1) * 40  # the cell's top-left pixel: 40-pixel cells, 40-pixel gaps
                y = 64 + (i - 1) * 160 + (r - 1) * 40
                colours = {colour for _, colour in image.crop((x + 4, y + 4, x + 36, y + 36)).getcolors(2000)}
                expected = {"X": (255, 0, 0), "O": (0, 0, 255)}.get(board.get((i, j, r, c)))
                if expected:  # the piece's pure colour, and not the other's
                    assert expected in colours and ({(255, 0, 0), (0, 0, 255)} - {expected}).isdisjoint(colours)
                else:
                    assert colours == {(255, 255, 255)}, (i, j, r, c)
        for k in range(3):  # the Nine-grid indices and the local numbers are drawn outside the board
            assert image.crop((70 + 160 * k, 0, 190 + 160 * k, 30)).convert("L").getextrema()[0] < 150  # j = k+1
            assert image.crop((0, 64 + 160 * k, 44, 184 + 160 * k)).convert("L").getextrema()[0] < 150  # i = k+1
            assert image.crop((70 + 160 * k, 40, 190 + 160 * k, 60)).convert("L").getextrema()[0] < 100  # cols
            assert image.crop((46, 64 + 160 * k, 66, 184 + 160 * k)).convert("L").getextrema()[0] < 100  # rows


def test_every_question_states_the_rules_and_the_convention():
    for qid in TABLE:
        prompt = sample(qid, qid)["prompt"]
        for phrase in ("(i, j, row, col)", "i counting the bands of Nine-grids from the top and j from the left",
                       "X, drawn as red crosses", "O, drawn as blue circles", "any cell of Nine-grid (2, 2)",
                       "the (row, col) of the cell just marked names the Nine-grid where the opponent must play",
                       "the Second Player must play in Nine-grid (3, 1)", "lines never run across Nine-grids",
                       "centre cells (row 2, col 2) of all 9 Nine-grids"):
            assert phrase in prompt, (qid, phrase)


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_who_marked_a_cell():
    golds = []
    for s in samples(1):
        cell = tuple(s["state"]["cell"])
        assert f"Which player has marked the cell {cell_text(cell)}?" in s["prompt"]
        truth = PLAYER.get(board_of(s["state"]).get(cell), "Not Marked")
        assert gold(s) == truth
        golds.append(truth)
    assert all(20 <= golds.count(x) <= 65 for x in TABLE[1][3])  # empty one time in three, X and O about evenly


def test_free_cells_after_the_last_move():
    golds = set()
    for s in samples(2):
        state, board = s["state"], board_of(s["state"])
        last = tuple(state["last_step"])
        assert f"Your opponent has just placed a piece on {cell_text(last)}." in s["prompt"]
        assert board[last] == "XO"[(len(board) - 1) % 2]  # the last piece is the opponent's
        count = len(free(board, last[2:]))
        assert gold(s) == str(count) and 1 <= count <= 9
        golds.add(count)
    assert len(golds) >= 6


def test_marked_centre_cells():
    golds = set()
    for s in samples(3):
        count = sum(g + (2, 2) in board_of(s["state"]) for g in GRIDS)
        assert gold(s) == str(count)
        golds.add(count)
    assert len(golds) >= 6


def consecutive(options):
    values = sorted(int(o) for o in options)
    return values == list(range(values[0], values[0] + len(values)))


def test_piece_count():
    places = set()
    for s in samples(4):
        total = len(board_of(s["state"]))
        assert gold(s) == str(total)
        assert consecutive(s["options"]) and 0 <= min(map(int, s["options"])) and max(map(int, s["options"])) <= 81
        places.add(sorted(map(int, s["options"])).index(total))
    assert places == set(range(8))  # the gold sits anywhere in the run of 8


def test_points_in_a_nine_grid():
    golds = []
    for s in samples(5):
        grid, player = tuple(s["state"]["grid"]), s["state"]["player"]
        board = board_of(s["state"])
        assert f"How many points has the {PLAYER[player]} scored in Nine-grid {cell_text(grid)}?" in s["prompt"]
        assert any(cell[:2] == grid for cell in board)  # a Nine-grid with pieces
        truth = points(board, player, grid)
        assert gold(s) == str(truth)
        values = sorted(map(int, s["options"]))
        assert consecutive(s["options"]) and values[0] >= 0 and values[-1] <= 8  # one Nine-grid's 8 lines at most
        golds.append(truth)
    assert 0.3 <= sum(g > 0 for g in golds) / len(golds) <= 0.8 and max(golds) >= 2


def test_forced_nine_grid_from_the_move_list():
    golds = set()
    for s in samples(6):
        state, board = s["state"], board_of(s["state"])
        me = "XO"[len(board) % 2]
        assert state["player"] == me and f"You are the {PLAYER[me]}, playing {me}, and it is your turn." in s["prompt"]
        forced = tuple(state["moves"][-1][2:])  # the last move, which the question does not give
        assert gold(s) == f"Nine-grid {cell_text(forced)}"
        # answerable from the picture: the counts single it out (own pieces per Nine-grid against the
        # opponent's pieces per local position; X's opening move adds one at (2, 2))
        diff = {g: sum(c[:2] == g for c, p in board.items() if p == me)
                - sum(c[2:] == g for c, p in board.items() if p != me) for g in GRIDS}
        diff[(2, 2)] -= me == "X"
        assert [g for g in GRIDS if diff[g] == -1] == [forced] and all(diff[g] == 0 for g in GRIDS if g != forced)
        golds.add(forced)
    assert len(golds) >= 7


def test_best_move():
    golds = set()
    for s in samples(7):
        state, board = s["state"], board_of(s["state"])
        me, last = "XO"[len(board) % 2], tuple(state["last_step"])
        assert f"You are the {PLAYER[me]}, playing {me}. Your opponent has just placed a piece on {cell_text(last)}." \
            in s["prompt"]
        # every empty cell of the board, the legal ones being those of the forced Nine-grid
        legal = [(i, j, r, c) for i, j in GRIDS for r, c in LOCAL if (i, j, r, c) not in board and (i, j) == last[2:]]
        gains = {cell: points({**board, cell: me}, me, cell[:2]) - points(board, me, cell[:2]) for cell in legal}
        top = max(gains.values())
        (best,) = [cell for cell, g in gains.items() if g == top]  # unique
        assert top > 0 and len(legal) >= 2 and s["answer"] == cell_text(best) and "options" not in s
        for written in (cell_text(best), "(" + ",".join(map(str, best)) + ")", f"{cell_text(best)}."):
            assert rewards.score_gameqa(f"Marking it completes a line.\nThe answer is {written}", s)["accuracy"] == 1
        other = next(cell for cell in legal + [(1, 1, 1, 1), (3, 3, 3, 3)] if cell != best)
        assert rewards.score_gameqa(f"The answer is {cell_text(other)}", s)["accuracy"] == 0
        golds.add(best)
    assert len(golds) >= 40


@pytest.mark.parametrize("qid", [1, 2, 3, 4, 5, 6])
def test_the_gold_letter_scores_and_another_does_not(qid):
    for seed in range(6):
        s = sample(qid, seed)
        wrong = next(letter for letter in "ABCDEFGHIJ"[:len(s["options"])] if letter != s["answer"])
        assert rewards.score_gameqa(f"Counting on the board. The answer is {s['answer']}", s)["accuracy"] == 1
        assert rewards.score_gameqa(f"The answer is {wrong}", s)["accuracy"] == 0


def test_an_illegal_move_is_one_clear_message():
    from gameqa_games.ultra_tictactoe import UltraTicTacToe
    state = UltraTicTacToe().move((2, 2, 3, 1))
    with pytest.raises(ValueError, match=r"illegal move \(1, 1, 1, 1\): O must mark a free cell of Nine-grid \(3, 1\)"):
        state.move((1, 1, 1, 1))
    assert state.move((3, 1, 2, 2)).pieces == {(2, 2, 3, 1): "X", (3, 1, 2, 2): "O"}
