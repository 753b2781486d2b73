"""Word Search: the task table against Game-RL's, and every task's gold re-derived from the record's `state` by
code written here: the letter and the count read straight off the grid, and every occurrence of a word found by
cutting the grid into its straight lines (rows, columns, both diagonals) and searching each line's text and
its reverse with str.find (the module walks from each cell in each direction instead)."""
import io
import json
import random
import re

import pytest

import gameqa
import rewards
from gameqa_testing import gold
from gameqa_games import word_search

SEEDS = range(120)  # 40 per plot level: seed % 3
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SIZES = {"Easy": {5}, "Medium": {6, 7}, "Hard": {8}}
NAMES = ["right", "left", "down", "up", "diagonal-right-down", "diagonal-right-up", "diagonal-left-down",
         "diagonal-left-up"]
# Game-RL's question ids, descriptions and levels; all Target Perception, all 8-option multiple choice.
TABLE = {0: ("cell_letter", "Easy"), 1: ("letter_count", "Medium"), 2: ("word_direction", "Medium"),
         3: ("find_word_location", "Hard")}


def sample(qid, seed, render=False):
    return gameqa.sample_task("word_search", qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid, seeds=SEEDS):
    return [sample(qid, seed) for seed in seeds]


# ---------------------------------------------------------------------------------------------------------
# A separate word finder: the grid cut into straight lines, each searched forwards and backwards

def lines(grid):
    """Every maximal straight line of the grid as (cells top-to-bottom or left-to-right, forward name, backward
    name), 1-based cells."""
    n = len(grid)
    out = [([(r, c) for c in range(1, n + 1)], "right", "left") for r in range(1, n + 1)]
    out += [([(r, c) for r in range(1, n + 1)], "down", "up") for c in range(1, n + 1)]
    for d in range(-(n - 1), n):  # c - r = d: down and to the right
        cells = [(r, r + d) for r in range(1, n + 1) if 1 <= r + d <= n]
        out.append((cells, "diagonal-right-down", "diagonal-left-up"))
    for s in range(2, 2 * n + 1):  # r + c = s: down and to the left
        cells = [(r, s - r) for r in range(1, n + 1) if 1 <= s - r <= n]
        out.append((cells, "diagonal-left-down", "diagonal-right-up"))
    return out


def find_all(grid, word):
    """Every (start cell, direction name) along which `word` reads, in sorted order."""
    found = []
    for cells, forward, backward in lines(grid):
        for order, name in ((cells, forward), (cells[::-1], backward)):
            text = "".join(grid[r - 1][c - 1] for r, c in order)
            i = text.find(word)
            while i != -1:
                found.append((order[i], name))
                i = text.find(word, i + 1)
    return sorted(found)


def test_the_finder_knows_all_eight_directions_and_overlaps():
    grid = [list(row) for row in ["CATX", "AAXX", "TXTX", "XXXX"]]
    assert find_all(grid, "CAT") == [((1, 1), "diagonal-right-down"), ((1, 1), "down"), ((1, 1), "right")]
    assert find_all(grid, "TAC") == [((1, 3), "left"), ((3, 1), "up"), ((3, 3), "diagonal-left-up")]
    assert find_all([list("AAAA")] * 1 + [list("BBBB")] * 3, "AA") == [((1, 1), "right"), ((1, 2), "left"),
                                                                        ((1, 2), "right"), ((1, 3), "left"),
                                                                        ((1, 3), "right"), ((1, 4), "left")]
    anti = [list(row) for row in ["XXD", "XOX", "GXX"]]
    assert find_all(anti, "DOG") == [((1, 3), "diagonal-left-down")]
    assert find_all(anti, "GOD") == [((3, 1), "diagonal-right-up")]


# ---------------------------------------------------------------------------------------------------------
# The table, the levels, the word list and the picture

def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY["word_search"].tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (description, qa_level) in TABLE.items():
        assert (tasks[qid].description, tasks[qid].qa_type, tasks[qid].qa_level) == (
            description, "Target Perception", qa_level)
        for seed in range(3):
            s = sample(qid, seed)
            assert len(s["options"]) == 8 and re.fullmatch("[A-H]", s["answer"])
            assert (s["level"]["qa_type"], s["level"]["qa_level"]) == ("Target Perception", qa_level)
    game = gameqa.REGISTRY["word_search"]
    assert (game.split_group, game.category, game.module) == ("in-domain", gameqa.MULTISTEP, "word_search")


def test_grids_have_the_level_size_and_uniform_letters():
    seen = {level: set() for level in gameqa.LEVELS}
    letters = set()
    for qid in (0, 1):
        for seed, s in zip(SEEDS, samples(qid)):
            level, grid = gameqa.LEVELS[seed % 3], s["state"]["grid"]
            n = s["state"]["size"]
            assert n in SIZES[level] and len(grid) == n and all(len(row) == n for row in grid)
            assert all(ch in ALPHABET for row in grid for ch in row)
            seen[level].add(n)
            letters |= {ch for row in grid for ch in row}
    assert seen == SIZES and letters == set(ALPHABET)


