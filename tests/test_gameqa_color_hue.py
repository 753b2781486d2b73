"""Color Hue: the task table, and every gold re-derived from the record's `state` by code written here.

The board is replayed from the gradient records in painting order (each record's case told apart by the cells
the line already had, the colours mixed with exact fractions); the colour names come from this file's own HSV
formula and its own reading of the naming scheme; task 0's blanked cells are inferred twice: as a reader of
the image would (nearest visible cells of the unbroken coloured run) and by a least-squares line through every
visible cell of the gradient's equal-step piece. The image is read back pixel by pixel against the state."""
import io
import json
import math
from fractions import Fraction

import pytest

import gameqa
import rewards
from gameqa_testing import gold

GAME = "color_hue"
SEEDS = range(120)  # spread over the three plot levels: seed % 3
SIZES = {"Easy": {5}, "Medium": {6, 7}, "Hard": {8}}
# question_id: (description, qa_type, qa_level, number of options)
TABLE = {0: ("color_matching", "State Prediction", "Hard", 6),
         1: ("color_description", "Target Perception", "Easy", 8),
         2: ("gradient_pattern", "Target Perception", "Medium", 8)}
PALETTE_GAP, MATCH_MARGIN = 40, 20      # the spec's palette distance; our inference margin
HUE_MARGIN, SV_MARGIN = 10, 0.05        # a clear name survives these nudges


def sample(qid, seed, render=False):
    return gameqa.sample_task(GAME, qid, seed, gameqa.LEVELS[seed % 3], render=render)


# ---------------------------------------------------------------------------------------------------------
# Colour names, from the spec's scheme

def hsv(rgb):
    r, g, b = (x / 255 for x in rgb)
    hi, lo = max(r, g, b), min(r, g, b)
    s = 0 if hi == 0 else (hi - lo) / hi
    if hi == lo:
        h = 0.0
    elif hi == r:
        h = (60 * (g - b) / (hi - lo)) % 360
    elif hi == g:
        h = 60 * (b - r) / (hi - lo) + 120
    else:
        h = 60 * (r - g) / (hi - lo) + 240
    return h, s, hi


def colour_name(h, s, v):
    if v < 0.2:
        return "black"
    if v > 0.9 and s < 0.1:
        return "white"
    if s < 0.15:
        return "dark gray" if v < 0.5 else "light gray"
    h %= 360
    if h >= 330 or h <= 30:
        base = "red"
    else:
        base = next(b for low, high, b in ((30, 60, "orange"), (60, 90, "yellow"), (90, 150, "green"),
                                           (150, 200, "cyan"), (200, 240, "blue"), (240, 270, "indigo"),
                                           (270, 330, "purple")) if low < h <= high)
    words = []
    if s < 0.4:
        words.append("pale")
    elif s > 0.8:
        words.append("vivid")
    if v < 0.4:
        words.append("dark")
    elif v > 0.8:
        words.append("bright")
    return " ".join(words + [base])


def name(rgb):
    return colour_name(*hsv(rgb))


def is_clear(rgb):
    """The name holds on a 5×5×5 grid over hue ± HUE_MARGIN, saturation and value ± SV_MARGIN (just inside the
    margin: a bin edge exactly at the margin, hue 20° against red's 30°, is left to float rounding)."""
    h, s, v = hsv(rgb)
    grid = [-0.999, -0.5, 0, 0.5, 0.999]
    return len({colour_name(h + a * HUE_MARGIN, s + b * SV_MARGIN, v + c * SV_MARGIN)
                for a in grid for b in grid for c in grid}) == 1


def parts(text):
    """(saturation word, value word, base) read back from a name."""
    if text in ("black", "white", "dark gray", "light gray"):
        return "", "", text
    words = text.split()
    assert words[-1] in ("red", "orange", "yellow", "green", "cyan", "blue", "indigo", "purple"), text
    assert len(words) <= 3 and all(w in ("pale", "vivid", "dark", "bright") for w in words[:-1]), text
    sat = next((w for w in words if w in ("pale", "vivid")), "")
    val = next((w for w in words if w in ("dark", "bright")), "")
    return sat, val, words[-1]


def clearly_different(a, b):
    (sa, va, ba), (sb, vb, bb) = parts(a), parts(b)
    return ba != bb or (sa != sb and va != vb)


