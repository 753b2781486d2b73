"""Chess Ranger: the task table against Game-RL's, and every task's gold re-derived from the record's `state` by
code written here: pieces kept as a {(file, rank): letter} dict with moves written from the chess rules in
(file, rank) terms, and solvability decided by a memoised search over sets of pieces (the module searches a
64-square list depth-first, without memory)."""
import io
import json
import re
from functools import lru_cache

import pytest

import gameqa
import rewards
from gameqa_testing import gold

PIECES = {"Easy": 4, "Medium": 5, "Hard": 6}
NAMES = {"P": "Pawn", "R": "Rook", "N": "Knight", "B": "Bishop", "Q": "Queen", "K": "King"}
LETTER = {name: letter for letter, name in NAMES.items()}
SEEDS = range(120)  # 40 per plot level: seed % 3
# Game-RL's question ids, descriptions, qa_type and qa_level, and the answer form: (MC option count or None)
TABLE = {1: ("Asking for the number of moves to solve the puzzle", "State Prediction", "Hard", {8, None}),
         2: ("Asking how many pieces of a specific type are on the board", "Target Perception", "Medium", {None}),
         3: ("Asking for the location of a single piece of a specific type", "Target Perception", "Easy", {None}),
         4: ("Asking a piece located at a specific square", "Target Perception", "Easy", {7}),
         5: ("Asking for the next move that can lead to solving the puzzle", "Strategy Optimization", "Hard", {8})}


def sample(qid, seed, render=False):
    return gameqa.sample_task("chess_ranger", qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid, seeds=SEEDS):
    return [sample(qid, seed) for seed in seeds]


# ---------------------------------------------------------------------------------------------------------
# A separate Chess Ranger: squares as (file 0-7, rank 1-8), "forward" is rank + 1

def pieces_of(state):
    """The record's board (8 strings, rank 8 first) as {(file, rank): letter}."""
    rows = state["board"]
    assert len(rows) == 8 and all(len(row) == 8 for row in rows)
    return {(f, 8 - i): ch for i, row in enumerate(rows) for f, ch in enumerate(row) if ch != "."}


def name(square):
    return "abcdefgh"[square[0]] + str(square[1])


def parse(text):
    return ("abcdefgh".index(text[0]), int(text[1]))


LINES = {"R": [(1, 0), (-1, 0), (0, 1), (0, -1)], "B": [(1, 1), (1, -1), (-1, 1), (-1, -1)]}
LINES["Q"] = LINES["R"] + LINES["B"]
JUMPS = {"N": [(a, b) for a in (-2, -1, 1, 2) for b in (-2, -1, 1, 2) if abs(a) != abs(b)],
         "K": [(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1) if (a, b) != (0, 0)],
         "P": [(-1, 1), (1, 1)]}  # a pawn takes one square diagonally towards rank 8


def on_board(square):
    return 0 <= square[0] < 8 and 1 <= square[1] <= 8


def targets(pieces, square):
    """The squares the piece on `square` can capture on."""
    piece, out = pieces[square], set()
    for df, dr in LINES.get(piece, []):
        s = (square[0] + df, square[1] + dr)
        while on_board(s) and s not in pieces:
            s = (s[0] + df, s[1] + dr)
        if on_board(s):
            out.add(s)
    for df, dr in JUMPS.get(piece, []):
        s = (square[0] + df, square[1] + dr)
        if s in pieces:
            out.add(s)
    return out


def legal(pieces):
    return {(a, b) for a in pieces for b in targets(pieces, a)}


def play(pieces, move):
    a, b = move
    after = dict(pieces)
    after[b] = after.pop(a)
    return after


@lru_cache(maxsize=None)
def solvable_key(key):
    pieces = dict(key)
    return len(pieces) == 1 or any(solvable_key(tuple(sorted(play(pieces, m).items()))) for m in legal(pieces))


def solvable(pieces):
    return solvable_key(tuple(sorted(pieces.items())))


