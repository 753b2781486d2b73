"""Rubik's Cube: the task table against Game-RL's, and every task's answer re-derived from the record's `state`
by code written here. The cube model here is a different construction from the module's: hand-written strip
cycles for each face turn (the module rotates stickers in 3D). It is checked against known facts of the real
cube: every turn has order 4, R U has order 105, R U R' U' has order 6, and 12, 114 and 1,068 positions lie
at exactly 1, 2 and 3 quarter turns from solved. The fewest-moves answers are checked by trying every move
sequence of each length, and the image is checked pixel by pixel against the state."""
import io
import json
from itertools import product

import pytest

import gameqa
from gameqa_games import rubiks_cube
from gameqa_testing import gold

SEEDS = range(120)  # spread over the three plot levels: seed % 3
SCRAMBLE = {"Easy": 1, "Medium": 2, "Hard": 3}
FACES = ("U", "D", "L", "R", "F", "B")
COLOURS = ("yellow", "white", "orange", "red", "blue", "green")
NAMES = {"U": "Up", "D": "Down", "L": "Left", "R": "Right", "F": "Front", "B": "Back"}
EXTRA = {"purple", "pink", "brown", "gray", "black", "cyan", "magenta"}
MOVES = [f + p for p in ("", "'") for f in "FBLRUD"]

# question_id: (qa_type, qa_level); every task is multiple choice with 8 options
TABLE = {1: ("Target Perception", "Easy"), 2: ("State Prediction", "Medium"), 3: ("State Prediction", "Hard"),
         4: ("Strategy Optimization", "Hard"), 5: ("Target Perception", "Easy")}


def sample(qid, seed, render=False):
    return gameqa.sample_task("rubiks_cube", qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid):
    return [sample(qid, seed) for seed in SEEDS]


# ---------------------------------------------------------------------------------------------------------
# An independent cube: faces as 3×3 lists (row 0 at the top of each face as the net draws it), each clockwise
# turn as the face's own rotation plus four strips passed on around it. A strip is (face, "row" | "col", k),
# read in increasing index; `flip` says the next strip receives it in reverse order.

CYCLES = {  # (strip, flip into the next) in the direction the stickers travel
    "F": [(("U", "row", 2), False), (("R", "col", 0), True), (("D", "row", 0), False), (("L", "col", 2), True)],
    "B": [(("U", "row", 0), True), (("L", "col", 0), False), (("D", "row", 2), True), (("R", "col", 2), False)],
    "R": [(("U", "col", 2), True), (("B", "col", 0), True), (("D", "col", 2), False), (("F", "col", 2), False)],
    "L": [(("U", "col", 0), False), (("F", "col", 0), False), (("D", "col", 0), True), (("B", "col", 2), True)],
    "U": [(("F", "row", 0), False), (("L", "row", 0), False), (("B", "row", 0), False), (("R", "row", 0), False)],
    "D": [(("F", "row", 2), False), (("R", "row", 2), False), (("B", "row", 2), False), (("L", "row", 2), False)],
}


def read(faces, strip):
    face, kind, k = strip
    return [faces[face][k][i] for i in range(3)] if kind == "row" else [faces[face][i][k] for i in range(3)]


def write(faces, strip, values):
    face, kind, k = strip
    for i in range(3):
        if kind == "row":
            faces[face][k][i] = values[i]
        else:
            faces[face][i][k] = values[i]


def turn(faces, move):
    """A new faces dict after one move; a primed move is three clockwise turns."""
    for _ in range(3 if move.endswith("'") else 1):
        f = move[0]
        old = {k: [row[:] for row in v] for k, v in faces.items()}
        faces = {k: [row[:] for row in v] for k, v in faces.items()}
        faces[f] = [[old[f][2 - c][r] for c in range(3)] for r in range(3)]  # clockwise as seen from outside
        cycle = CYCLES[f]
        for k, (strip, flip) in enumerate(cycle):
            values = read(old, strip)
            write(faces, cycle[(k + 1) % 4][0], values[::-1] if flip else values)
    return faces


def solved_faces():
    return {f: [[k] * 3 for _ in range(3)] for k, f in enumerate(FACES)}


def labelled():
    """Every sticker a different label, so that equal states mean equal permutations."""
    return {f: [[9 * k + 3 * r + c for c in range(3)] for r in range(3)] for k, f in enumerate(FACES)}


def flat(faces):
    return tuple(x for f in FACES for row in faces[f] for x in row)