def describe(start, end):
    a, b = name(start), name(end)
    if a != b:
        return f"transitioning from {a} to {b}"
    return f"transitioning from {'darker to lighter' if hsv(end)[2] > hsv(start)[2] else 'lighter to darker'} {a}"


def phrase_ends(phrase):
    rest = phrase[len("transitioning from "):]
    assert phrase.startswith("transitioning from "), phrase
    for order in ("darker to lighter ", "lighter to darker "):
        if rest.startswith(order):
            return rest[len(order):], rest[len(order):]
    a, b = rest.split(" to ")
    return a, b


HAND_NAMED = {(255, 0, 0): "vivid bright red", (10, 10, 10): "black", (250, 250, 245): "white",
              (100, 100, 104): "dark gray", (190, 190, 196): "light gray",
              (128, 64, 64): "red",              # s 0.5, v 0.5: no modifier
              (40, 40, 90): "dark blue",         # hue exactly 240: blue's bin is (200, 240]
              (0, 204, 102): "vivid green",      # hue exactly 150, value exactly 0.8: not bright
              (200, 150, 150): "pale red",
              (230, 230, 0): "vivid bright orange"}  # hue exactly 60: orange (30, 60], as Game-RL bins it


def test_names_on_hand_picked_colours():
    from gameqa_games import color_hue
    for rgb, expected in HAND_NAMED.items():
        assert name(rgb) == expected and color_hue.name(rgb) == expected, rgb
    assert describe((200, 100, 100), (150, 75, 75)) == "transitioning from lighter to darker red"
    assert describe((0, 0, 90), (200, 0, 0)) == "transitioning from vivid dark blue to vivid red"
    assert phrase_ends("transitioning from darker to lighter pale blue") == ("pale blue", "pale blue")
    assert clearly_different("vivid bright red", "pale dark red") and clearly_different("red", "orange")
    assert not clearly_different("bright red", "vivid bright red") and not clearly_different("red", "pale red")


# ---------------------------------------------------------------------------------------------------------
# The board, replayed from the gradient records

def mixed(a, b, k, steps):
    return [math.floor(Fraction(x) + Fraction(y - x) * k / steps) for x, y in zip(a, b)]


def line_cells(n, kind, index):
    return [(index, i) if kind == "row" else (i, index) for i in range(n)]


def replay(state):
    """The board painted from the records, checking each against the rules; and every equal-step piece, as
    (kind, index, cells)."""
    n = state["size"]
    board = [[None] * n for _ in range(n)]
    at = lambda rc: board[rc[0]][rc[1]]

    def fill(cells, start, end):
        for k, (r, c) in enumerate(cells):
            board[r][c] = mixed(start, end, k, len(cells) - 1)
    pieces = []
    for i, g in enumerate(state["gradients"]):
        kind, index = g["type"], g["index"]
        assert kind in ("row", "column") and 0 <= index < n
        for h in state["gradients"][:i]:
            assert not (h["type"] == kind and abs(h["index"] - index) == 1), "parallel gradients side by side"
            assert (h["type"], h["index"]) != (kind, index), "a line with two gradients"
        cells = line_cells(n, kind, index)
        had = [j for j, rc in enumerate(cells) if at(rc) is not None]
        f, t = cells.index(tuple(g["from_cell"])), cells.index(tuple(g["to_cell"]))
        bend = None
        if not had:
            assert f in (0, 1) and t in (n - 2, n - 1)
            fill(cells[f:t + 1], g["start_rgb"], g["end_rgb"])
        elif len(had) == 1:
            p, base = had[0], list(at(cells[had[0]]))
            assert (f, t) == (0, n - 1)
            if p > 0:
                fill(cells[:p + 1], [math.floor(Fraction(x, 2)) for x in base], base)   # halfway to black
            if p < n - 1:
                fill(cells[p:], base, [math.floor(Fraction(x + 255, 2)) for x in base])  # halfway to white
            bend = p if 0 < p < n - 1 else None
        else:
            assert f in had and had.index(f) + 1 < len(had) and had[had.index(f) + 1] == t and t - f >= 2
            fill(cells[f:t + 1], list(at(cells[f])), list(at(cells[t])))
        assert g["bend_cell"] == (None if bend is None else list(cells[bend]))
        assert g["start_rgb"] == at(cells[f]) and g["end_rgb"] == at(cells[t])
        spans = [(f, bend), (bend, t)] if bend is not None else [(f, t)]
        pieces += [(kind, index, cells[a:b + 1]) for a, b in spans]
    assert board == state["board"]
    assert state["colored"] == [[r, c] for r in range(n) for c in range(n) if board[r][c] is not None]
    assert 1 <= len(state["gradients"]) <= 4
    return board, pieces


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_plot_levels_and_the_board_replays_from_its_records(level):
    sizes = set()
    for seed in range(30):
        state = gameqa.sample_task(GAME, 1, seed, level, render=False)["state"]
        sizes.add(state["size"])
        replay(state)
    assert sizes == SIZES[level]


