"""Rubik's Cube, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `rubiks_cube`, 3D spatial perception
and understanding, in-domain.

The game. A 3×3×3 cube with six faces: Up (U), Down (D), Left (L), Right (R), Front (F) and Back (B), solved as
U yellow, D white, L orange, R red, F blue, B green. A move turns one face a quarter turn: F B L R U D
clockwise, F' B' L' R' U' D' counterclockwise, both as seen looking straight at that face from outside the
cube. The face's 9 stickers turn with it, and so does the strip of 3 stickers on each of its four neighbours
that borders it. There are no half turns: "F F" is two moves. A face is solved when its 9 stickers share one
colour; the cube is solved when every face is. The cube is drawn from the solved one by 1, 2 or 3 uniformly
random moves (plot level Easy, Medium, Hard).

Coordinates. The image is an unfolded net: L F R B left to right in the middle band, U above F, D below F.
Every face is drawn as seen from outside the cube: L F R B with their top rows along U, U with its bottom row
along F's top row, D with its top row along F's bottom row. A position on a face is (row, column), both 0..2,
row 0 at the top of the face as drawn and column 0 on its left; every face in the net carries these tick
labels. Two 3D views on the right show the same cube: U, F, R from above-front-right and D, B, L from
below-back-left. The state keeps Game-RL's fields: `faces` (face letter -> 3×3 colour ids, 0 yellow,
1 white, 2 orange, 3 red, 4 blue, 5 green; faces[f][row][column] in our convention) and `scramble`.

The tasks are Game-RL's five (its question ids, descriptions and levels), all multiple choice with 8 options:
  1 colour at (row, column) on a face (TP, Easy)      2 that colour after 1-5 more moves (SP, Medium)
  3 fewest moves to solve one face (SP, Hard)         4 fewest moves to solve the cube (SO, Hard)
  5 how many stickers of a colour a face has (TP, Easy)

Deviations from Game-RL:
  1. The moves are real cube turns. Game-RL's move function turns U and D correctly, but F and B skip the
     reversal of two of the four strips they carry, and L and R cycle their strips against their own face's
     turn, so its cube is not a physical one: on task 2 it disagrees with a real cube on about a quarter of
     the answers. Ours turns the stickers in 3D (`MOVE_PERMUTATIONS`), so every move is a rotation of a layer.
  2. The net is drawn unmirrored (U above F, D below), and rows count from the top of each face. Game-RL
     draws D above F and U below, a vertical mirror in which a clockwise turn looks counterclockwise, and
     counts rows from the bottom. Every face carries its own tick labels.
  3. A scramble that leaves the cube solved (X then X', about 1 Medium cube in 12) is drawn again. Game-RL
     keeps it: task 3 then fails, and task 4 turns the cube R U after the image is drawn, so the question,
     and task 5 after it, describe a cube that is not the one shown. Our state never changes after it is drawn.
  4. Tasks 3 and 4 are solved by a plain breadth-first search over whole-cube states, which is the true
     fewest number of moves. Game-RL's search prunes any move that lowers the count of stickers matching
     their centre and, for task 3, merges states with the same target face; neither is a shortest-path
     search, and its task-3 search can end with no answer and crash. Their analysis gives the search
     depth by depth (every move at depth 1, counts of new and already-seen states deeper), not every move
     tried at depth 3.
  5. Tasks 3 and 4 are asked at every plot level, Hard included. Game-RL skips them on Hard cubes; the
     search to depth 3 costs under 2,000 states, and Hard cubes add answers of 3.
  6. Task 3's description is ours, "Find the minimum number of moves to solve one face": Game-RL's, "Find the
     sequence of moves between two cube states", describes a different question. Its qa_type and qa_level
     (State Prediction, Hard) are those of Game-RL's released example data.
  7. The question texts are our own words: they state what a move turns and which way, the net's layout and
     the coordinate convention, and say "the Front face" once (Game-RL writes "the Front face face").
  8. The two 3D views are orthographic drawings of the same stickers, so they agree with the net. Game-RL's
     matplotlib views lay F in the horizontal plane and tell the reader to ignore their handedness.
  9. The record's `state` keeps each question's parameters: the face and (row, column) of tasks 1 and 2, the
     move list of task 2, the face of task 3, the face and colour of task 5.
  10. Kept on purpose: Game-RL's option pools. Tasks 1 and 2 draw their 7 wrong colours from the 5 other cube
      colours and 7 that no cube sticker has (purple, pink, brown, gray, black, cyan, magenta). Tasks 3 and 4
      draw 7 distinct integers from [max(1, n − 3), n + 10], so the gold n (1 to 3) is always among the
      smallest options; the answers themselves are nearly always the scramble's length.
  11. Engine-wide (gameqa.py): options lettered A-H and shuffled, the gold a letter (Game-RL numbers them [1]-[8]).
"""
from functools import lru_cache