def test_the_word_list_is_ours_and_fit_for_the_puzzle():
    words = word_search.WORDS
    assert 300 <= len(words) <= 500 and len(set(words)) == len(words)
    for w in words:
        assert re.fullmatch("[A-Z]{3,7}", w) and w != w[::-1], w
    assert {len(w) for w in words} == {3, 4, 5, 6, 7}


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_same_seed_same_bytes():
    for qid in TABLE:
        for seed in (qid, qid + 4):
            a, b = sample(qid, seed, render=True), sample(qid, seed, render=True)
            assert png(a["images"][0]) == png(b["images"][0])
            assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})


def test_image_shows_the_grid_letters_and_the_labels():
    """Each cell's inside must look the same for the same letter and different for different letters, across
    grids of every size: the picture shows the state's letters, cell for cell. Row k's label and column k's
    label look the same (both read k) and differ between k."""
    glyph_of, letter_of = {}, {}
    for seed in range(9):
        s = sample(seed % 4, seed, render=True)
        image, grid, n = s["images"][0], s["state"]["grid"], s["state"]["size"]
        assert image.size == ((n + 1) * 50, (n + 1) * 50)
        for r in range(1, n + 1):
            for c in range(1, n + 1):
                inside = image.crop((c * 50 + 2, r * 50 + 2, c * 50 + 48, r * 50 + 48)).tobytes()
                letter = grid[r - 1][c - 1]
                assert glyph_of.setdefault(letter, inside) == inside, (seed, r, c, letter)
                assert letter_of.setdefault(inside, letter) == letter, (seed, r, c, letter)
        labels = []
        for k in range(1, n + 1):
            top = image.crop((k * 50 + 2, 2, k * 50 + 48, 48)).tobytes()
            left = image.crop((2, k * 50 + 2, 48, k * 50 + 48)).tobytes()
            assert top == left and image.crop((2, k * 50 + 2, 48, k * 50 + 48)).convert("L").getextrema()[0] < 100
            labels.append(top)
        assert len(set(labels)) == n
        assert image.crop((0, 0, 50, 50)).convert("L").getextrema() == (255, 255)  # the corner is blank
        side = (n + 1) * 50
        for p in (60, side // 2, side - 10):  # the grid is closed on all four sides
            assert image.getpixel((50, p)) == image.getpixel((side - 1, p)) == (0, 0, 0)
            assert image.getpixel((p, 50)) == image.getpixel((p, side - 1)) == (0, 0, 0)
    assert len(glyph_of) >= 20


def test_every_question_states_the_directions_and_the_convention():
    for qid in TABLE:
        s = sample(qid, qid)
        n = s["state"]["size"]
        for phrase in NAMES + ["up is towards row 1 at the top",
                               f"rows are numbered from 1 at the top to {n} at the bottom",
                               f"columns from 1 on the left to {n} on the right"]:
            assert phrase in s["prompt"], (qid, phrase)


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_letter_in_a_cell():
    for s in samples(0):
        grid, (r, c) = s["state"]["grid"], s["state"]["cell"]
        n = s["state"]["size"]
        assert 1 <= r <= n and 1 <= c <= n and f"at row {r}, column {c}?" in s["prompt"]
        assert gold(s) == f"letter {grid[r - 1][c - 1]}"
        assert all(re.fullmatch("letter [A-Z]", o) for o in s["options"])  # distinct: no second right answer


def test_letter_count():
    positions, golds = set(), set()
    for s in samples(1):
        grid, letter = s["state"]["grid"], s["state"]["letter"]
        assert letter in ALPHABET and f"does the letter {letter} occur" in s["prompt"]
        count = sum(row.count(letter) for row in grid)
        assert gold(s) == str(count)
        # the options are the block of 8 consecutive counts holding the gold, whatever the gold is inside it
        block = count // 8 * 8
        assert sorted(s["options"], key=int) == [str(v) for v in range(block, block + 8)]
        positions.add(s["options"].index(gold(s)))
        golds.add(count)
    assert len(positions) >= 6 and {0, 1, 2, 3} <= golds


def test_word_direction():
    directions = set()
    for s in samples(2):
        grid, word, start = s["state"]["grid"], s["state"]["word"], tuple(s["state"]["start"])
        assert word in word_search.WORDS and len(word) <= s["state"]["size"]
        assert f"The word {word} is hidden" in s["prompt"] and f"row {start[0]}, column {start[1]}." in s["prompt"]
        # the word occurs exactly once in the whole grid, so no other direction is also right
        assert find_all(grid, word) == [(start, s["state"]["direction"])]
        assert gold(s) == s["state"]["direction"] and sorted(s["options"]) == sorted(NAMES)
        directions.add(gold(s))
    assert directions == set(NAMES)


def test_placement_keeps_only_placements_after_which_the_word_occurs_once(monkeypatch):
    """On random letters a placed word is rarely repeated by chance (4 in 600 task-2 grids without the check),
    so the samples above barely test the uniqueness check. Here grids of four letters and words made of them
    repeat words often: the placement must still leave exactly one occurrence, and change only its own cells."""
    monkeypatch.setattr(word_search, "WORDS", ("RAT", "STAR", "ARTS", "TSAR"))
    placed = 0
    for seed in range(60):
        rng = random.Random(seed)
        before = word_search.WordGrid([[rng.choice("ARST") for _ in range(6)] for _ in range(6)])
        try:
            after, word, start, direction = word_search.place_unique_word(rng, before)
        except word_search.GiveUp:
            continue
        placed += 1
        assert find_all(after.grid, word) == [(start, direction)], (seed, word)
        assert along(after.grid, start, direction, len(word)) == word
        changed = {(r, c) for r in range(1, 7) for c in range(1, 7)
                   if after.grid[r - 1][c - 1] != before.grid[r - 1][c - 1]}
        dr = 1 if "down" in direction else -1 if "up" in direction else 0
        dc = 1 if "right" in direction else -1 if "left" in direction else 0
        assert changed <= {(start[0] + k * dr, start[1] + k * dc) for k in range(len(word))}
    assert placed >= 20


def test_placement_gives_up_when_no_word_can_occur_once(monkeypatch):
    # in a grid of A's, "AAB" reads towards its B from at least three directions wherever the B goes
    monkeypatch.setattr(word_search, "WORDS", ("AAB",))
    with pytest.raises(word_search.GiveUp):
        word_search.place_unique_word(random.Random(0), word_search.WordGrid([["A"] * 5 for _ in range(5)]))


def along(grid, start, name, length):
    """The text read from `start` along direction `name`, or None if it leaves the grid (test's own steps)."""
    dr = 1 if "down" in name else -1 if "up" in name else 0
    dc = 1 if "right" in name else -1 if "left" in name else 0
    n = len(grid)
    cells = [(start[0] + k * dr, start[1] + k * dc) for k in range(length)]
    if not all(1 <= r <= n and 1 <= c <= n for r, c in cells):
        return None
    return "".join(grid[r - 1][c - 1] for r, c in cells)


def test_the_test_reads_along_every_direction():
    grid = [list(row) for row in ["ABC", "DEF", "GHI"]]
    got = {name: along(grid, (2, 2), name, 2) for name in NAMES}
    assert got == {"right": "EF", "left": "ED", "down": "EH", "up": "EB", "diagonal-right-down": "EI",
                   "diagonal-right-up": "EC", "diagonal-left-down": "EG", "diagonal-left-up": "EA"}
    assert along(grid, (1, 1), "up", 2) is None


def test_find_word_location():
    for s in samples(3):
        grid, word = s["state"]["grid"], s["state"]["word"]
        assert word in word_search.WORDS and f"The word {word} is hidden" in s["prompt"]
        (start, name), = find_all(grid, word)  # exactly one occurrence
        assert (list(start), name) == (s["state"]["start"], s["state"]["direction"])
        assert gold(s) == f"Row {start[0]}, Column {start[1]}, Direction: {name}"
        firsts = [(r, c) for r in range(1, len(grid) + 1) for c in range(1, len(grid) + 1)
                  if grid[r - 1][c - 1] == word[0]]
        fitting = sum(along(grid, cell, d, len(word)) is not None for cell in firsts for d in NAMES) - 1
        wrong = [o for o in s["options"] if o != gold(s)]
        fits = 0
        for option in wrong:
            r, c, d = re.fullmatch(r"Row (\d), Column (\d), Direction: ([a-z-]+)", option).groups()
            cell = (int(r), int(c))
            assert cell in firsts and d in NAMES, option  # a cell holding the first letter
            text = along(grid, cell, d, len(word))
            assert text != word, option  # no wrong option spells the word
            fits += text is not None
        assert fits == min(7, fitting)  # pairs along which the word fits come first


@pytest.mark.parametrize("qid", sorted(TABLE))
def test_the_gold_letter_scores_and_another_does_not(qid):
    for seed in range(3):
        s = sample(qid, seed)
        wrong = next(letter for letter in "ABCDEFGH" if letter != s["answer"])
        assert rewards.score_gameqa(f"Reading the grid. The answer is {s['answer']}", s)["accuracy"] == 1
        assert rewards.score_gameqa(f"The answer is {wrong}", s)["accuracy"] == 0