def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY[GAME].tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (description, qa_type, qa_level, count) in TABLE.items():
        assert (tasks[qid].description, tasks[qid].qa_type, tasks[qid].qa_level) == (description, qa_type, qa_level)
        for seed in range(3):
            s = sample(qid, seed)
            assert len(s["options"]) == count
            assert s["level"] == {"plot_level": gameqa.LEVELS[seed % 3], "qa_level": qa_level, "qa_type": qa_type}
    assert sample(0, 0)["options"] == ["1", "2", "3", "4", "5", "6"]  # the palette numbers, in order


# ---------------------------------------------------------------------------------------------------------
# Task 1: a cell's colour name

def test_color_description():
    for seed in SEEDS:
        s = sample(1, seed)
        st = s["state"]
        board, _ = replay(st)
        r, c = st["target"]
        assert f"What colour is the cell at row {r + 1}, column {c + 1}?" in s["prompt"]
        rgb = board[r][c]
        assert rgb is not None and is_clear(rgb)
        answer = name(rgb)
        assert gold(s) == answer
        assert all(clearly_different(o, answer) for o in s["options"] if o != answer)
        assert rewards.score_gameqa(f"The answer is {s['answer']}", s)["accuracy"] == 1


# ---------------------------------------------------------------------------------------------------------
# Task 2: a line's gradient

def test_gradient_pattern():
    same_name = 0
    for seed in SEEDS:
        s = sample(2, seed)
        st = s["state"]
        board, _ = replay(st)
        g = st["gradients"][st["gradient"]]
        assert f"What is the gradient pattern in {g['type']} {g['index'] + 1}?" in s["prompt"]
        cells = line_cells(st["size"], g["type"], g["index"])
        coloured = [rc for rc in cells if board[rc[0]][rc[1]] is not None]
        j = cells.index(coloured[0])
        assert coloured == cells[j:j + len(coloured)], "the line's coloured cells are one unbroken run"
        assert [coloured[0], coloured[-1]] == [tuple(g["from_cell"]), tuple(g["to_cell"])]
        start, end = board[coloured[0][0]][coloured[0][1]], board[coloured[-1][0]][coloured[-1][1]]
        assert is_clear(start) and is_clear(end)
        answer = describe(start, end)
        if name(start) == name(end):
            same_name += 1
            assert abs(hsv(start)[2] - hsv(end)[2]) >= 0.1
        assert gold(s) == answer
        for option in s["options"]:
            if option != answer:
                assert any(clearly_different(o, a) for o, a in zip(phrase_ends(option), phrase_ends(answer))), option
    assert same_name < len(SEEDS) // 2


# ---------------------------------------------------------------------------------------------------------
# Task 0: which palette colour fills a blanked cell

def reader(board, n, hidden, cell, kind):
    """Nearest visible cells around `cell` in its unbroken run of non-blank cells along the line, else the two
    nearest on one side: (their cells, the colour extended to `cell`) or None."""
    cells = line_cells(n, kind, cell[0] if kind == "row" else cell[1])
    i = cells.index(cell)
    blank = [j for j, rc in enumerate(cells) if board[rc[0]][rc[1]] is None]
    lo = max([j for j in blank if j < i], default=-1) + 1
    hi = min([j for j in blank if j > i], default=n)
    left = [j for j in range(lo, i) if cells[j] not in hidden]
    right = [j for j in range(i + 1, hi) if cells[j] not in hidden]
    if left and right:
        a, b = left[-1], right[0]
    elif len(left) > 1 or len(right) > 1:
        a, b = left[-2:] if len(left) > 1 else right[:2]
    else:
        return None
    ca, cb = board[cells[a][0]][cells[a][1]], board[cells[b][0]][cells[b][1]]
    return {cells[a], cells[b]}, [x + (y - x) * (i - a) / (b - a) for x, y in zip(ca, cb)]


