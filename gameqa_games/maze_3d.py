"""3D Maze, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `3d_maze`, 3D spatial perception and
understanding, in-domain.

The game. Unit cubes float in an 8×8×7 grid, at (x, y, z) with x, y in 0..7 and z, the height, in 0..6. The
player stands on cube tops. It walks from a cube to a cube next to it at the same height (x ± 1 or y ± 1), and
climbs ladders: a ladder joins a cube to the cube exactly 3 levels above it, and climbing is the only way to
change height. The blue cube, always (7, 7, 0), is the start; the red cube is the goal; green cubes carry numbers.
A world is Game-RL's side-path puzzle. First a main path of 5-7 segments leaves the start: a walk of 2 cubes
toward −y or −x, or a ladder up 3 levels, chosen at random among those that stay inside the grid. Its walks only
decrease x or y and its ladders only climb, so it is the one route to the goal. Then 3 or 4 side paths, dead ends
of 1-2 such segments, branch off the main path at spaced-out cubes and touch nothing else.

Directions and coordinates. The picture is seen from the +x, +y, +z side (Game-RL's camera: azimuth 30°,
elevation 25°), and directions are named as seen: "left-forward" is a walk toward −y, "right-forward" a walk
toward −x, "up" a ladder climb. Neither the image nor the text gives coordinates: questions name cubes by their
numbers, and heights by the ladders climbed (3 levels each). The coordinates are in `state` only.

Plot levels are Game-RL's bands on the number of cubes: Easy < 15, Medium 15-24, Hard ≥ 25.

The tasks are Game-RL's four (its question ids and names), all multiple choice:
  0 path_finding       State Prediction / Hard     the direction to take at each numbered branch point (8 options)
  1 sequence_finding   State Prediction / Medium   the order in which the route meets the numbered cubes (6 options)
  2 height_comparison  Target Perception / Easy    the height relation of numbered cubes 1, 2, 3 (8 options)
  3 main_path          State Prediction / Medium   which numbered cubes the route passes through (8 options)

Deviations from Game-RL:
  1. Task 0's 7 distractors are drawn from all 2^k - 1 wrong combinations of the k branch points. Game-RL lists
     only the 8 combinations of branches 1-3, and with k = 4 (about half its samples) every distractor gives
     branch 4 its dead-end direction, so the gold was the one option with branch 4 on the main path.
  2. A world with fewer than 3 side paths is redrawn, and so is one where a task finds fewer than 3 spaced-out
     cubes to number (it asks for 3 or 4, task 2 for 3, and takes what fits). Game-RL asks task 0 with k < 3,
     loops forever on tasks 1 and 3, and asks a 2-number task 2 whose answer is not among its options.
  3. The plot level is asked for, not measured afterwards: `new_state` redraws until the cube count is in the
     level's band. To land there more often, side paths have 1 segment at Easy, 1-2 (Game-RL) at Medium and 2 at
     Hard. In Game-RL the level followed the task (tasks 1 and 2 always Easy, 0 and 3 about 92% Medium).
  4. Tasks 1 and 2 are asked on the same worlds as tasks 0 and 3, whose side paths are unnumbered dead ends.
     Game-RL asks them on a bare main path.
  5. A side path only has to avoid the cubes already placed. Game-RL also checks that its end cube has no other
     cube around it, which the grid's parity makes always true (see `draw_side_path`; the test checks it). The
     generator asserts, by breadth-first search, that the main path is the one route from start to goal.
  6. A world is redrawn when a cube's top or a ladder keeps less than 40% of its pixels in sight, and a task's
     numbers when two would overlap. Game-RL keeps such pictures, where a number can sit on a cube one cannot see.
  7. Task 3 says "numbered cubes" (Game-RL: "branch points"; they are any cubes). The rules say a numbered cube
     may be the start, drawn blue with its number (a branch point of task 0 can be the start, as in Game-RL).
  8. The image is drawn with Pillow in an orthographic view along Game-RL's camera direction, with a tiled
     floor at height 0 (Game-RL: a plain translucent plane) to help judge depth.
  9. The analyses walk the route with directions and numbers only, never coordinates, since the image has none.
  10. Engine-wide (gameqa.py): options are lettered A, B, … and shuffled, the gold is the letter (Game-RL: a
      1-based option number).
"""
import math
from collections import deque
from itertools import permutations, product

