"""Rhythm Game: the task table against Game-RL's, and every task's gold re-derived from the record's `state` by
code written here. The scores come from a second-by-second simulator: the board falls one row a second, the
finger reads the screen column (the picture's column, or its mirror after an odd number of Reverse clicks), the
clicked cells are collected and a snake pays only if all its cells are among them; the module instead walks a
pointer up the picture's columns. Snakes are recovered from the block kinds alone, by walking up from each head."""
import io
import json
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal

import pytest

import gameqa
import rewards
from gameqa_games import rhythm_game
from gameqa_testing import gold

GAME = "rhythm_game"
SIZE = {"Easy": (15, 4), "Medium": (15, 6), "Hard": (20, 6)}
COUNTS = {"Easy": (15, 8, 7), "Medium": (22, 12, 11), "Hard": (30, 17, 13)}  # clicks, reverses, snakes
SEEDS = range(120)  # 40 per plot level: seed % 3
TYPES = ["Non-type", "Click", "Reverse", "Snake Head", "Snake Body", "Snake Tail"]
NAME = {None: "Non-type", "click": "Click", "reverse": "Reverse", "head": "Snake Head", "body": "Snake Body",
        "tail": "Snake Tail"}
RGB = {"click": (255, 255, 0), "reverse": (0, 255, 0), "head": (255, 105, 180), "body": (0, 0, 255),
       "tail": (128, 128, 128)}
DELAY_WORDS = "mirroring the board takes 1 second"
# Game-RL's question ids, descriptions, qa_type, qa_level (its example data.json), and our answer forms
TABLE = {
    1: ("Find the type of the block in a given coordinate.", "Target Perception", "Easy", "fixed"),
    2: ("Find the percentage of cells with blocks, retaining 3 significant figures.", "Target Perception", "Easy",
        "fill"),
    3: ("Find the length of the snake block headed by a given coordinate after a given number of seconds.",
        "State Prediction", "Medium", "fixed"),
    4: ("Find the final point of choosing a given column to click.", "State Prediction", "Medium", "mc8"),
    5: ("Find the final point of choosing a given column to click when it takes 1 second to reverse the grid.",
        "State Prediction", "Medium", "mc8"),
    6: ("Find choosing which column to click can get the highest score.", "Strategy Optimization", "Hard", "fixed"),
    7: ("Find choosing which column to click can get the highest score when it takes 1 second to reverse the grid.",
        "Strategy Optimization", "Hard", "fixed"),
}


def sample(qid, seed, render=False):
    return gameqa.sample_task(GAME, qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid, seeds=SEEDS):
    return [sample(qid, seed) for seed in seeds]


# ---------------------------------------------------------------------------------------------------------
# A separate reading of the state, and a second-by-second game

def kinds_of(state):
    return {(b["row"], b["col"]): b["kind"] for b in state["blocks"]}


def snakes_of(kinds):
    """Each snake's cells, bottom to top: a head, then body cells, then a tail directly above one another."""
    snakes = []
    for (r, c), kind in sorted(kinds.items()):
        if kind != "head":
            continue
        cells = [(r, c)]
        while kinds.get((cells[-1][0] + 1, c)) == "body":
            cells.append((cells[-1][0] + 1, c))
        assert kinds.get((cells[-1][0] + 1, c)) == "tail", ("a snake without a tail", r, c)
        snakes.append(cells + [(cells[-1][0] + 1, c)])
    return snakes


def screen_game(state, column, delay):
    """Second t brings the picture's row t + 1 to the click line; the finger stays on screen column `column`,
    which shows the picture's column cols + 1 - column while the board is mirrored."""
    rows, cols, kinds = state["rows"], state["cols"], kinds_of(state)
    mirrored, frozen_until, clicked, score = False, 0, set(), 0
    for t in range(rows):
        if t < frozen_until:
            continue
        cell = (t + 1, cols + 1 - column if mirrored else column)
        kind = kinds.get(cell)
        if kind is None:
            continue
        clicked.add(cell)
        if kind == "click":
            score += 10
        elif kind == "reverse":
            score += 15
            mirrored = not mirrored
            frozen_until = t + 1 + delay
    for cells in snakes_of(kinds):
        if all(cell in clicked for cell in cells):
            score += len(cells) * (2 * len(cells) + 7)
    return score


