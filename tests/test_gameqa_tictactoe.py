"""TicTacToe: the task table against Game-RL's, and every task's gold re-derived from the record's `state` by code
written here: the board as a 9-character string, the five advisor rules over index triples, and a full minimax
(negamax over strings) that checks each gold move is one a perfect player could make."""
import io
import json
from functools import lru_cache

import pytest

import gameqa
import rewards
from gameqa_testing import gold

SEEDS = range(150)  # 50 per plot level: seed % 3
MOVES = ["None", "(0, 0)", "(0, 1)", "(0, 2)", "(1, 0)", "(1, 1)", "(1, 2)", "(2, 0)", "(2, 1)", "(2, 2)"]
# Game-RL's question ids, descriptions, qa_type and qa_level, and the fixed option list
TABLE = {1: ("Questions about the current state of a specific block of the board.", "Target Perception", "Easy",
             ["red", "blue", "white"]),
         2: ("Questions about the optimal strategy to take a move of the current player of the board.",
             "Strategy Optimization", "Medium", MOVES),
         3: ("Questions about the outcome to take a specific move of the current player of the board, and the "
             "optimal strategy to take a move of the opponent player after the specific move.",
             "Strategy Optimization", "Hard", MOVES)}


def sample(qid, seed, render=False):
    return gameqa.sample_task("tictactoe", qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid, seeds=SEEDS):
    return [sample(qid, seed) for seed in seeds]


# ---------------------------------------------------------------------------------------------------------
# A separate TicTacToe: the board as a string of 9 marks, "." empty, index 3 * row + column

TRIPLES = [(0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6)]


def board_of(state):
    rows = state["board"]
    assert len(rows) == 3 and all(len(row) == 3 for row in rows)
    marks = "".join(m for row in rows for m in row)
    assert set(marks) <= {"O", "X", " "}
    return marks.replace(" ", ".")


def turn(b):
    return "X" if b.count("O") > b.count("X") else "O"


def won(b):
    return any(b[i] != "." and b[i] == b[j] == b[k] for i, j, k in TRIPLES)


def finished(b):
    return won(b) or "." not in b


def put(b, i, mark):
    return b[:i] + mark + b[i + 1:]


def completing(b, mark):
    """Indices, ascending, of empty cells that would give `mark` three in a line."""
    return [i for i in range(9) if b[i] == "." and won(put(b, i, mark))]


def forking(b, mark):
    foe = "O" if mark == "X" else "X"
    def open_for(t):  # a line holding one `mark` and no opponent mark
        marks = [b[j] for j in t]
        return marks.count(mark) == 1 and foe not in marks
    return [i for i in range(9) if b[i] == "." and sum(1 for t in TRIPLES if i in t and open_for(t)) >= 2]


def rules(b):
    """(index, rule number) chosen by the five rules for the player to move; (None, 0) when the opponent has two
    winning cells and the player has none."""
    me = turn(b)
    foe = "O" if me == "X" else "X"
    for number, cells in ((1, completing(b, me)), (2, completing(b, foe))):
        if number == 2 and len(cells) >= 2:
            return None, 0
        if cells:
            return cells[0], number
    for number, cells in ((3, forking(b, me)), (4, forking(b, foe))):
        if cells:
            return cells[0], number
    return b.index("."), 5


@lru_cache(maxsize=None)
def negamax(b):
    """Score for the player to move under perfect play: +1 win, 0 draw, -1 loss."""
    if won(b):
        return -1
    if "." not in b:
        return 0
    return max(-negamax(put(b, i, turn(b))) for i in range(9) if b[i] == ".")


def perfect_moves(b):
    return {i for i in range(9) if b[i] == "." and -negamax(put(b, i, turn(b))) == negamax(b)}


def cell(i):
    return f"({i // 3}, {i % 3})"


LEVEL_OF_RULE = {1: "Easy", 2: "Easy", 3: "Medium", 4: "Medium", 5: "Hard"}