from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, Budget, GiveUp, font

GRID = (8, 8, 7)  # x, y, z sizes
START = (7, 7, 0)
RISE = 3  # every ladder climbs exactly 3 levels
STEPS = {"left-forward": (0, -1, 0), "right-forward": (-1, 0, 0), "up": (0, 0, RISE)}  # one move, as seen
CUBES = {"Easy": (9, 14), "Medium": (15, 24), "Hard": (25, 30)}  # Game-RL's bands; 30 = 14 main + 4 × 4
SIDE_SEGMENTS = {"Easy": (1, 1), "Medium": (1, 2), "Hard": (2, 2)}  # segments per side path (deviation 3)
WORLD_DRAWS = 3000  # Easy keeps about 1 draw in 15, so running out means a bug, not bad luck


# ---------------------------------------------------------------------------------------------------------
# The game: state, moves and the world generator

def shifted(cube, way, times=1):
    dx, dy, dz = STEPS[way]
    return (cube[0] + dx * times, cube[1] + dy * times, cube[2] + dz * times)


def direction(a, b):
    """The name of the move from cube a to the next cube b."""
    return next(d for d in STEPS if shifted(a, d) == b)


def chebyshev(a, b):
    return max(abs(a[0] - b[0]), abs(a[1] - b[1]), abs(a[2] - b[2]))


class Maze3D:
    """A world: its cubes, ladders (by base cube), the main path (start to goal) and the side paths. The numbers
    belong to the question, not the world: each task numbers the cubes it asks about (Game-RL draws them per task
    too) by setting `labels`, and the image shows them."""

    def __init__(self, main_path, side_paths):
        self.main_path = tuple(main_path)
        self.side_paths = dict(side_paths)  # branch cube -> (first direction, its cubes in order), in pick order
        self.cubes = frozenset(self.main_path).union(*(cubes for _, cubes in self.side_paths.values()))
        paths = [self.main_path] + [(branch,) + cubes for branch, (_, cubes) in self.side_paths.items()]
        self.ladders = tuple(sorted(a for path in paths for a, b in zip(path, path[1:]) if b[2] != a[2]))  # bases
        self.start, self.goal = self.main_path[0], self.main_path[-1]
        self.labels = {}  # number -> cube, set by the task

    def move(self, cube, way):
        """The cube a player on `cube` reaches by one move ("left-forward", "right-forward" or "up"), or None."""
        nxt = shifted(cube, way)
        if way == "up":
            return nxt if cube in self.ladders else None
        return nxt if nxt in self.cubes else None

    def neighbours(self, cube):
        """Every cube one move away, backward moves and ladder descents included."""
        near = [c for c in ((cube[0] + 1, cube[1], cube[2]), (cube[0] - 1, cube[1], cube[2]),
                            (cube[0], cube[1] + 1, cube[2]), (cube[0], cube[1] - 1, cube[2])) if c in self.cubes]
        if cube in self.ladders:
            near.append((cube[0], cube[1], cube[2] + RISE))
        below = (cube[0], cube[1], cube[2] - RISE)
        if below in self.ladders:
            near.append(below)
        return near

    def to_json(self):
        segments, junction = [], 0
        for k in range(1, len(self.main_path)):  # Game-RL's segments: 2-cube walks and 3-level ladders
            a, b = self.main_path[junction], self.main_path[k]
            if b[2] != a[2] or abs(b[0] - a[0]) + abs(b[1] - a[1]) == 2:
                segments.append({"from": list(a), "to": list(b), "type": "ladder" if b[2] != a[2] else "walk"})
                junction = k
        return {"grid": list(GRID), "start": list(self.start), "goal": list(self.goal),
                "cubes": [list(c) for c in sorted(self.cubes)],
                "ladders": [{"base": list(b), "height": RISE} for b in self.ladders],
                "main_path": {"cubes": [list(c) for c in self.main_path], "segments": segments},
                "side_paths": [{"branch": list(b), "direction": d, "cubes": [list(c) for c in cubes]}
                               for b, (d, cubes) in self.side_paths.items()],
                "labels": {str(n): list(c) for n, c in sorted(self.labels.items())}}