def least_squares(board, piece, hidden, cell):
    """Each channel fitted by a line through every visible cell of the piece, read at `cell`."""
    xs = [j for j, rc in enumerate(piece) if rc not in hidden]
    mx = sum(xs) / len(xs)
    out = []
    for ch in range(3):
        ys = [board[piece[j][0]][piece[j][1]][ch] for j in xs]
        my = sum(ys) / len(ys)
        slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
        out.append(my + slope * (piece.index(cell) - mx))
    return out


def dist(a, b):
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b)))


def test_color_matching():
    labels_seen = set()
    for seed in SEEDS:
        s = sample(0, seed)
        st = s["state"]
        board, pieces = replay(st)
        n, palette, fill = st["size"], st["palette"], st["cells_to_fill"]
        hidden = {tuple(rc) for rc in fill.values()}
        assert 3 <= len(fill) <= 6 and list(fill) == list("PQRSTU"[:len(fill)])
        assert len(palette) == 6
        assert all(dist(a, b) >= PALETTE_GAP for i, a in enumerate(palette) for b in palette[i + 1:])
        for label, (r, c) in fill.items():
            assert st["removed_rgb"][label] == board[r][c] and palette.count(board[r][c]) == 1
            own = palette.index(board[r][c])
            seen = [reader(board, n, hidden, (r, c), kind) for kind in ("row", "column")]
            assert any(seen), f"cell {label} cannot be inferred"
            for found in filter(None, seen):
                used, colour = found
                assert any(used | {(r, c)} <= set(p) for _, _, p in pieces), "the reader would be misled"
                d = sorted(dist(colour, rgb) for rgb in palette)
                assert dist(colour, palette[own]) == d[0] and d[1] - d[0] >= MATCH_MARGIN
            fits = [least_squares(board, p, hidden, (r, c)) for _, _, p in pieces
                    if (r, c) in p and sum(rc not in hidden for rc in p) >= 2]
            assert fits and all(min(range(6), key=lambda k: dist(f, palette[k])) == own for f in fits)
        label = st["target_label"]
        labels_seen.add(label)
        r, c = fill[label]
        assert f"Which palette colour belongs in cell {label}?" in s["prompt"]
        assert gold(s) == str(palette.index(board[r][c]) + 1)
        assert f"Cell {label} is at row {r + 1}, column {c + 1}." in s["analysis"]
        assert rewards.score_gameqa(f"The answer is {s['answer']}", s)["accuracy"] == 1
    assert labels_seen >= set("PQR")


# ---------------------------------------------------------------------------------------------------------
# The image

def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_image_shows_the_state_and_same_seed_same_bytes():
    """60-px cells from (30, 30): a coloured cell's colour inside a 2-px white inset, a blank cell light grey
    (245) with grey (200) hatching, a blanked cell white with a dark letter; the palette's 6 swatches, left to
    right, 40 px under the board."""
    for qid in TABLE:
        for seed in range(3):
            a, b = sample(qid, seed, render=True), sample(qid, seed, render=True)
            assert png(a["images"][0]) == png(b["images"][0])
            assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
            image, st = a["images"][0], a["state"]
            n = st["size"]
            hidden = {tuple(rc) for rc in st["cells_to_fill"].values()}
            assert image.size == (60 * n + 40, 60 * n + (130 if qid == 0 else 40))
            for r in range(n):
                for c in range(n):
                    x, y = 30 + 60 * c, 30 + 60 * r
                    box = {image.getpixel((x + i, y + j)) for i in range(3, 57, 2) for j in range(3, 57, 2)}
                    if (r, c) in hidden:
                        assert image.getpixel((x + 4, y + 4)) == (255, 255, 255)
                        assert any(sum(p) < 150 for p in box), "no letter drawn"
                    elif st["board"][r][c] is None:
                        assert {(245, 245, 245), (200, 200, 200)} <= box
                    else:
                        assert box == {tuple(st["board"][r][c])}
                        assert image.getpixel((x + 1, y + 1)) == (255, 255, 255)
                        assert image.getpixel((x, y + 30)) == (0, 0, 0)
            if qid == 0:
                slot = image.size[0] // 6
                for k, rgb in enumerate(st["palette"]):
                    assert image.getpixel((k * slot + slot // 2, 30 + 60 * n + 60)) == tuple(rgb)
            else:
                assert st["palette"] == [] and st["cells_to_fill"] == {}