def test_the_test_rules_on_hand_made_boards():
    assert legal({(4, 3): "P", (3, 4): "B"}) == {((4, 3), (3, 4)), ((3, 4), (4, 3))}  # e3 takes d4, d4 takes e3
    assert legal({(4, 3): "P", (3, 2): "B"}) == {((3, 2), (4, 3))}  # no backward pawn capture: only d2 takes e3
    blocked = {(0, 1): "R", (0, 4): "P", (0, 8): "N"}  # a rook takes the first piece up the file, not past it
    assert legal(blocked) == {((0, 1), (0, 4))}
    assert solvable(blocked)  # a1 takes a4, then a4 takes a8
    assert not solvable({(0, 1): "R", (0, 4): "P", (7, 8): "N"})  # after a1 takes a4 nothing reaches h8
    assert legal({(0, 1): "N", (1, 3): "K"}) == {((0, 1), (1, 3))}  # knight a1-b3, a king does not reach a1
    assert not solvable({(0, 1): "N", (7, 8): "K"})


# ---------------------------------------------------------------------------------------------------------
# The table, the levels and the picture

def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY["chess_ranger"].tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (description, qa_type, qa_level, forms) in TABLE.items():
        assert (tasks[qid].description, tasks[qid].qa_type, tasks[qid].qa_level) == (description, qa_type, qa_level)
        seen = set()
        for seed in range(12):
            s = sample(qid, seed)
            assert (s["level"]["qa_type"], s["level"]["qa_level"]) == (qa_type, qa_level)
            seen.add(len(s["options"]) if "options" in s else None)
        assert seen == forms, (qid, seen)
    assert gameqa.REGISTRY["chess_ranger"].split_group == "out-of-domain"


def test_puzzles_have_the_level_piece_count_and_are_solvable():
    for seed in SEEDS:
        level = gameqa.LEVELS[seed % 3]
        state = sample(2, seed)["state"]
        pieces = pieces_of(state)
        assert len(pieces) == state["pieces"] == PIECES[level]
        assert set(pieces.values()) <= set(NAMES)
        assert solvable(pieces), state


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_image_shows_the_board_and_same_seed_same_bytes():
    for seed in range(6):
        qid = 1 + seed % 5
        a, b = sample(qid, seed, render=True), sample(qid, seed, render=True)
        assert png(a["images"][0]) == png(b["images"][0])
        assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
        image, pieces = a["images"][0], pieces_of(a["state"])
        assert image.size == (534, 534) and image.mode == "RGB"
        for f in range(8):
            for r in range(1, 9):
                x, y = 34 + 60 * f, 20 + 60 * (8 - r)  # the square's top-left pixel
                light = (f + r) % 2 == 0  # a8 (f 0, rank 8) is white, a1 grey
                corner = image.getpixel((x + 3, y + 3))
                assert corner == ((255, 255, 255) if light else (128, 128, 128)), name((f, r))
                centre = image.crop((x + 18, y + 18, x + 42, y + 42)).convert("L").getextrema()
                if (f, r) in pieces:  # a white disc with a black letter
                    assert centre[0] < 60 and centre[1] == 255, name((f, r))
                else:
                    assert centre[0] == centre[1], name((f, r))
        for k in range(8):  # a rank number left of each rank, a file letter below each file
            assert image.crop((0, 20 + 60 * k, 32, 80 + 60 * k)).convert("L").getextrema()[0] < 100
            assert image.crop((34 + 60 * k, 502, 94 + 60 * k, 534)).convert("L").getextrema()[0] < 100


def test_every_question_states_the_rules_and_the_convention():
    for qid in TABLE:
        prompt = sample(qid, qid)["prompt"]
        for phrase in ("only moves are captures", "same side", "the king included", "towards rank 8",
                       "exactly one piece is left", "files a to h from left to right",
                       "ranks 1 to 8 from bottom to top", "N knight"):
            assert phrase in prompt, (qid, phrase)


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

MOVE = re.compile(r"(\w+) on ([a-h][1-8]) captures the (\w+) on ([a-h][1-8])")