from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, Budget, GiveUp, font

SCRAMBLE_LENGTH = {"Easy": 1, "Medium": 2, "Hard": 3}
OPTIONS = 8
FACES = ("U", "D", "L", "R", "F", "B")  # Game-RL's order; face k is solved in colour k
FACE_NAMES = {"U": "Up", "D": "Down", "L": "Left", "R": "Right", "F": "Front", "B": "Back"}
COLOURS = ("yellow", "white", "orange", "red", "blue", "green")
NON_CUBE_COLOURS = ("purple", "pink", "brown", "gray", "black", "cyan", "magenta")  # Game-RL's q1/q2 decoys
MOVES = ("F", "B", "L", "R", "U", "D", "F'", "B'", "L'", "R'", "U'", "D'")  # Game-RL's search order
SEARCH_BUDGET = 5_000  # states generated by one search; depth 3 generates at most 12 + 144 + 1,728


# ---------------------------------------------------------------------------------------------------------
# The cube in 3D: x to the right, y up, z towards the viewer (out of F). Each face is given by its outward
# normal and, as the net draws it seen from outside, the directions of "right" (column + 1) and "down"
# (row + 1). Sticker (face, row, column) sits on the cubie at normal + (column − 1)·right + (row − 1)·down.

FRAMES = {  # face: (normal, right, down)
    "U": ((0, 1, 0), (1, 0, 0), (0, 0, 1)),     # seen from above, F at the bottom of the picture
    "D": ((0, -1, 0), (1, 0, 0), (0, 0, -1)),   # seen from below, F at the top of the picture
    "L": ((-1, 0, 0), (0, 0, 1), (0, -1, 0)),
    "R": ((1, 0, 0), (0, 0, -1), (0, -1, 0)),
    "F": ((0, 0, 1), (1, 0, 0), (0, -1, 0)),
    "B": ((0, 0, -1), (-1, 0, 0), (0, -1, 0)),
}


def add(*vectors):
    return tuple(sum(v[i] for v in vectors) for i in range(3))


def scale(k, v):
    return tuple(k * x for x in v)


def dot(a, b):
    return sum(x * y for x, y in zip(a, b))


def cross(a, b):
    return (a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0])


def index(face, row, col):
    return FACES.index(face) * 9 + 3 * row + col


def cubie(face, row, col):
    normal, right, down = FRAMES[face]
    return add(normal, scale(col - 1, right), scale(row - 1, down))


STICKERS = [(face, row, col) for face in FACES for row in range(3) for col in range(3)]  # by index
PLACE = {(cubie(*sticker), FRAMES[sticker[0]][0]): i for i, sticker in enumerate(STICKERS)}  # (cubie, normal) -> index


def quarter_turn(face):
    """The permutation of one clockwise turn of `face`: after it, sticker i holds what sticker perm[i] held.
    Clockwise seen from outside is a rotation by −90° about the outward normal n, v -> n(n·v) − n×v."""
    n = FRAMES[face][0]
    turn = lambda v: add(scale(dot(n, v), n), scale(-1, cross(n, v)))
    perm = list(range(54))
    for (place, normal), i in PLACE.items():
        if dot(place, n) == 1:  # the layer of this face
            perm[PLACE[(turn(place), turn(normal))]] = i
    return tuple(perm)