def reachable(limit):
    """Totals some set of blocks can score, by enumerating how many 85s, 60s, 39s, 22s and 15s, then tens."""
    out = set()
    for a in range(limit // 85 + 1):
        for b in range((limit - 85 * a) // 60 + 1):
            for c in range((limit - 85 * a - 60 * b) // 39 + 1):
                for d in range((limit - 85 * a - 60 * b - 39 * c) // 22 + 1):
                    base = 85 * a + 60 * b + 39 * c + 22 * d
                    for e in range((limit - base) // 15 + 1):
                        out |= set(range(base + 15 * e, limit + 1, 10))
    return out


REACHABLE = reachable(600)


def hand_board():
    """6 rows × 4 columns: a Click at (1, 1), a Reverse at (2, 1), a 3-cell snake at (3..5, 4), Clicks at (6, 1)
    and (6, 4)."""
    blocks = [(1, 1, "click"), (2, 1, "reverse"), (3, 4, "head"), (4, 4, "body"), (5, 4, "tail"), (6, 1, "click"),
              (6, 4, "click")]
    return {"rows": 6, "cols": 4, "blocks": [{"row": r, "col": c, "kind": k} for r, c, k in blocks]}


def test_both_simulators_give_hand_computed_scores():
    state = hand_board()
    board = rhythm_game.Board(6, 4, [(4, 3, 3)], {(1, 1): "click", (2, 1): "reverse", (6, 1): "click",
                                                   (6, 4): "click"})
    assert kinds_of(board.to_json()) == kinds_of(state)
    # column 1: 10 + 15, mirror to column 4, the whole snake 39, then (6, 4) 10
    # with the delay: row 3 passes while mirroring, the snake is forfeit at its body, then (6, 4) 10
    # column 4: the snake 39, then (6, 4) 10; columns 2 and 3 hold nothing
    expected = {(1, 0): 74, (1, 1): 35, (4, 0): 49, (4, 1): 49, (2, 0): 0, (3, 1): 0}
    for (column, delay), score in expected.items():
        assert screen_game(state, column, delay) == score
        assert rhythm_game.play(board, column, delay)[0] == score
    assert {22, 39, 60, 85, 10 + 15, 25 + 22} <= REACHABLE and not {5, 11, 12, 13, 14} & REACHABLE


# ---------------------------------------------------------------------------------------------------------
# The table, the boards and the picture

def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY[GAME].tasks}
    assert sorted(tasks) == sorted(TABLE)
    assert gameqa.REGISTRY[GAME].split_group == "in-domain"
    for qid, (description, qa_type, qa_level, form) in TABLE.items():
        assert (tasks[qid].description, tasks[qid].qa_type, tasks[qid].qa_level) == (description, qa_type, qa_level)
        for seed, level in enumerate(gameqa.LEVELS):
            s = gameqa.sample_task(GAME, qid, seed, level, render=False)
            assert (s["level"]["qa_type"], s["level"]["qa_level"]) == (qa_type, qa_level)
            cols = SIZE[level][1]
            if form == "fill":
                assert "options" not in s and re.fullmatch(r"0\.\d{3}", s["answer"])
            elif form == "mc8":
                assert len(s["options"]) == 8 and re.fullmatch("[A-H]", s["answer"])
            else:  # a fixed list, in its order
                fixed = {1: TYPES, 3: ["2", "3", "4", "5"]}.get(qid, [str(c) for c in range(1, cols + 1)])
                assert s["options"] == fixed


def test_boards_follow_the_level_table():
    occupancy = []
    for seed in SEEDS:
        level = gameqa.LEVELS[seed % 3]
        state = sample(2, seed)["state"]
        rows, cols = SIZE[level]
        assert (state["rows"], state["cols"]) == (rows, cols)
        cells = [(b["row"], b["col"]) for b in state["blocks"]]
        assert len(set(cells)) == len(cells) and all(1 <= r <= rows and 1 <= c <= cols for r, c in cells)
        kinds = kinds_of(state)
        count = Counter(kinds.values())
        snakes = snakes_of(kinds)
        assert (count["click"], count["reverse"], len(snakes)) == COUNTS[level]
        assert count["head"] == count["tail"] == len(snakes)
        assert sum(map(len, snakes)) == count["head"] + count["body"] + count["tail"]  # no stray snake cells
        assert all(2 <= len(s) <= 5 and s[0][0] <= rows - 4 for s in snakes)
        # the explicit snake list and the per-cell snake index agree with what the colours say
        listed = sorted([(s["head"] + k, s["col"]) for k in range(s["length"])] for s in state["snakes"])
        assert listed == sorted(snakes)
        for b in state["blocks"]:
            if "snake" in b:
                s = state["snakes"][b["snake"]]
                assert b["col"] == s["col"] and s["head"] <= b["row"] < s["head"] + s["length"]
        occupancy.append(len(cells) / (rows * cols))
    assert 0.70 <= sum(occupancy) / len(occupancy) <= 0.85


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_image_shows_every_cell_with_labels_and_same_seed_same_bytes():
    for seed in range(6):
        qid = 1 + seed % 7
        a, b = sample(qid, seed, render=True), sample(qid, seed, render=True)
        assert png(a["images"][0]) == png(b["images"][0])
        assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
        image, state = a["images"][0], a["state"]
        assert image.size == (430, 530) and image.mode == "RGB"
        rows, cols, kinds = state["rows"], state["cols"], kinds_of(state)
        cw, ch = 400 / cols, 500 / rows
        for r in range(1, rows + 1):
            for c in range(1, cols + 1):  # row 1 at the bottom, column 1 on the left
                centre = (int(30 + (c - 0.5) * cw), int((rows - r + 0.5) * ch))
                assert image.getpixel(centre) == RGB.get(kinds.get((r, c)), (255, 255, 255)), (seed, r, c)
        for r in range(1, rows + 1):  # a dark row number left of every row
            band = image.crop((0, int((rows - r) * ch) + 2, 28, int((rows - r + 1) * ch) - 2))
            assert band.convert("L").getextrema()[0] < 100, (seed, r)
        for c in range(1, cols + 1):  # and a column number under every column
            band = image.crop((int(30 + (c - 1) * cw) + 2, 503, int(30 + c * cw) - 2, 530))
            assert band.convert("L").getextrema()[0] < 100, (seed, c)


def test_every_question_states_the_rules_and_the_convention():
    for qid in TABLE:
        s = sample(qid, qid)
        rows, cols = s["state"]["rows"], s["state"]["cols"]
        for phrase in (f"from 1 at the bottom to {rows} at the top", f"from 1 on the left to {cols} on the right",
                       "yellow", "green", "pink", "grey", "blue", "10 points", "15 points", "l·(2l + 7)",
                       f"column {cols + 1} - c", "every one of its cells is clicked"):
            assert phrase in s["prompt"], (qid, phrase)
        assert (DELAY_WORDS in s["prompt"]) == (qid in (5, 7))


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_block_type_at_a_cell():
    golds, columns = Counter(), set()
    for s in samples(1):
        r, c = s["state"]["cell"]
        columns.add((s["state"]["cols"], c))
        assert f"at row {r} and column {c}" in s["prompt"]
        assert 1 <= r <= s["state"]["rows"] and 1 <= c <= s["state"]["cols"]
        assert gold(s) == NAME[kinds_of(s["state"]).get((r, c))]
        golds[gold(s)] += 1
    assert set(golds) == set(TYPES), golds
    assert columns == {(n, c) for n in (4, 6) for c in range(1, n + 1)}  # every column of both widths is asked


def test_fraction_of_occupied_cells():
    for s in samples(2):
        state = s["state"]
        fraction = Decimal(len(state["blocks"])) / Decimal(state["rows"] * state["cols"])
        assert gold(s) == str(fraction.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))
        assert rewards.score_gameqa(f"The answer is {gold(s)}", s)["accuracy"] == 1


def test_snake_length_after_falling():
    golds, shifts = Counter(), set()
    for s in samples(3):
        state, kinds = s["state"], kinds_of(s["state"])
        (r, c), k = s["state"]["head_after"], s["state"]["seconds"]
        assert r >= 1 and k >= 1 and f"{k} second" in s["prompt"] and f"is at ({r}, {c})" in s["prompt"]
        assert kinds[(r + k, c)] == "head"  # k seconds before, the head was k rows higher: in the picture
        length, top = 1, r + k + 1
        while kinds[(top, c)] == "body":
            length, top = length + 1, top + 1
        assert kinds[(top, c)] == "tail"
        assert gold(s) == str(length + 1)
        golds[gold(s)] += 1
        shifts.add(k)
    assert set(golds) == {"2", "3", "4", "5"} and len(shifts) >= 8


POINTS = (10, 15, 22, 39, 60, 85)
STEPS = set(POINTS) | {a + b for a in POINTS for b in POINTS}  # one or two blocks' points


def guess_hits(options, gold_value, rank_of):
    """1 / (number of options tied) if the guess `rank_of` ranks the gold first, else 0."""
    ranks = [rank_of(v) for v in options]
    return (ranks[options.index(gold_value)] == max(ranks)) / ranks.count(max(ranks))


@pytest.mark.parametrize("qid,delay", [(4, 0), (5, 1)])
def test_score_of_a_column(qid, delay):
    ranks, by_steps, by_middle = Counter(), 0, 0
    for s in samples(qid):
        state, column = s["state"], s["state"]["column"]
        assert state["mirror_delay"] == delay and f"finger on column {column}." in s["prompt"]
        assert gold(s) == str(screen_game(state, column, delay))
        values = [int(o) for o in s["options"]]
        # every option is a score some blocks can add up to, near the gold; distinct, so none is also right
        assert all(v in REACHABLE and abs(v - int(gold(s))) <= 100 for v in values)
        ranks[sorted(values).index(int(gold(s)))] += 1
        # two ways to guess without playing: the option most others differ from by one or two blocks' points,
        # and the option nearest the options' mean
        by_steps += guess_hits(values, int(gold(s)), lambda v: sum(abs(v - w) in STEPS for w in values if w != v))
        by_middle += guess_hits(values, int(gold(s)), lambda v: -abs(v - sum(values) / 8))
    # the gold sits at every rank of the sorted options, and at none much more than the uniform 1/8
    assert set(ranks) == set(range(8)) and max(ranks.values()) <= 0.25 * len(SEEDS), ranks
    assert by_steps <= 0.25 * len(SEEDS) and by_middle <= 0.25 * len(SEEDS), (by_steps, by_middle)


@pytest.mark.parametrize("qid,delay", [(6, 0), (7, 1)])
def test_best_column(qid, delay):
    golds = Counter()
    for s in samples(qid):
        state = s["state"]
        assert state["mirror_delay"] == delay
        scores = {c: screen_game(state, c, delay) for c in range(1, state["cols"] + 1)}
        best = max(scores.values())
        winners = [c for c, v in scores.items() if v == best]
        assert len(winners) == 1, scores  # the one right option
        assert gold(s) == str(winners[0])
        golds[gold(s)] += 1
    assert len(golds) >= 5, golds


@pytest.mark.parametrize("qid", sorted(TABLE))
def test_the_gold_scores_and_another_answer_does_not(qid):
    for seed in range(3):
        s = sample(qid, seed)
        assert rewards.score_gameqa(f"Walking the column. The answer is {s['answer']}", s)["accuracy"] == 1
        if "options" in s:
            wrong = next(letter for letter in "ABCDEFGH" if letter != s["answer"])
        else:
            wrong = f"{float(s['answer']) + 0.001:.3f}"
        assert rewards.score_gameqa(f"The answer is {wrong}", s)["accuracy"] == 0