def open_ways(cube):
    """Game-RL's segment choices from `cube`: a walk of 2 must end at x or y > 0, a ladder top at z < 7."""
    x, y, z = cube
    fits = {"left-forward": y - 2 > 0, "right-forward": x - 2 > 0, "up": z + RISE < GRID[2]}
    return [d for d in STEPS if fits[d]]


def segment(cube, way):
    """The cubes a segment adds: a walk its middle and end cubes, a ladder only its top."""
    return [shifted(cube, "up")] if way == "up" else [shifted(cube, way), shifted(cube, way, 2)]


def draw_main_path(rng):
    path = [START]
    for _ in range(rng.randint(5, 7)):
        ways = open_ways(path[-1])
        if not ways:
            break
        path += segment(path[-1], rng.choice(ways))
    return path


def spaced(rng, cubes):
    """Game-RL's picking rule: shuffle, then keep each cube at Chebyshev distance ≥ 2 from every cube kept so
    far. The kept cubes, in pick order."""
    pool = sorted(cubes)
    rng.shuffle(pool)
    kept = []
    for cube in pool:
        if all(chebyshev(cube, k) >= 2 for k in kept):
            kept.append(cube)
    return kept


def draw_side_path(rng, cubes, branch, avoid, segments):
    """A dead end from `branch` whose first move is not `avoid` (the main path's way on), or None if it would run
    into a cube already placed. Nothing more is needed for Game-RL's rule that a side path touches nothing else.
    Every cube placed is a junction, with odd x and y (the start is (7, 7, 0) and walks go 2 cubes), or the
    middle of a walk, with one even coordinate; heights are 3 apart. So the cubes around a junction (26 of them)
    can only be middles of walks through it, and a path that shares no cube with the others meets them only at
    its branch, and its end (a junction) has no other cube around it. The test checks this on every world."""
    own, cube, first = [], branch, None
    for _ in range(rng.randint(*segments)):
        ways = [d for d in open_ways(cube) if not (first is None and d == avoid)]
        if not ways:
            return None
        way = rng.choice(ways)
        first = first or way
        for new in segment(cube, way):
            if new in cubes:
                return None
            own.append(new)
        cube = own[-1]
    return first, tuple(own)


def draw_world(rng, plot_level):
    """Game-RL's side-path puzzle: a main path, then k = randint(3, 4) side paths at spaced-out junction cubes
    (odd x and y, not among the last 3 cubes), up to 10 tries, a failed branch going behind the spare ones.
    None if fewer than 3 side paths fit (deviation 2)."""
    main = draw_main_path(rng)
    cubes = set(main)
    candidates = spaced(rng, [c for c in main[:-3] if c[0] % 2 and c[1] % 2])
    k = min(len(candidates), rng.randint(3, 4))
    sides = {}
    for _ in range(10):
        if len(sides) == k or not candidates:
            break
        branch = candidates.pop(0)
        nxt = main[main.index(branch) + 1]
        side = draw_side_path(rng, cubes, branch, direction(branch, nxt), SIDE_SEGMENTS[plot_level])
        if side is None:
            candidates.append(branch)
            continue
        sides[branch] = side
        cubes |= set(side[1])
    return Maze3D(main, sides) if len(sides) >= 3 else None


def route(state, budget=None):
    """Breadth-first search over walks and ladders from the start: the cubes of the route to the goal."""
    budget = budget or Budget(8 * len(state.cubes))
    came, queue = {state.start: None}, deque([state.start])
    while queue:
        cube = queue.popleft()
        budget.tick()
        for nxt in state.neighbours(cube):
            if nxt not in came:
                came[nxt] = cube
                queue.append(nxt)
    if state.goal not in came:
        raise GiveUp("the goal is not reachable")
    path = [state.goal]
    while came[path[-1]] is not None:
        path.append(came[path[-1]])
    return path[::-1]


def new_state(rng, plot_level):
    """A world whose cube count is in the level's band and whose cubes and ladders can all be seen."""
    low, high = CUBES[plot_level]
    for _ in range(WORLD_DRAWS):
        world = draw_world(rng, plot_level)
        if world is None or not low <= len(world.cubes) <= high or not all_in_sight(world):
            continue
        assert route(world) == list(world.main_path), "a side path opened a second route"
        return world
    raise RuntimeError(f"no {plot_level} 3D maze in {WORLD_DRAWS} draws")