def counter_turn(perm):
    """Three clockwise turns are one counterclockwise turn."""
    twice = tuple(perm[j] for j in perm)
    return tuple(twice[j] for j in perm)


MOVE_PERMUTATIONS = {f: quarter_turn(f) for f in FACES}
MOVE_PERMUTATIONS.update({f + "'": counter_turn(MOVE_PERMUTATIONS[f]) for f in FACES})


# ---------------------------------------------------------------------------------------------------------
# The game: state and moves

class Cube:
    def __init__(self, stickers, scramble=()):
        self.stickers, self.scramble = tuple(stickers), tuple(scramble)

    def move(self, name):
        """The cube after one move ("F", "R'", …); the scramble records only how the drawn cube was made."""
        perm = MOVE_PERMUTATIONS[name]
        return Cube([self.stickers[j] for j in perm], self.scramble)

    def face(self, face):
        return [[self.stickers[index(face, r, c)] for c in range(3)] for r in range(3)]

    def colour(self, face, row, col):
        return COLOURS[self.stickers[index(face, row, col)]]

    def to_json(self):
        return {"faces": {f: self.face(f) for f in FACES}, "colour_ids": list(COLOURS), "scramble": list(self.scramble)}


SOLVED = tuple(k for k in range(6) for _ in range(9))


def face_solved(stickers, face):
    start = FACES.index(face) * 9
    return len(set(stickers[start:start + 9])) == 1


def cube_solved(stickers):
    return all(face_solved(stickers, f) for f in FACES)


def new_state(rng, plot_level):
    for _ in range(100):  # a cancelling scramble (X X') is 1 in 12 at Medium: 100 draws never all fail
        scramble = [rng.choice(MOVES) for _ in range(SCRAMBLE_LENGTH[plot_level])]
        cube = Cube(SOLVED)
        for name in scramble:
            cube = cube.move(name)
        if not cube_solved(cube.stickers):  # deviation 3
            return Cube(cube.stickers, scramble)
    raise RuntimeError(f"no unsolved {plot_level} scramble in 100 draws")


def fewest_moves(cube, goal, what):
    """Breadth-first search over whole-cube states, moves in Game-RL's order, for the nearest state where
    goal(stickers) holds. Returns (log lines, the move list)."""
    budget = Budget(SEARCH_BUDGET)
    seen, layer, lines = {cube.stickers}, [(cube.stickers, [])], []
    for depth in range(1, 20):
        nxt, repeats = [], 0
        if depth == 1:
            lines.append("Depth 1, every move from the cube as drawn:")
        for stickers, path in layer:
            for name in MOVES:
                budget.tick()
                child = tuple(stickers[j] for j in MOVE_PERMUTATIONS[name])
                if child in seen:
                    repeats += 1
                    if depth == 1:
                        lines.append(f"  {name}: a state already seen.")
                    continue
                seen.add(child)
                if goal(child):
                    lines.append(f"  {name}: {what} is solved." if depth == 1 else
                                 f"Depth {depth}, the 12 moves from each of the {len(layer)} states of depth {depth - 1}: "
                                 f"after {len(nxt)} new states that solve nothing and {repeats} already seen, "
                                 f"{' '.join(path + [name])} solves {what}.")
                    return lines, path + [name]
                if depth == 1:
                    lines.append(f"  {name}: a new state; {what} is not solved.")
                nxt.append((child, path + [name]))
        if depth > 1:
            lines.append(f"Depth {depth}, the 12 moves from each of the {len(layer)} states of depth {depth - 1}: "
                         f"{len(nxt)} new states, {repeats} already seen; none solves {what}.")
        layer = nxt
    raise GiveUp("no solution within 19 moves")  # unreachable: the scramble's inverse solves it in 3 or fewer


# ---------------------------------------------------------------------------------------------------------
# The image: the net on the left with tick labels on every face, two 3D views on the right.