def test_the_test_rules_and_minimax_on_hand_made_boards():
    assert negamax("." * 9) == 0 and perfect_moves("." * 9) == set(range(9))  # tic-tac-toe is a draw
    assert negamax(".X..O....") == 1  # O in the centre, X on an edge: O wins
    assert rules("O........") == (1, 5) and perfect_moves("O........") == {4}  # only the centre answers a corner
    assert rules("OO.XX....") == (2, 1)  # O completes row 0 rather than block X's row 1
    assert rules("O..XX...O") == (5, 2)  # O cannot win and must block row 1 at (1, 2)
    assert rules("X.X.O.O..") == (1, 2)  # O must block row 0 at (0, 1)
    assert rules("XX.OXOO..") == (None, 0)  # X threatens (0, 2), (2, 1) and (2, 2); O cannot win
    assert rules("OX..O.X..") == (8, 1)  # O completes the diagonal at (2, 2)
    assert rules(".O.O.X.X.") == (0, 3)  # O forks at (0, 0) on row 0 and column 0
    # O in opposite corners, X in the centre, X to move: rule 4 takes O's first fork cell (0, 2) and loses, as O
    # blocks (2, 0) and forks; an edge draws
    assert rules("O...X...O") == (2, 4) and perfect_moves("O...X...O") == {1, 3, 5, 7}
    assert rules("O...X..XO") == (1, 2)  # O blocks column 1 at (0, 1)
    assert rules("O.X.X.O..") == (3, 1)  # O completes column 0 at (1, 0)


# ---------------------------------------------------------------------------------------------------------
# The table, the levels and the picture

def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY["tictactoe"].tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (description, qa_type, qa_level, options) in TABLE.items():
        assert (tasks[qid].description, tasks[qid].qa_type, tasks[qid].qa_level) == (description, qa_type, qa_level)
        for seed in range(9):
            s = sample(qid, seed)
            assert (s["level"]["qa_type"], s["level"]["qa_level"]) == (qa_type, qa_level)
            assert s["options"] == options  # a fixed list, in this order
    game = gameqa.REGISTRY["tictactoe"]
    assert (game.split_group, game.category, game.module) == ("in-domain", "strategic planning", "tictactoe")