# ---------------------------------------------------------------------------------------------------------
# The image: an orthographic view along Game-RL's camera (azimuth 30°, elevation 25°), so from the +x, +y, +z
# side. Each cube shows its top, +x and +y faces; painting in ascending x + y + z is a correct far-to-near order,
# since a cube can only hide a cube whose coordinates are all no larger than its own.

SIZE, SCALE = 600, 50  # pixels: the side of the image and of one cube's edge
AZIMUTH, ELEVATION = math.radians(30), math.radians(25)
RIGHT = (-math.sin(AZIMUTH), math.cos(AZIMUTH), 0.0)  # screen directions as world vectors
UP = (-math.sin(ELEVATION) * math.cos(AZIMUTH), -math.sin(ELEVATION) * math.sin(AZIMUTH), math.cos(ELEVATION))
BOX = [(x, y, z) for x in (0, GRID[0]) for y in (0, GRID[1]) for z in (0, GRID[2])]  # the grid's corners
# The pixel of world (0, 0, 0), placed so that the grid's box fits with a margin (more on top, for the numbers).
ORIGIN = (26 - SCALE * min(sum(map(lambda a, b: a * b, c, RIGHT)) for c in BOX),
          44 + SCALE * max(sum(map(lambda a, b: a * b, c, UP)) for c in BOX))
COLOURS = {"start": (68, 68, 255), "goal": (255, 68, 68), "numbered": (68, 255, 68), "plain": (136, 136, 136)}
SHADE = (1.0, 0.78, 0.62)  # top, +x face, +y face: lit from above
FLOOR, TILE = (226, 226, 226), (200, 200, 200)
MIN_SEEN = 0.4    # share of a cube top's or a ladder's pixels that must stay visible (deviation 6)
LABEL_GAP = 30    # pixels between two numbers' centres


def project(p):
    """World point -> pixel. The view is orthographic, so this is linear in the point."""
    return (ORIGIN[0] + SCALE * (p[0] * RIGHT[0] + p[1] * RIGHT[1] + p[2] * RIGHT[2]),
            ORIGIN[1] - SCALE * (p[0] * UP[0] + p[1] * UP[1] + p[2] * UP[2]))


# The top, +x and +y faces of the unit cube at the origin, as pixel offsets from its projected corner (0, 0, 0).
FACE_CORNERS = (((0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)), ((1, 0, 0), (1, 1, 0), (1, 1, 1), (1, 0, 1)),
                ((0, 1, 0), (1, 1, 0), (1, 1, 1), (0, 1, 1)))
FACE_OFFSETS = [[(u - ORIGIN[0], v - ORIGIN[1]) for u, v in map(project, face)] for face in FACE_CORNERS]


def faces(cube):
    """The top, +x and +y faces of the cube filling [x, x+1] × [y, y+1] × [z, z+1], as pixel polygons."""
    u, v = project(cube)
    return [[(u + du, v + dv) for du, dv in face] for face in FACE_OFFSETS]


def ladder_lines(base):
    """Two rails and 6 rungs in the plane x + 0.5, from the base cube's top to the bottom of the cube above."""
    x, y, z = base
    rails = [[project((x + 0.5, y + a, z + 1)), project((x + 0.5, y + a, z + RISE))] for a in (0.3, 0.7)]
    rungs = [[project((x + 0.5, y + 0.3, h)), project((x + 0.5, y + 0.7, h))]
             for h in (z + 1 + (RISE - 1) * (k + 0.5) / 6 for k in range(6))]
    return rails + rungs


def paint(draw, state, cube_fills, ladder_fill, outline):
    """Cubes and ladders far to near. A ladder fills the column cells just above its base, so it takes their place
    in the order."""
    items = [((sum(c), c[2]), 0, c) for c in state.cubes] + [((sum(b) + 1, b[2] + 1), 1, b) for b in state.ladders]
    for _, is_ladder, where in sorted(items):
        if is_ladder:
            for line in ladder_lines(where):
                draw.line(line, fill=ladder_fill(where), width=3)
        else:
            for face, fill in zip(faces(where), cube_fills(where)):
                draw.polygon(face, fill=fill, outline=outline)