# The test model's turns as permutations of the 54 stickers, for the brute-force searches.
PERM = {}
for _m in MOVES:
    _after = flat(turn(labelled(), _m))
    PERM[_m] = _after  # after the move, sticker i holds what sticker _after[i] held


def apply(state, move):
    return tuple(state[j] for j in PERM[move])


def one_colour(state, face):
    k = FACES.index(face)
    return len(set(state[9 * k:9 * k + 9])) == 1


def fewest(state, goal, deepest=4):
    """The fewest moves reaching `goal`, by trying every sequence of each length in turn."""
    for n in range(deepest + 1):
        for seq in product(MOVES, repeat=n):
            s = state
            for m in seq:
                s = apply(s, m)
            if goal(s):
                return n
    raise AssertionError("no solution within the depth searched")


def order(seq):
    start = s = flat(labelled())
    for n in range(1, 1000):
        for m in seq:
            s = apply(s, m)
        if s == start:
            return n


def test_the_test_cube_is_a_real_cube():
    assert all(order([m]) == 4 for m in MOVES)
    assert all(order([m[0], m[0] + "'"]) == 1 for m in "FBLRUD")
    assert order(["R", "U"]) == 105 and order(["R", "U", "R'", "U'"]) == 6
    seen, frontier, counts = {flat(labelled())}, [flat(labelled())], []
    for _ in range(3):
        frontier = [t for s in frontier for t in (apply(s, m) for m in MOVES)]
        frontier = list(dict.fromkeys(t for t in frontier if t not in seen))
        seen.update(frontier)
        counts.append(len(frontier))
    assert counts == [12, 114, 1068]  # positions at exactly 1, 2, 3 quarter turns from solved


def test_the_module_turns_the_cube_as_the_test_cube_does():
    start = flat(labelled())
    for m in MOVES:
        assert tuple(start[j] for j in rubiks_cube.MOVE_PERMUTATIONS[m]) == PERM[m], m


def faces_of(state):
    faces = state["faces"]
    assert sorted(faces) == sorted(FACES) and state["colour_ids"] == list(COLOURS)
    return {f: [list(row) for row in faces[f]] for f in FACES}


def check_scramble(state, level):
    """The drawn cube is the solved cube after the recorded scramble, of the level's length, and not solved."""
    assert len(state["scramble"]) == SCRAMBLE[level] and set(state["scramble"]) <= set(MOVES)
    faces = solved_faces()
    for m in state["scramble"]:
        faces = turn(faces, m)
    assert faces == faces_of(state)
    assert not all(one_colour(flat(faces), f) for f in FACES)


# ---------------------------------------------------------------------------------------------------------
# The table and the levels

def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY["rubiks_cube"].tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (qa_type, qa_level) in TABLE.items():
        assert (tasks[qid].qa_type, tasks[qid].qa_level) == (qa_type, qa_level), qid
        for seed in range(6):
            s = sample(qid, seed)
            assert len(s["options"]) == 8, (qid, seed)
            assert s["level"] == {"plot_level": gameqa.LEVELS[seed % 3], "qa_level": qa_level, "qa_type": qa_type}
    assert tasks[1].description == "Identify colors on specific positions"
    assert tasks[2].description == "Predict the cube state after performing specific moves"
    assert tasks[4].description == "Determine optimal move sequence to solve the cube"
    assert tasks[5].description == "Count specific colors on a face"
    assert "face" in tasks[3].description  # ours: Game-RL's names a different question (deviation 6)


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_plot_levels_scramble_1_2_3_moves_and_never_leave_the_cube_solved(level):
    for seed in range(40):
        check_scramble(gameqa.sample_task("rubiks_cube", 1, seed, level, render=False)["state"], level)


RGB = {"yellow": (255, 215, 0), "white": (255, 255, 255), "orange": (255, 140, 0), "red": (205, 20, 30),
       "blue": (20, 80, 220), "green": (0, 155, 70)}
NET = {"U": (1, 0), "L": (0, 1), "F": (1, 1), "R": (2, 1), "B": (3, 1), "D": (1, 2)}  # the net's layout


def centre_3d(face, r, c):
    """Where sticker (r, c) of `face` sits, x right, y up, z out of F, each face as seen from outside."""
    return {"U": (c - 1, 1.5, r - 1), "D": (c - 1, -1.5, 1 - r), "F": (c - 1, 1 - r, 1.5),
            "B": (1 - c, 1 - r, -1.5), "R": (1.5, 1 - r, 1 - c), "L": (-1.5, 1 - r, c - 1)}[face]