def test_moves_to_solve():
    forms = set()
    for s in samples(1):
        pieces = pieces_of(s["state"])
        assert solvable(pieces)
        assert gold(s) == str(len(pieces) - 1)  # every capture removes one piece
        # the analysis's solution is a real one: replay it by the rules written here
        solution = MOVE.findall(s["analysis"].split("The solution found: ")[1].split("\n")[0])
        assert len(solution) == len(pieces) - 1
        for mover, a, taken, b in solution:
            move = (parse(a), parse(b))
            assert move in legal(pieces) and (NAMES[pieces[move[0]]], NAMES[pieces[move[1]]]) == (mover, taken)
            pieces = play(pieces, move)
        assert len(pieces) == 1
        if "options" in s:  # 8 consecutive counts that cover every possible answer (3, 4, 5), blind to the gold
            values = sorted(int(o) for o in s["options"])
            assert values == list(range(values[0], values[0] + 8)) and 0 <= values[0] <= 3
            forms.add("choice")
        else:
            completion = f"Each capture removes a piece. The answer is {s['answer']}"
            assert rewards.score_gameqa(completion, s)["accuracy"] == 1
            forms.add("fill-in")
    assert forms == {"choice", "fill-in"}


def test_count_of_a_piece_type():
    golds = set()
    for s in samples(2):
        pieces, piece = pieces_of(s["state"]), s["state"]["piece"]
        assert f"How many {piece}s are on the board?" in s["prompt"]
        count = sum(1 for p in pieces.values() if NAMES[p] == piece)
        assert s["answer"] == str(count) and "options" not in s
        assert rewards.score_gameqa(f"The answer is {count}", s)["accuracy"] == 1
        assert rewards.score_gameqa(f"The answer is {count + 1}", s)["accuracy"] == 0
        golds.add(count)
    assert {0, 1, 2} <= golds


def test_square_of_the_only_piece_of_a_type():
    for s in samples(3):
        pieces, piece = pieces_of(s["state"]), s["state"]["piece"]
        assert f"exactly one {piece} on the board" in s["prompt"]
        squares = [sq for sq, p in pieces.items() if NAMES[p] == piece]
        assert len(squares) == 1 and s["answer"] == name(squares[0]) and "options" not in s
        assert rewards.score_gameqa(f"The answer is {name(squares[0]).upper()}", s)["accuracy"] == 1


def test_piece_at_a_square():
    empty = 0
    for s in samples(4):
        pieces, square = pieces_of(s["state"]), s["state"]["square"]
        assert f"What piece is at {square}?" in s["prompt"]
        truth = NAMES.get(pieces.get(parse(square)), "No Piece")
        assert gold(s) == truth
        assert sorted(s["options"]) == sorted(list(NAMES.values()) + ["No Piece"])
        empty += truth == "No Piece"
    assert 20 <= empty <= 80  # half the squares are drawn among the occupied ones, half among all 64


def test_which_first_moves_still_solve():
    golds, sizes = set(), set()
    for s in samples(5):
        pieces = pieces_of(s["state"])
        candidates = [(parse(a), parse(b)) for a, b in s["state"]["candidates"]]
        assert len(candidates) == len(set(candidates)) == 4
        for k, (a, b) in enumerate(candidates, 1):  # legal captures, listed as the state says
            assert (a, b) in legal(pieces)
            assert f"{k}. {NAMES[pieces[a]]} on {name(a)} captures the {NAMES[pieces[b]]} on {name(b)}" in s["prompt"]
        good = [k for k, move in enumerate(candidates, 1) if solvable(play(pieces, move))]
        truth = ", ".join(map(str, good)) or "None"
        assert gold(s) == truth
        golds.add(truth)
        # 8 distinct sets of move numbers, so only the gold names the right set; both ends are always offered,
        # so neither gives itself away by being there
        assert {"None", "1, 2, 3, 4"} <= set(s["options"])
        for option in s["options"]:
            assert option == "None" or re.fullmatch(r"[1-4](, [1-4])*", option)
            if option != "None":
                numbers = [int(k) for k in option.split(", ")]
                assert numbers == sorted(set(numbers))
                sizes.add(len(numbers))
    assert len(golds) >= 8 and {"None", "1, 2, 3, 4"} <= golds and sizes == {1, 2, 3, 4}


@pytest.mark.parametrize("qid", [1, 4, 5])
def test_the_gold_letter_scores_and_another_does_not(qid):
    for seed in range(6):
        s = sample(qid, seed)
        if "options" not in s:
            continue
        wrong = next(letter for letter in "ABCDEFGH" if letter != s["answer"])
        assert rewards.score_gameqa(f"Checking the board. The answer is {s['answer']}", s)["accuracy"] == 1
        assert rewards.score_gameqa(f"The answer is {wrong}", s)["accuracy"] == 0