def pixels_alone(draw_one):
    """How many pixels one cube top or ladder covers with nothing in front of it (the same anywhere: the view is
    orthographic)."""
    image = Image.new("L", (SIZE, SIZE))
    draw_one(ImageDraw.Draw(image))
    return image.histogram()[255]


TOP_PIXELS = pixels_alone(lambda d: d.polygon(faces((4, 4, 3))[0], fill=255))
LADDER_PIXELS = pixels_alone(lambda d: [d.line(line, fill=255, width=3) for line in ladder_lines((4, 4, 3))])


def all_in_sight(state):
    """Whether every cube's top and every ladder keep at least MIN_SEEN of their pixels in the picture: paint
    each top and ladder in a grey level of its own (side faces all in 255, as they only hide) and count what is
    left. Side faces are not counted: along a walk each cube hides its neighbour's."""
    cubes = sorted(state.cubes)
    ladder_ids = {b: len(cubes) + 1 + k for k, b in enumerate(state.ladders)}  # at most 35 + 8 < 255 ids
    image = Image.new("L", (SIZE, SIZE))
    paint(ImageDraw.Draw(image), state, lambda c: [1 + cubes.index(c), 255, 255], ladder_ids.get, None)
    seen = image.histogram()
    return (all(seen[1 + k] >= MIN_SEEN * TOP_PIXELS for k in range(len(cubes))) and
            all(seen[k] >= MIN_SEEN * LADDER_PIXELS for k in ladder_ids.values()))


def label_point(cube):
    x, y = project((cube[0] + 0.5, cube[1] + 0.5, cube[2] + 1))
    return x, y - 12


def colour_of(state, cube):
    if cube == state.start:
        return COLOURS["start"]  # start and goal colours win over the numbered green (Game-RL)
    if cube == state.goal:
        return COLOURS["goal"]
    return COLOURS["numbered"] if cube in state.labels.values() else COLOURS["plain"]


def render(state):
    image = Image.new("RGB", (SIZE, SIZE), "white")
    draw = ImageDraw.Draw(image)
    n = GRID[0]  # the floor: n × n tiles at height 0
    draw.polygon([project(p) for p in ((0, 0, 0), (n, 0, 0), (n, n, 0), (0, n, 0))], fill=FLOOR)
    for k in range(n + 1):
        draw.line([project((k, 0, 0)), project((k, n, 0))], fill=TILE)
        draw.line([project((0, k, 0)), project((n, k, 0))], fill=TILE)

    def shades(cube):
        base = colour_of(state, cube)
        return [tuple(round(v * s) for v in base) for s in SHADE]
    paint(draw, state, shades, lambda b: "black", "black")
    digits = font(24)
    for number, cube in sorted(state.labels.items()):
        draw.text(label_point(cube), str(number), fill="black", font=digits, anchor="mm",
                  stroke_width=3, stroke_fill="white")
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

INTRO = ("**Rules:**\n"
         "1. The image shows a 3D maze of unit cubes, seen from above and in front. The lowest cubes rest on a tiled "
         "floor at height 0; the others float at heights 3 and 6. A player stands on the top of a cube.\n"
         "2. The blue cube is the start and the red cube is the goal. Green cubes carry numbers; grey cubes are "
         "plain. A numbered cube can also be the start: it is then blue with its number.\n"
         "3. The player walks from a cube to a cube right next to it at the same height. A ladder (two black rails "
         "with rungs) joins a cube to the cube 3 levels directly above it; climbing a ladder is the only way to "
         "change height.\n"
         "4. Directions are named as seen in the image: \"left-forward\" is a walk one cube away from the viewer "
         "toward the left, \"right-forward\" a walk one cube away toward the right, and \"up\" a climb up a ladder.\n"
         "5. The main path, the route from the start to the goal, only moves left-forward, right-forward or up. It "
         "is the only route to the goal: every other way leads into a dead end.\n"
         "6. The start is at height 0, and each ladder climbed raises the height by 3 levels.\n\n**Question:** ")


def pick(rng, cubes, count):
    """Up to `count` spaced-out cubes to number, in pick order (Game-RL); fewer than 3 redraw (deviation 2)."""
    chosen = spaced(rng, cubes)[:count]
    if len(chosen) < 3:
        raise GiveUp(f"only {len(chosen)} spaced-out cubes to number")
    return chosen


