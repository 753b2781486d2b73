"""Jewel2: the task table, the plot levels, the picture, and every task's gold re-derived from the record's `state`
by a simulator written here (whole-board line scans with itertools.groupby, set arithmetic for the specials, a
column-by-column fall), not the module's."""
import io
import itertools
import json
import random
import re

import pytest

import gameqa
import rewards
from gameqa_games import jewel2
from gameqa_testing import gold

LEVELS = ("Easy", "Medium", "Hard")
SEEDS = range(120)  # spread over the plot levels: seed % 3
SIDE = {"Easy": 4, "Medium": 5, "Hard": 6}
STEP = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}
# question_id: (qa_type, qa_level, number of options or None for fill-in)
TABLE = {0: ("Target Perception", "Easy", None), 1: ("Target Perception", "Easy", 8),
         2: ("Target Perception", "Easy", None), 3: ("State Prediction", "Medium", 8),
         4: ("State Prediction", "Medium", 8), 5: ("State Prediction", "Hard", None),
         6: ("Strategy Optimization", "Hard", 8)}
NONE_TEXT = "No command can clear any elements."


def sample(qid, seed, render=False):
    return gameqa.sample_task("jewel2", qid, seed, LEVELS[seed % 3], render=render)


def samples(qid):
    return [sample(qid, seed) for seed in SEEDS]


def board_of(state):
    return [list(row) for row in state["chessboard"]]


# ---------------------------------------------------------------------------------------------------------
# A separate simulator: every maximal line of the whole board, then the lines through the cells that matter

def all_lines(board):
    """Every maximal run of one basic letter along a row or a column, as a frozenset of cells."""
    n, runs = len(board), []
    for lanes in ([[(r, c) for c in range(n)] for r in range(n)], [[(r, c) for r in range(n)] for c in range(n)]):
        for lane in lanes:
            for letter, group in itertools.groupby(lane, key=lambda rc: board[rc[0]][rc[1]]):
                cells = frozenset(group)
                if letter in "ABCDE":
                    runs.append(cells)
    return runs


def lines_hitting(board, cells):
    """The union of the lines of 3 or more that contain any of `cells`."""
    return set().union(*[run for run in all_lines(board) if len(run) >= 3 and run & set(cells)])


def simulate(board, command):
    """(what happens, eliminated cells, board the cells are removed from)."""
    n, words = len(board), command.split()
    r, c = int(words[1]), int(words[2])
    e = board[r][c]
    if words[0] == "clear":
        if e in "abcde":
            return "special", {(r, c)} | {(i, j) for i in range(n) for j in range(n) if board[i][j] == e.upper()}, board
        if e == "|":
            return "special", {(i, c) for i in range(n)}, board
        if e == "+":
            return "special", {(i, j) for i in range(n) for j in range(n) if abs(i - r) <= 1 and abs(j - c) <= 1}, board
        marked = lines_hitting(board, [(r, c)])
        return ("lines" if marked else "invalid"), marked, board
    r2, c2 = r + STEP[words[3]][0], c + STEP[words[3]][1]
    if not (0 <= r2 < n and 0 <= c2 < n):
        return "off board", set(), board
    if e not in "ABCDE" or board[r2][c2] not in "ABCDE":
        return "special", set(), board
    swapped = [row[:] for row in board]
    swapped[r][c], swapped[r2][c2] = board[r2][c2], board[r][c]
    marked = lines_hitting(swapped, [(r, c), (r2, c2)])
    return ("lines", marked, swapped) if marked else ("no line", set(), board)  # no line: swapped back


def fall(board, marked, new_element):
    """Remove `marked`, let each column fall, fill the top with new_element() calls."""
    n = len(board)
    columns = []
    for c in range(n):
        kept = [board[r][c] for r in range(n - 1, -1, -1) if (r, c) not in marked]  # bottom up
        kept += [new_element() for _ in range(n - len(kept))]
        columns.append(kept[::-1])
    return [[columns[c][r] for c in range(n)] for r in range(n)]