RGB = {"yellow": (255, 215, 0), "white": (255, 255, 255), "orange": (255, 140, 0), "red": (205, 20, 30),
       "blue": (20, 80, 220), "green": (0, 155, 70)}
BACKGROUND = (228, 228, 228)
S, GAP = 40, 26                 # net sticker side, gap between faces (room for tick labels)
NET_SLOT = {"U": (1, 0), "L": (0, 1), "F": (1, 1), "R": (2, 1), "B": (3, 1), "D": (1, 2)}  # (column, row) in the net
VIEW_UNIT = 42                  # pixels per sticker edge in the 3D views
VIEWS = (("Front view: U, F, R", (1, 1, 1)), ("Back view: D, B, L (from below)", (-1, -1, -1)))  # camera direction


def face_origin(face):
    col, row = NET_SLOT[face]
    return GAP + col * (3 * S + GAP), GAP + row * (3 * S + GAP)


def project(point, eye):
    """Orthographic projection for a camera on the `eye` side of the cube, y up on the screen, in sticker units."""
    forward = scale(-1, eye)
    right = cross(forward, (0, 1, 0))
    up = cross(right, forward)
    norm = lambda v: dot(v, v) ** 0.5
    return dot(point, right) / norm(right), -dot(point, up) / norm(up)


def view_shapes(eye):
    """The 3D view's drawing for a camera on the `eye` side: the quads of the 27 stickers it sees and where
    each of its 3 faces' letters goes, as pixel offsets from the view's centre. It is the same for every cube."""
    stickers, letters = [], []
    for face in FACES:
        normal, right, down = FRAMES[face]
        if dot(normal, eye) <= 0:
            continue  # a face turned away from this camera
        centre = scale(1.5, normal)
        for r in range(3):
            for c in range(3):
                corner = add(centre, scale(c - 1.5, right), scale(r - 1.5, down))
                quad = [add(corner, scale(dc, right), scale(dr, down)) for dr, dc in ((0, 0), (0, 1), (1, 1), (1, 0))]
                stickers.append((face, r, c, [tuple(VIEW_UNIT * v for v in project(p, eye)) for p in quad]))
        letters.append((face, tuple(VIEW_UNIT * v for v in project(centre, eye))))
    return stickers, letters


VIEW_SHAPES = [(title, view_shapes(eye)) for title, eye in VIEWS]


NET_W, NET_H = GAP + 4 * (3 * S + GAP), GAP + 3 * (3 * S + GAP)
VIEW_CENTRES = [(NET_W + 125, 147 + k * 265) for k in range(len(VIEWS))]  # each view's title sits 135 px above


@lru_cache(maxsize=1)
def blank_canvas():
    """What every cube's image shares, drawn once: the background, the tick labels, the caption, the titles."""
    image = Image.new("RGB", (NET_W + 250, max(NET_H + 40, 540)), BACKGROUND)
    draw = ImageDraw.Draw(image)
    ticks = font(15)
    for face in FACES:
        x0, y0 = face_origin(face)
        for k in range(3):
            draw.text((x0 + k * S + S / 2, y0 - GAP / 2), str(k), fill="black", font=ticks, anchor="mm")  # column
            draw.text((x0 - GAP / 2, y0 + k * S + S / 2), str(k), fill="black", font=ticks, anchor="mm")  # row
    draw.text((GAP, NET_H + 8), "Each face: (row, column), row 0 at the top, column 0 on the left, as drawn here.",
              fill="black", font=ticks)
    for (title, _), (cx, cy) in zip(VIEW_SHAPES, VIEW_CENTRES):
        draw.text((cx, cy - 135), title, fill="black", font=font(16), anchor="mt")
    return image