def test_boards_are_legal_and_the_plot_level_is_the_rule_that_fires():
    over = {level: 0 for level in gameqa.LEVELS}
    for qid in TABLE:
        for s in samples(qid, range(90)):
            b, level = board_of(s["state"]), s["level"]["plot_level"]
            assert b.count("O") - b.count("X") in (0, 1)
            winners = {b[i] for i, j, k in TRIPLES if b[i] != "." and b[i] == b[j] == b[k]}
            last_mover = "O" if b.count("O") > b.count("X") else "X"
            assert winners <= {last_mover}  # play stops at the first line, which the last move made
            if finished(b):
                assert level == "Hard"
                over[level] += 1
                continue
            index, rule = rules(b)
            assert index is not None, b  # never two threats to block (the module redraws those boards)
            assert LEVEL_OF_RULE[rule] == level, (b, rule, level)
    assert over["Easy"] == over["Medium"] == 0 and 5 <= over["Hard"] <= 30  # about one Hard board in five


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_image_shows_the_board_and_same_seed_same_bytes():
    fills = {"O": (255, 0, 0), "X": (0, 0, 255), ".": (255, 255, 255)}
    for seed in range(9):
        qid = 1 + seed % 3
        a, b = sample(qid, seed, render=True), sample(qid, seed, render=True)
        assert png(a["images"][0]) == png(b["images"][0])
        assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
        image, board = a["images"][0], board_of(a["state"])
        assert image.size == (300, 300) and image.mode == "RGB"
        for i, mark in enumerate(board):
            x, y = 100 * (i % 3), 100 * (i // 3)
            assert image.getpixel((x + 60, y + 60)) == fills[mark], (cell(i), board)
            assert image.getpixel((x + 50, y + 85)) == fills[mark], (cell(i), board)
        for k in (100, 200):  # the inner lines, black; no outer border
            assert image.getpixel((k, 150)) == (0, 0, 0) and image.getpixel((150, k)) == (0, 0, 0)
        assert image.getpixel((299, 150)) != (0, 0, 0) and image.getpixel((150, 299)) != (0, 0, 0)
        for k in range(3):  # a column digit at the top of each column, a row digit at the left of each row
            top = image.crop((100 * k + 35, 2, 100 * k + 65, 30)).getcolors(4096)
            left = image.crop((2, 100 * k + 35, 28, 100 * k + 65)).getcolors(4096)
            for colours in (top, left):
                assert any(c == (0, 0, 0) for _, c in colours) and any(c == (255, 255, 255) for _, c in colours)


def test_every_question_states_the_rules_and_the_convention():
    for qid in TABLE:
        prompt = sample(qid, qid)["prompt"]
        for phrase in ("O always moves first", "red", "blue", "white cells are empty",
                       "rows are numbered from 0 at the top"):
            assert phrase in prompt, (qid, phrase)
        if qid > 1:
            for phrase in ("1. Win", "2. Block", "3. Fork", "4. Block a fork", "5. Otherwise: the first empty cell",
                           "first in reading order"):
                assert phrase in prompt, (qid, phrase)


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_cell_colour():
    golds = {}
    for s in samples(1):
        b, (r, c) = board_of(s["state"]), s["state"]["cell"]
        assert f"at ({r}, {c})?" in s["prompt"]
        truth = {"O": "red", "X": "blue", ".": "white"}[b[3 * r + c]]
        assert gold(s) == truth
        golds[truth] = golds.get(truth, 0) + 1
    assert min(golds.get(colour, 0) for colour in ("red", "blue", "white")) >= 30  # drawn by colour first


def test_optimal_move():
    golds = {}
    for s in samples(2):
        b = board_of(s["state"])
        if finished(b):
            truth = "None"
        else:
            index, _ = rules(b)
            assert index in perfect_moves(b), b  # the rules' move is one a perfect player could make
            truth = cell(index)
        assert gold(s) == truth, b
        golds[truth] = golds.get(truth, 0) + 1
    assert len(golds) == 10  # every option is the gold somewhere


def test_reply_to_a_given_move():
    golds, why = {}, {}
    for s in samples(3):
        b, (r, c) = board_of(s["state"]), s["state"]["move"]
        assert f"marks the cell at ({r}, {c})." in s["prompt"]
        i = 3 * r + c
        if finished(b):
            truth, reason = "None", "over"
        elif b[i] != ".":
            truth, reason = "None", "taken"
        else:
            after = put(b, i, turn(b))
            if won(after):
                truth, reason = "None", "wins"
            elif "." not in after:
                truth, reason = "None", "fills"
            else:
                index, _ = rules(after)
                assert index is not None and index in perfect_moves(after), after
                truth, reason = cell(index), "reply"
        assert gold(s) == truth, (b, (r, c))
        golds[truth] = golds.get(truth, 0) + 1
        why[reason] = why.get(reason, 0) + 1
    assert len(golds) == 10 and golds["None"] < 0.4 * len(SEEDS)  # None no longer dominates (Game-RL: 7 in 10)
    assert {"over", "taken", "wins", "reply"} <= set(why)


@pytest.mark.parametrize("qid", [1, 2, 3])
def test_the_gold_letter_scores_and_another_does_not(qid):
    for seed in range(6):
        s = sample(qid, seed)
        wrong = next(letter for letter in "ABC" if letter != s["answer"])
        assert rewards.score_gameqa(f"Reading the board. The answer is {s['answer']}", s)["accuracy"] == 1
        assert rewards.score_gameqa(f"The answer is {wrong}", s)["accuracy"] == 0