def every_command(n):
    return [f"clear {r} {c}" for r in range(n) for c in range(n)] + \
           [f"swap {r} {c} {d}" for r in range(n) for c in range(n) for d in STEP]


# ---------------------------------------------------------------------------------------------------------
# The table, the levels and the picture

def test_task_table_and_levels():
    tasks = {t.question_id: t for t in gameqa.REGISTRY["jewel2"].tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (qa_type, qa_level, n_options) in TABLE.items():
        assert (tasks[qid].qa_type, tasks[qid].qa_level) == (qa_type, qa_level), qid
        for seed in range(6):
            s = sample(qid, seed)
            assert len(s.get("options", [])) == (n_options or 0), (qid, seed)
            assert s["level"]["qa_level"] == qa_level
            st = s["state"]
            n = SIDE[s["level"]["plot_level"]]
            assert st["rows"] == st["cols"] == n and len(st["chessboard"]) == n
            assert all(len(row) == n and set(row) <= set("ABCDEabcde+|") for row in st["chessboard"])
            assert 0 <= st["total_cleared"] <= 100


def test_boards_are_mostly_basic_with_about_five_percent_specials():
    cells = [e for seed in range(150) for row in sample(0, seed)["state"]["chessboard"] for e in row]
    share = sum(e in "abcde+|" for e in cells) / len(cells)
    assert 0.03 < share < 0.07, share
    assert set(cells) == set("ABCDEabcde+|")


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_same_seed_same_bytes():
    for qid, seed in [(0, 3), (3, 4), (5, 5), (6, 2)]:
        a, b = (sample(qid, seed, render=True) for _ in range(2))
        assert png(a["images"][0]) == png(b["images"][0])
        assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})