def render(state):
    image = blank_canvas().copy()
    draw = ImageDraw.Draw(image)
    letter = font(20)

    def label(xy, face):  # the face's letter, black on a white halo so that it reads on every colour
        draw.text(xy, face, fill="black", font=letter, anchor="mm", stroke_width=2, stroke_fill="white")
    for face in FACES:
        x0, y0 = face_origin(face)
        for r in range(3):
            for c in range(3):
                box = (x0 + c * S, y0 + r * S, x0 + (c + 1) * S, y0 + (r + 1) * S)
                draw.rectangle(box, fill=RGB[state.colour(face, r, c)], outline="black", width=2)
        label((x0 + 1.5 * S, y0 + 1.5 * S), face)
    for (_, (stickers, letters)), (cx, cy) in zip(VIEW_SHAPES, VIEW_CENTRES):
        for face, r, c, quad in stickers:
            draw.polygon([(cx + x, cy + y) for x, y in quad], fill=RGB[state.colour(face, r, c)], outline="black", width=2)
        for face, (x, y) in letters:
            label((cx + x, cy + y), face)
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

INTRO = ("**Rules:**\n"
         "1. This is a Rubik's cube with six faces: Up (U), Down (D), Left (L), Right (R), Front (F) and Back (B). "
         "The image shows it unfolded as a net (left) and in two 3D views (right): U, F and R from above, and D, B "
         "and L from below and behind.\n"
         "2. In the net, the middle band shows L, F, R and B from left to right, U is drawn above F and D below F. "
         "Every face is drawn as seen looking straight at it from outside the cube: L, F, R and B with their top "
         "rows along U, U with its bottom row along the top row of F, and D with its top row along the bottom row "
         "of F.\n"
         "3. A position on a face is written (row, column): rows are numbered 0 to 2 from the top of the face as "
         "drawn in the net and columns 0 to 2 from its left, as the labels beside every face show.\n"
         "4. A move turns one face a quarter turn: F, B, L, R, U or D turns that face clockwise, and F', B', L', "
         "R', U' or D' turns it counterclockwise, both as seen looking straight at that face from outside the "
         "cube. The 9 stickers of the face turn with it, and so does the strip of 3 stickers along that face's "
         "edge on each of its four neighbouring faces. There are no half turns: turning a face twice is two moves.\n"
         "5. A face is solved when its 9 stickers all have one colour; the cube is solved when every face is.\n\n"
         "**Question:** ")


def face_listing(cube, face):
    rows = [f"Row {r}: " + ", ".join(f"({r}, {c}) {cube.colour(face, r, c)}" for c in range(3)) for r in range(3)]
    return f"The {FACE_NAMES[face]} face, row by row:\n" + "\n".join(rows)


def colour_decoys(rng, gold):
    pool = [c for c in COLOURS if c != gold] + list(NON_CUBE_COLOURS)
    return rng.sample(pool, OPTIONS - 1)


def colour_at(rng, cube):
    face, row, col = rng.choice(FACES), rng.randrange(3), rng.randrange(3)
    gold = cube.colour(face, row, col)
    question = INTRO + f"What colour is at position ({row}, {col}) on the {FACE_NAMES[face]} face?"
    analysis = face_listing(cube, face) + f"\nSo position ({row}, {col}) on the {FACE_NAMES[face]} face is {gold}."
    return QA(question, analysis, gold, colour_decoys(rng, gold), {"face": face, "row": row, "col": col})


def colour_after_moves(rng, cube):
    moves = [rng.choice(MOVES) for _ in range(rng.randint(1, 5))]
    face, row, col = rng.choice(FACES), rng.randrange(3), rng.randrange(3)
    at = index(face, row, col)
    lines = [f"Position ({row}, {col}) on the {FACE_NAMES[face]} face starts {cube.colour(face, row, col)}."]
    now = cube
    for k, name in enumerate(moves, 1):
        source = MOVE_PERMUTATIONS[name][at]  # the sticker that this move brings to the position
        before, now = now.colour(face, row, col), now.move(name)
        if source == at:
            lines.append(f"Move {k}, {name}: the position does not move; it stays {before}.")
        else:
            f, r, c = STICKERS[source]
            change = "so it stays" if now.colour(face, row, col) == before else f"so it changes from {before} to"
            lines.append(f"Move {k}, {name}: the position now holds the sticker that was at ({r}, {c}) on the "
                         f"{FACE_NAMES[f]} face, {change} {now.colour(face, row, col)}.")
    gold = now.colour(face, row, col)
    done = f"the move {moves[0]}" if len(moves) == 1 else f"the moves {' '.join(moves)}"
    lines.append(f"After {done} the position is {gold}.")
    question = (INTRO + f"After {done}{', made in this order,' if len(moves) > 1 else ''} on the cube shown, what "
                f"colour is at position ({row}, {col}) on the {FACE_NAMES[face]} face?")
    return QA(question, "\n".join(lines), gold, colour_decoys(rng, gold),
              {"moves": moves, "face": face, "row": row, "col": col})