def number_cubes(state, cubes):
    """Number `cubes` 1, 2, … in pick order, or GiveUp if two numbers would be drawn on top of each other."""
    points = [label_point(c) for c in cubes]
    if any(math.dist(p, q) < LABEL_GAP for i, p in enumerate(points) for q in points[:i]):
        raise GiveUp("two numbers would overlap in the image")
    state.labels = {n: c for n, c in enumerate(cubes, 1)}
    return {c: n for n, c in state.labels.items()}


def steps_along(path, names):
    """The moves along `path`, runs of one walking direction merged, each saying which named cubes it reaches:
    ["move left-forward 2 blocks, reaching cube 3", "climb a ladder up 3 levels", …]."""
    steps, k = [], 1
    while k < len(path):
        way = direction(path[k - 1], path[k])
        run = [path[k]]
        while way != "up" and k + len(run) < len(path) and direction(run[-1], path[k + len(run)]) == way:
            run.append(path[k + len(run)])
        what = "climb a ladder up 3 levels" if way == "up" else f"move {way} {len(run)} block" + "s" * (len(run) > 1)
        met = [names[c] for c in run if c in names]
        steps.append(what + (f", reaching {' and then '.join(met)}" if met else ""))
        k += len(run)
    return steps


def walk_text(state, path, number, noun="cube"):
    """The main path as numbered lines, from the start to the goal."""
    names = {**{c: f"{noun} {n}" for c, n in number.items()}, state.goal: "the goal"}
    lines = [f"{i}. {step[0].upper()}{step[1:]}." for i, step in enumerate(steps_along(path, names), 1)]
    start = [f"The start itself is {names[path[0]]}."] if path[0] in number else []
    return "\n".join(start + lines)


def dead_end(state, cube, way):
    """The cubes a player passes going `way` from `cube` and then on by the only forward move there is, up to a
    cube with none: on a side path, its dead end."""
    passed = [state.move(cube, way)]
    while True:
        onward = [c for c in (state.move(passed[-1], w) for w in STEPS) if c is not None]
        if not onward:
            return passed
        (nxt,) = onward  # a side path never branches
        passed.append(nxt)


def path_finding(rng, state):
    branches = list(state.side_paths)
    number = number_cubes(state, branches)
    path = route(state)
    ways = {number[b]: (direction(b, path[path.index(b) + 1]), state.side_paths[b][0]) for b in branches}
    k = len(branches)
    cube = {n: c for c, n in number.items()}

    def combination(bits):  # bits[n-1] True: branch n takes the main path's way
        return ", ".join(f"{n}-{ways[n][0] if bits[n - 1] else ways[n][1]}" for n in range(1, k + 1))
    gold = combination([True] * k)
    wrong = [combination(bits) for bits in product([True, False], repeat=k) if not all(bits)]
    met = [number[c] for c in path if c in number]
    lines = []
    for i, n in enumerate(met):
        onward = f"branch point {met[i + 1]}" if i + 1 < len(met) else "the goal"
        length = len(dead_end(state, cube[n], ways[n][1]))
        lines.append(f"Branch point {n}: going {ways[n][0]} continues toward {onward}; going {ways[n][1]} leads "
                     f"into a dead end after {length} cube{'s' * (length > 1)}.")
    question = (INTRO + "The player starts on the blue cube and must reach the red cube. At each numbered branch "
                "point the way splits in two: one way continues toward the goal and the other leads into a dead "
                "end. Which combination of choices at the numbered branch points leads to the goal? Each option "
                "gives, for every branch point in number order, the direction to take there.")
    analysis = ("Follow the main path from the start:\n" + walk_text(state, path, number, "branch point")
                + f"\nSo the path meets the branch points in the order {', '.join(map(str, met))}.\n"
                + "\n".join(lines)
                + "\nIn path order the choices are " + ", ".join(f"{n}-{ways[n][0]}" for n in met)
                + f"; in number order, {gold}.")
    given = {"branches": {str(number[b]): {"main_dir": ways[number[b]][0], "side_dir": ways[number[b]][1],
                                           "side_path_cubes": [list(c) for c in state.side_paths[b][1]]}
                          for b in branches}}
    return QA(question, analysis, gold, rng.sample(wrong, 7), given)