def test_the_picture_shows_the_board():
    """Game-RL's geometry: 480×640, board at (60, 150), cells 400 // n px. At a cell's centre the gem's colour;
    a quarter cell right and a fifth down, the disc still (radius 0.38 cell) but no longer the rhombus
    (|dx| + |dy| <= 0.4 cell) or the bar (0.2 cell wide): there the tile shows."""
    seen, seed = set(), 0
    while seen != set("ABCDEabcde+|") and seed < 200:  # until every element has been drawn and checked
        s = sample(2, seed, render=True)
        seed += 1
        image, board = s["images"][0], board_of(s["state"])
        assert image.size == (480, 640)
        n = len(board)
        cell = 400 // n
        for r in range(n):
            for c in range(n):
                cx, cy = 60 + c * cell + cell // 2, 150 + r * cell + cell // 2
                e = board[r][c]
                centre = jewel2.FILL[e.upper()] if e in "ABCDEabcde" else jewel2.BLACK if e == "+" else jewel2.CYAN
                off = jewel2.TILE if e in "ABCDE|" else centre
                assert image.getpixel((cx, cy)) == centre, (seed, r, c, e)
                assert image.getpixel((cx + cell // 4, cy + cell // 5)) == off, (seed, r, c, e)
                seen.add(e)
    assert seen == set("ABCDEabcde+|"), seen
    # the colours the text names: A red, B green, C blue, D yellow, E purple
    (ar, ag, ab), (br, bg, bb), (cr, cg, cb), (dr, dg, db), (er, eg, eb) = (jewel2.FILL[x] for x in "ABCDE")
    assert ar > 2 * max(ag, ab) and bg > 2 * max(br, bb) and cb > 2 * max(cr, cg)
    assert min(dr, dg) > 2 * db and min(er, eb) > 2 * eg


# ---------------------------------------------------------------------------------------------------------
# Hand-built boards: the rules in the docstring, one at a time

def state_of(rows, total=10):
    return jewel2.Jewel2([list(row) for row in rows], total)


def test_rules_on_hand_built_boards():
    s = state_of(["ABAD", "AAAC", "ACBD", "a+D|"])
    assert s.count("clear 1 0") == 5                 # row 1 and column 0 cross at (1, 0): 3 + 3 - 1
    assert s.count("clear 1 2") == 3 and s.count("clear 0 1") == 0
    assert s.count("clear 3 0") == 1 + 6             # 'a' and the six A's
    assert s.count("clear 3 3") == 4                 # '|': the whole column
    assert s.count("clear 3 1") == 6                 # '+' on the bottom edge: a clipped 2×3 block
    assert s.effect("swap 0 0 up")[0] == "off board"
    assert s.effect("swap 2 0 down")[0] == "special"
    assert s.count("swap 1 1 right") == 3            # two identical A's already in a line: a successful swap
    assert s.effect("swap 0 2 right")[0] == "no line"
    after, k = s.move("clear 1 0", random.Random(0))
    assert k == 5 and after.total_cleared == 15
    # column 0 keeps only the 'a' (at the bottom); columns 1 and 2 lose row 1 and fall by one; column 3 stays
    assert [row[1:] for row in after.board[1:]] == [["B", "A", "C"], ["C", "B", "D"], ["+", "D", "|"]]
    assert after.board[3][0] == "a" and all(after.board[r][0] in "ABCDEabcde+|" for r in range(3))
    assert after.board[0][3] == "D" and after.board[0][1] in "ABCDEabcde+|"


def test_a_second_command_is_asked_only_when_the_refill_cannot_change_it():
    s = state_of(["ABAD", "AAAC", "ACBD", "a+D|"])
    after, k = s.move("clear 1 0")  # unknown refill at (0..2, 0), (0, 1), (0, 2)
    assert k == 5 and [r for r in range(4) if after.board[r][0] is None] == [0, 1, 2]
    assert not jewel2.decided(after, "clear 3 0")    # 'a' must find every A, refill included
    assert not jewel2.decided(after, "clear 2 1")    # C at (2, 1) could extend into (2, 0)
    assert not jewel2.decided(after, "swap 0 3 left")  # reads the unknown (0, 2)
    assert jewel2.decided(after, "clear 3 3") and after.count("clear 3 3") == 4  # '|' needs no contents
    assert jewel2.decided(after, "clear 1 3") and after.count("clear 1 3") == 0  # C between A and D's: stops


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_element_count():
    answers = set()
    for s in samples(0):
        element = s["state"]["element"]
        expected = sum(row.count(element) for row in s["state"]["chessboard"])
        assert gold(s) == str(expected) and element in "ABCDE"
        assert rewards.score_gameqa(f"Counting.\nThe answer is {expected}", s)["accuracy"] == 1
        answers.add(expected)
    assert 0 in answers and len(answers) >= 6


def test_element_position():
    for s in samples(1):
        board, element = board_of(s["state"]), s["state"]["element"]
        holds = [board[int(m[0])][int(m[1])] == element for m in (re.fullmatch(r"\((\d+), (\d+)\)", o).groups()
                                                                for o in s["options"])]
        assert sum(holds) == 1 and holds[s["options"].index(gold(s))]


def test_special_count():
    answers = set()
    for s in samples(2):
        expected = sum(e in "abcde+|" for row in s["state"]["chessboard"] for e in row)
        assert gold(s) == str(expected)
        assert rewards.score_gameqa(f"The answer is {expected}", s)["accuracy"] == 1
        answers.add(expected)
    assert {0, 1, 2} <= answers


NOTHING = re.compile(r"Nothing happens: .*")
SPECIAL = re.compile(r"A special element fires; Total Cleared becomes (\d+)\.")
CLEARED = re.compile(r"Lines are eliminated: (\d+) elements are removed and Total Cleared becomes (\d+)\.")
REFUSED = re.compile(r"The swap is refused because one of the two elements is special\.")
SWAPPED = re.compile(r"After the swap, (\d+) elements are eliminated and Total Cleared becomes (\d+)\.")


def claim_is_true(option, what, k, total):
    """Is the option's statement a fact, given what the command does (outcome, count) and the total before?"""
    if NOTHING.fullmatch(option):
        return what in ("invalid", "off board", "no line")
    if REFUSED.fullmatch(option):
        return what == "special"
    m = SPECIAL.fullmatch(option)
    if m:
        return what == "special" and int(m[1]) == total + k
    m = CLEARED.fullmatch(option) or SWAPPED.fullmatch(option)
    assert m, option
    assert int(m[2]) == total + int(m[1])  # every count option's total is consistent with its count
    return what == "lines" and int(m[1]) == k


@pytest.mark.parametrize("qid,kinds", [(3, {"special", "lines", "invalid"}),
                                       (4, {"special", "lines", "off board", "no line"})])
def test_clear_and_swap_outcomes(qid, kinds):
    seen, lines_counts = set(), set()
    for s in samples(qid):
        st = s["state"]
        what, marked, _ = simulate(board_of(st), st["command"])
        k, total = len(marked), st["total_cleared"]
        truths = [claim_is_true(o, what, k, total) for o in s["options"]]
        assert sum(truths) == 1 and truths[s["options"].index(gold(s))], (st["command"], s["options"])
        # no wrong option carries the true count (Game-RL's option B did)
        for o in s["options"]:
            if o != gold(s) and k:
                assert f" {k} elements" not in o and f"becomes {total + k}." not in o, o
        seen.add(what)
        if what == "lines":
            lines_counts.add(k)
    assert seen == kinds and len(lines_counts) >= 3


def test_two_commands_whatever_the_refill():
    """The gold is the same whatever new elements fall in after the first command: random ones, and boards where
    every new element is the same letter (which extends any line it touches) or the same special."""
    golds = []
    for s in samples(5):
        st = s["state"]
        first, second = st["commands"]
        assert first != second
        rng = random.Random(s["id"])
        fills = [lambda: rng.choice("ABCDEabcde+|")] * 4 + [lambda e=e: e for e in "ABCDEa|"]
        for new_element in fills:
            _, marked1, board1 = simulate(board_of(st), first)
            between = fall(board1, marked1, new_element)
            _, marked2, _ = simulate(between, second)
            assert gold(s) == str(len(marked1) + len(marked2)), (first, second)
        assert rewards.score_gameqa(f"So {gold(s)} in all.\nThe answer is {gold(s)}", s)["accuracy"] == 1
        golds.append(int(gold(s)))
    assert sum(g > 0 for g in golds) >= 0.75 * len(golds) and len(set(golds)) >= 6


def test_best_command_by_trying_every_command():
    kinds = set()
    for s in samples(6):
        st = s["state"]
        board = board_of(st)
        counts = {cmd: len(simulate(board, cmd)[1]) for cmd in every_command(len(board))}
        best = max(counts.values())
        assert st["best_count"] == best
        assert sorted(st["best_commands"]) == sorted(cmd for cmd, k in counts.items() if k == best and best)
        answer = gold(s)
        assert NONE_TEXT in s["options"]
        if best == 0:
            assert answer == NONE_TEXT
        else:
            assert counts[answer] == best
        swaps = set()
        for option in s["options"]:
            if option == NONE_TEXT:
                continue
            assert option in counts
            if option != answer:
                assert counts[option] < best or best == 0, (option, counts[option], best)
            if option.startswith("swap"):  # each swap once, whichever end names it, and on the board
                _, r, c, d = option.split()
                pair = frozenset([(int(r), int(c)), (int(r) + STEP[d][0], int(c) + STEP[d][1])])
                assert pair not in swaps and simulate(board, option)[0] != "off board"
                swaps.add(pair)
        kinds.add("clear" if answer.startswith("clear") else "swap" if answer.startswith("swap") else "none")
    assert {"clear", "swap"} <= kinds