def count_decoys(rng, gold):
    """Game-RL's: 7 distinct integers in [max(1, n − 3), n + 10] other than n (deviation 10)."""
    pool = [v for v in range(max(1, gold - 3), gold + 11) if v != gold]
    return [str(v) for v in rng.sample(pool, OPTIONS - 1)]


def search_analysis(lines, path, what):
    if len(path) == 1:
        return f"Rotating {path[0]} solves {what}, and it is not solved now, so 1 move is the fewest."
    return ("Search breadth-first, all 12 moves from every state, so the first solution found is a shortest one.\n"
            + "\n".join(lines) + f"\nThe solution is: {', '.join('rotate ' + m for m in path)}. The search found no shorter "
            f"sequence that solves {what}, so {len(path)} moves are the fewest.")


def face_solve_moves(rng, cube):
    face = rng.choice([f for f in FACES if not face_solved(cube.stickers, f)])
    what = f"the {FACE_NAMES[face]} face"
    lines, path = fewest_moves(cube, lambda s: face_solved(s, face), what)
    question = (INTRO + f"What is the minimum number of moves needed to solve the {FACE_NAMES[face]} face? Only that "
                "face has to end up in one colour; the other faces may be left in any state.")
    analysis = face_listing(cube, face) + "\nIt is not solved.\n" + search_analysis(lines, path, what)
    return QA(question, analysis, str(len(path)), count_decoys(rng, len(path)), {"face": face})


def cube_solve_moves(rng, cube):
    lines, path = fewest_moves(cube, cube_solved, "the cube")
    question = INTRO + "What is the minimum number of moves needed to solve the whole cube?"
    return QA(question, search_analysis(lines, path, "the cube"), str(len(path)), count_decoys(rng, len(path)))


def colour_count(rng, cube):
    face = rng.choice(FACES)
    colour = COLOURS[rng.choice(sorted(set(k for row in cube.face(face) for k in row)))]
    where = [(r, c) for r in range(3) for c in range(3) if cube.colour(face, r, c) == colour]
    gold = len(where)
    near = [v for v in range(max(0, gold - 4), min(9, gold + 5)) if v != gold][:OPTIONS - 1]  # Game-RL's pool
    pad = [v for v in range(10) if v != gold and v not in near]
    decoys = near + rng.sample(pad, OPTIONS - 1 - len(near))
    question = INTRO + f"How many {colour} squares are there on the {FACE_NAMES[face]} face?"
    analysis = (face_listing(cube, face) + f"\nThe {colour} squares are at " + ", ".join(f"({r}, {c})" for r, c in where)
                + f": {gold} of them.")
    return QA(question, analysis, str(gold), [str(v) for v in decoys], {"face": face, "colour": colour})


TASKS = [
    Task(1, "Identify colors on specific positions", "Target Perception", "Easy", colour_at),
    Task(2, "Predict the cube state after performing specific moves", "State Prediction", "Medium", colour_after_moves),
    Task(3, "Find the minimum number of moves to solve one face", "State Prediction", "Hard", face_solve_moves),
    Task(4, "Determine optimal move sequence to solve the cube", "Strategy Optimization", "Hard", cube_solve_moves),
    Task(5, "Count specific colors on a face", "Target Perception", "Easy", colour_count),
]