def sequence_finding(rng, state):
    number = number_cubes(state, pick(rng, route(state)[1:-1], rng.randint(3, 4)))
    path = route(state)
    met = [number[c] for c in path if c in number]
    fmt = lambda order: "Start -> " + " -> ".join(map(str, order)) + " -> Goal"
    others = [fmt(p) for p in permutations(sorted(met)) if list(p) != met]
    question = (INTRO + "The player follows the main path from the blue start cube to the red goal cube. In which "
                "order does it pass the numbered cubes?")
    analysis = ("Follow the main path from the start:\n" + walk_text(state, path, number)
                + f"\nThe numbered cubes come in the order {', '.join(map(str, met))}: {fmt(met)}.")
    return QA(question, analysis, fmt(met), rng.sample(others, 5))


def weak_orders():
    """The 13 ways to rank 1, 2, 3 by height with ties: each as its groups, lowest first."""
    orders = set()
    for heights in product(range(3), repeat=3):
        levels = sorted(set(heights))
        orders.add(tuple(tuple(n for n in (1, 2, 3) if heights[n - 1] == h) for h in levels))
    return sorted(orders)


def relation(groups):
    return " < ".join(" = ".join(map(str, g)) for g in groups)


def height_comparison(rng, state):
    number = number_cubes(state, pick(rng, route(state)[1:-1], 3))
    cube = {n: c for c, n in number.items()}
    path = route(state)
    levels = sorted({cube[n][2] for n in (1, 2, 3)})
    gold = relation([tuple(n for n in (1, 2, 3) if cube[n][2] == z) for z in levels])
    others = [relation(g) for g in weak_orders() if relation(g) != gold]
    lines = []
    for a, b in ((1, 2), (1, 3), (2, 3)):
        i, j = sorted((path.index(cube[a]), path.index(cube[b])))
        first, second = number[path[i]], number[path[j]]
        climbs = sum(path[t + 1][2] > path[t][2] for t in range(i, j))
        verdict = (f"That is {climbs} ladder{'s' * (climbs > 1)} up, so cube {second} is higher than cube {first}."
                   if climbs else f"No ladder, so cubes {first} and {second} are at the same height.")
        lines.append(f"From cube {first} to cube {second}: " + ", then ".join(steps_along(path[i:j + 1], {}))
                     + ". " + verdict)
    question = (INTRO + "Compare the heights of the numbered cubes 1, 2 and 3. Which relation is right? \"a < b\" "
                "means cube a is lower than cube b, \"a = b\" that they are at the same height.")
    analysis = ("The numbered cubes all lie on the main path, where only ladders change the height. Follow it "
                "between each pair:\n" + "\n".join(lines) + f"\nTogether: {gold}.")
    return QA(question, analysis, gold, rng.sample(others, 7))


def main_path(rng, state):
    chosen = pick(rng, [c for c in state.cubes if c not in (state.start, state.goal)], rng.randint(3, 4))
    number = number_cubes(state, chosen)
    path = route(state)
    on = sorted(n for c, n in number.items() if c in path)
    off = sorted(n for c, n in number.items() if c not in path)
    fmt = lambda numbers: ", ".join(map(str, numbers)) or "None"
    subsets = [fmt([n for n, keep in zip(range(1, len(chosen) + 1), bits) if keep])
               for bits in product([False, True], repeat=len(chosen))]
    others = [s for s in subsets if s != fmt(on)]
    question = (INTRO + "The player goes from the blue start cube to the red goal cube by the main path. Which "
                "numbered cubes does it pass through? (\"None\" if it passes none.)")
    analysis = ("Follow the main path from the start:\n" + walk_text(state, path, number)
                + f"\nOn the main path: {fmt(on)}. Off it, on dead ends: {fmt(off)}.")
    return QA(question, analysis, fmt(on), rng.sample(others, 7))


TASKS = [
    Task(0, "path_finding", "State Prediction", "Hard", path_finding),
    Task(1, "sequence_finding", "State Prediction", "Medium", sequence_finding),
    Task(2, "height_comparison", "Target Perception", "Easy", height_comparison),
    Task(3, "main_path", "State Prediction", "Medium", main_path),
]