def test_image_shows_the_state_and_same_seed_same_bytes():
    """The net's stickers (40 px, faces 146 px apart after a 26-px margin) and the two 3D views' sticker
    centres (42 px a unit, orthographic from (1, 1, 1) and (-1, -1, -1)) have the state's colours."""
    for seed, level in enumerate(gameqa.LEVELS):
        for qid in (2, 4):
            a, b = (gameqa.sample_task("rubiks_cube", qid, seed, level) for _ in range(2))
            pngs = []
            for s in (a, b):
                buffer = io.BytesIO()
                s["images"][0].save(buffer, format="PNG")
                pngs.append(buffer.getvalue())
            assert pngs[0] == pngs[1]
            assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
            image, faces = a["images"][0], faces_of(a["state"])
            assert max(image.size) <= 900
            for f, (col, row) in NET.items():
                for r in range(3):
                    for c in range(3):
                        x, y = 26 + col * 146 + c * 40 + 10, 26 + row * 146 + r * 40 + 10
                        assert image.getpixel((x, y)) == RGB[COLOURS[faces[f][r][c]]], (f, r, c)
            for view, (eye, shown) in enumerate((((1, 1, 1), "UFR"), ((-1, -1, -1), "DBL"))):
                ox, oy = 610 + 10 + 115, 12 + view * 265 + 135
                for f in shown:
                    for r, c in product(range(3), range(3)):
                        if (r, c) == (1, 1):
                            continue  # the face's letter is written there
                        x, y, z = centre_3d(f, r, c)
                        sx = (x - z) / 2 ** 0.5 if eye[0] > 0 else (z - x) / 2 ** 0.5
                        sy = -(2 * y - x - z) / 6 ** 0.5
                        pixel = image.getpixel((round(ox + 42 * sx), round(oy + 42 * sy)))
                        assert pixel == RGB[COLOURS[faces[f][r][c]]], (view, f, r, c)


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_colour_at_a_position():
    for s in samples(1):
        st = s["state"]
        answer = COLOURS[faces_of(st)[st["face"]][st["row"]][st["col"]]]
        assert gold(s) == answer
        assert f"position ({st['row']}, {st['col']}) on the {NAMES[st['face']]} face" in s["prompt"]
        assert set(s["options"]) - {answer} <= (set(COLOURS) | EXTRA)


def test_colour_after_moves():
    for seed, s in zip(SEEDS, samples(2)):
        st = s["state"]
        check_scramble(st, gameqa.LEVELS[seed % 3])
        moves = st["moves"]
        assert 1 <= len(moves) <= 5
        assert (f"After the move {moves[0]} on" if len(moves) == 1 else f"After the moves {' '.join(moves)},") in s["prompt"]
        faces = faces_of(st)
        for m in st["moves"]:
            faces = turn(faces, m)
        answer = COLOURS[faces[st["face"]][st["row"]][st["col"]]]
        assert gold(s) == answer
        assert set(s["options"]) - {answer} <= (set(COLOURS) | EXTRA)


def check_count_options(s, answer):
    values = sorted(int(o) for o in s["options"])
    assert all(max(1, answer - 3) <= v <= answer + 10 for v in values)


def test_fewest_moves_to_solve_one_face():
    answers = set()
    for s in samples(3):
        st = s["state"]
        state = flat(faces_of(st))
        assert not one_colour(state, st["face"])
        answer = fewest(state, lambda t: one_colour(t, st["face"]))
        assert gold(s) == str(answer)
        check_count_options(s, answer)
        answers.add(answer)
    assert answers == {1, 2, 3}


def test_fewest_moves_to_solve_the_cube():
    for seed, s in zip(SEEDS, samples(4)):
        state = flat(faces_of(s["state"]))
        answer = fewest(state, lambda t: all(one_colour(t, f) for f in FACES))
        assert answer <= SCRAMBLE[gameqa.LEVELS[seed % 3]]
        assert gold(s) == str(answer)
        check_count_options(s, answer)


def test_colour_count():
    for s in samples(5):
        st = s["state"]
        colour = COLOURS.index(st["colour"])
        answer = sum(row.count(colour) for row in faces_of(st)[st["face"]])
        assert 1 <= answer <= 9 and gold(s) == str(answer)
        assert f"How many {st['colour']} squares are there on the {NAMES[st['face']]} face?" in s["prompt"]
        near = [v for v in range(max(0, answer - 4), min(9, answer + 5)) if v != answer][:7]  # Game-RL's pool
        values = {int(o) for o in s["options"]}
        assert set(near) <= values and all(0 <= v <= 9 for v in values)

