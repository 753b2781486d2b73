"""3D Reconstruction (3D spatial perception and understanding, in-domain; Game-RL folder `3DReconstruction`).

The game. Unit cubes (voxels) sit in a 3×3×3 grid at positions (x, y, z), every coordinate 1..3, z the height
(z = 1 the floor level); a position holds at most one voxel, and a structure is face-connected (one piece
through shared faces). A hidden target structure is shown only by its two projections: the Y-Z projection
(looking along x: cell (y, z) is filled when some voxel has that y and z) and the X-Z projection (looking along
y: cell (x, z)). The player holds a smaller "current" structure, a connected part of the target, and must add
voxels until both of its projections equal the targets exactly, within a budget of t − current voxels (t the
target's size). An added voxel needs no support from below, only a face shared with the structure.

Coordinates. The picture is an oblique view from the +x, +y, +z side; x and y are read from the tick labels on
the floor's two front edges and z from the vertical axis, and the target grids carry their own ticks (rows z = 3
at the top down to 1, columns y or x = 1, 2, 3 from left to right). Matrices are written as the grids are drawn.

Plot level = the target's size t: 3–5 / 6–10 / 11–15 voxels; the current structure has max(1, t − 3) /
max(2, t − 4) / max(3, t − 5) of them (at most t − 1), so 1–2 / 2–6 / 6–10 voxels and a budget of ≤ 3 / 4 / 5.

Deviations from Game-RL (its spec's pitfalls, and where we differ):
  1. One budget. The original shows t − current in the image, judges task 4 against the minimal addition's size,
     calls task 5's answer "remaining", and prints the limit as a literal "n". Here the limit is the image's
     number, printed in every question that uses it.
  2. The minimal addition is the smallest set S of empty positions with current ∪ S face-connected and both
     projections equal to the targets, found by an exhaustive search by size. The original also requires each
     voxel, in the combination's lexicographic order, to touch the ones before it, which rejects sets whose
     bridge voxel comes later and so can overstate the minimum; but a set can be added one touching voxel at a
     time, in SOME order, exactly when the final structure is connected, and that is all we test. So task 4's
     options are sets, listed sorted, not sequences.
  3. Task 4 checks every distractor against the rules as printed (at most the budget, connected, the asked
     projection(s) equal to the target) and keeps only those that break them. The original's "oversized"
     distractors are wrong only under its minimal-size limit and its last-resort sets are unchecked, so some
     of its options were right answers too. When the checked classes run short we add near misses (the gold
     with one voxel moved or dropped), also checked; a state that still lacks 7 is redrawn.
  4. Tasks 3 and 4 redraw a state whose current structure already matches both targets (the original's task 3
     raised ValueError and aborted the run); task 5 answers 0 there, as the original does.
  5. Task 2's answer is drawn first, uniformly from its four options, and the picture is then chosen among the
     current structure, the solution and 24 custom structures (6 free, and 6 each kept inside the Y-Z target,
     the X-Z target, or both) to give it; if none does, the state is redrawn. With the original's view rule our
     states answer "Neither" 55–60%, "Both" 33–38% and each "Only" 2–5%; ours answer (Neither / Only Y-Z /
     Only X-Z / Both) 30/24/22/24% at Easy, 36/14/26/25% at Medium and 50/19/19/12% at Hard (300 seeds per
     level): "Neither" can always be drawn, the other answers in about half of the states.
  6. The picture never names the view: the original titles the solution view "Complete Solution", which gives
     task 2's answer away. The budget is drawn only for tasks 3–5, which use it (tasks 0–2 may show a
     structure larger than the current one, for which "remaining voxels" means nothing).
  7. Every task asks about the structure the picture shows. The original's multi-question generator draws the
     solution or custom view while tasks 3–5 reason about the current structure.
  8. Only readable structures are drawn: a single view of floating or hidden cubes is ambiguous, and the
     original checks nothing. A drawn structure stands (each voxel on the floor or on another voxel; the
     questions say so, so a voxel covered by the one above it is still known to be there), the top voxel of
     every column shows at least MIN_VISIBLE_PX pixels, and so would a voxel stacked on any column or floor
     cell (checked by painting each voxel in its own colour). So the height of every floor cell can be read.
     The rules are unchanged: voxels added in tasks 3–5 need no support. Because of this the current structure
     is grown inside the target with standing voxels only (the original grows it by any face-neighbour), the
     custom view adds standing voxels one at a time, each touching the structure so far (the original: k
     voxels next to the current structure), and the solution view adds a minimal addition whose result
     stands; a state or view that cannot be drawn is redrawn.
  9. Drawn with Pillow (an oblique projection with shaded faces and tick labels) instead of matplotlib at
     elevation 15°; options are lettered by the engine instead of numbered 1…n.
"""
import itertools

from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, Budget, font

TARGET_SIZE = {"Easy": (3, 5), "Medium": (6, 10), "Hard": (11, 15)}
CURRENT_RULE = {"Easy": (1, 3), "Medium": (2, 4), "Hard": (3, 5)}  # current = max(low, t - gap), at most t - 1
POSITIONS = tuple(itertools.product((1, 2, 3), repeat=3))  # every (x, y, z), sorted
STEPS = ((1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1))
SEARCH_BUDGET = 30_000  # candidate sets a minimal-addition search may try: more than the most (27,896, Hard)
MIN_VISIBLE_PX = 500    # pixels of a voxel that must show for it to count as seen (a face is 2,100 to 3,200)
STATE_TRIES = 1_000     # the acceptance rate is above 1/4 at every level; 1,000 misses in a row would be a bug


# ---------------------------------------------------------------------------------------------------------
# The game: geometry, the state and its one move (adding voxels), and how a state is drawn at random

NEIGHBOURS = {p: tuple(q for q in ((p[0] + a, p[1] + b, p[2] + c) for a, b, c in STEPS) if all(1 <= v <= 3 for v in q))
              for p in POSITIONS}


def neighbours(p):
    return NEIGHBOURS[p]


def connected(voxels):
    voxels = set(voxels)
    if not voxels:
        return True
    seen, stack = set(), [min(voxels)]
    while stack:
        p = stack.pop()
        if p not in seen:
            seen.add(p)
            stack.extend(q for q in neighbours(p) if q in voxels)
    return len(seen) == len(voxels)


def stands(voxels):
    """Each voxel is on the floor or on another voxel."""
    return all(z == 1 or (x, y, z - 1) in voxels for x, y, z in voxels)


def projection(voxels, plane):
    """The 3×3 0/1 matrix as the grids are drawn: rows z = 3, 2, 1; columns y = 1..3 ("yz") or x = 1..3 ("xz")."""
    k = 1 if plane == "yz" else 0
    return [[int(any(v[k] == a and v[2] == z for v in voxels)) for a in (1, 2, 3)] for z in (3, 2, 1)]


CELL_BITS = {p: (1 << 3 * (p[2] - 1) + p[1] - 1, 1 << 3 * (p[2] - 1) + p[0] - 1) for p in POSITIONS}


def projection_bits(voxels):
    """Both projections as 9-bit masks (Y-Z, X-Z), bit 3(z-1) + a-1 for cell (a, z): the solver's fast form."""
    yz = xz = 0
    for p in voxels:
        yz |= CELL_BITS[p][0]
        xz |= CELL_BITS[p][1]
    return yz, xz


def fmt_matrix(m):
    return "[" + ", ".join("[" + ", ".join(map(str, row)) + "]" for row in m) + "]"


def fmt_pos(p):
    return f"({p[0]}, {p[1]}, {p[2]})"


PLANE_NAME = {"yz": "Y-Z", "xz": "X-Z"}


class Reconstruction:
    """The target (known to the player only through its projections), the current structure and the budget,
    plus what the picture shows: the current structure, unless a task of 0–2 chooses another view (`show`)."""

    def __init__(self, target, current):
        self.target, self.current = frozenset(target), frozenset(current)
        self.budget = len(self.target) - len(self.current)
        self.target_yz, self.target_xz = projection(self.target, "yz"), projection(self.target, "xz")
        self.shown, self.view, self.show_budget = self.current, "current", True

    def target_of(self, plane):
        return self.target_yz if plane == "yz" else self.target_xz

    def move(self, added):
        """Add voxels at empty positions, at most the budget; the structure must stay face-connected."""
        added = set(added)
        if (added & self.current or len(added) > self.budget or not connected(self.current | added)
                or not all(p in POSITIONS for p in added)):
            raise ValueError(f"cannot add {sorted(added)} to {sorted(self.current)}")
        return Reconstruction(self.target, self.current | added)

    def show(self, view, voxels):
        """Tasks 0–2 draw one of three views (current / solution / custom) and do not use the budget."""
        self.view, self.shown, self.show_budget = view, frozenset(voxels), False

    def to_json(self):
        listed = lambda voxels: [list(p) for p in sorted(voxels)]
        return {"current": listed(self.current), "shown": listed(self.shown), "view": self.view,
                "target": listed(self.target), "target_count": len(self.target), "budget": self.budget,
                "budget_shown": self.show_budget, "target_yz": self.target_yz, "target_xz": self.target_xz}


def grow(rng, start, size, inside=None, standing=False):
    """Start from one voxel and add a random face-neighbour of the structure until it has `size` voxels;
    optionally only positions in `inside`, and only positions that stand. None when no position is left."""
    voxels = {start}
    while len(voxels) < size:
        frontier = sorted({q for p in voxels for q in neighbours(p) if q not in voxels
                           and (inside is None or q in inside) and (not standing or stands(voxels | {q}))})
        if not frontier:
            return None
        voxels.add(rng.choice(frontier))
    return voxels


def new_state(rng, plot_level):
    for _ in range(STATE_TRIES):
        t = rng.randint(*TARGET_SIZE[plot_level])
        target = grow(rng, (rng.randint(1, 3), rng.randint(1, 3), 1), t)
        low, gap = CURRENT_RULE[plot_level]
        floor = [p for p in sorted(target) if p[2] == 1]
        current = grow(rng, rng.choice(floor), min(max(low, t - gap), t - 1), inside=target, standing=True)
        if current is not None and readable(current):
            return Reconstruction(target, current)
    raise RuntimeError(f"no drawable 3D reconstruction state in {STATE_TRIES} tries at {plot_level}")


# ---------------------------------------------------------------------------------------------------------
# The solver and the rules as the questions print them

def matches(voxels, state, planes=("yz", "xz")):
    return all(projection(voxels, plane) == state.target_of(plane) for plane in planes)


def valid_addition(state, added, planes=("yz", "xz")):
    """Whether adding `added` is legal within the budget and makes the asked projection(s) equal the targets."""
    added = set(added)
    return (len(added) <= state.budget and not added & state.current
            and connected(state.current | added) and matches(state.current | added, state, planes))


def minimal_additions(state):
    """The smallest valid additions for both targets, each sorted, in lexicographic order (all of that size).
    Only positions inside both target projections can belong to one (any other voxel adds a cell the target
    lacks). The target minus the current structure is always valid, so a set of size <= budget exists."""
    budget = Budget(SEARCH_BUDGET)
    want = projection_bits(state.target)
    have = projection_bits(state.current)
    candidates = [p for p in POSITIONS if p not in state.current
                  and CELL_BITS[p][0] & want[0] and CELL_BITS[p][1] & want[1]]
    for size in range(state.budget + 1):
        found = []
        for added in itertools.combinations(candidates, size):
            budget.tick()
            yz, xz = have
            for p in added:
                yz, xz = yz | CELL_BITS[p][0], xz | CELL_BITS[p][1]
            if (yz, xz) == want and connected(state.current | set(added)):
                found.append(added)
        if found:
            return found
    raise AssertionError("the target itself is a valid addition; the search cannot come back empty")


# ---------------------------------------------------------------------------------------------------------
# The renderer: an oblique view of the drawn structure (left) and the two target grids (right)

UNIT = 58
ORIGIN = (250, 178)  # screen position of the floor's back corner (x, y, z) = (0, 0, 0) in grid units
VIEW = (0.87, 0.55, 0.72)  # screen pixels per grid unit (in UNITs): x - y across, x + y down, z up


def screen(x, y, z, unit=UNIT, origin=ORIGIN):
    """Grid point (x, y, z) in cell units (0..3, the cell of voxel (x, y, z) spans [x-1, x]) -> pixel."""
    a, b, c = VIEW
    return (origin[0] + (x - y) * a * unit, origin[1] + ((x + y) * b - z * c) * unit)


def faces(v, unit=UNIT, origin=ORIGIN):
    """The three faces of voxel v that face the viewer (top, +x side, +y side) as pixel polygons."""
    x, y, z = v[0] - 1, v[1] - 1, v[2] - 1
    p = lambda a, b, c: screen(a, b, c, unit, origin)
    top = [p(x, y, z + 1), p(x + 1, y, z + 1), p(x + 1, y + 1, z + 1), p(x, y + 1, z + 1)]
    side_x = [p(x + 1, y, z), p(x + 1, y + 1, z), p(x + 1, y + 1, z + 1), p(x + 1, y, z + 1)]
    side_y = [p(x, y + 1, z), p(x + 1, y + 1, z), p(x + 1, y + 1, z + 1), p(x, y + 1, z + 1)]
    return top, side_x, side_y


def paint_order(voxels):
    return sorted(voxels, key=lambda v: (v[0] + v[1] + v[2], v[2], v))  # far to near: near cubes cover far ones


def visible_pixels(voxels, scale=0.5):
    """Pixels of each voxel left showing in the view (each painted in its own colour, at half size for speed)."""
    size, unit, origin = (int(500 * scale), int(400 * scale)), UNIT * scale, (ORIGIN[0] * scale, ORIGIN[1] * scale)
    image = Image.new("L", size, 0)
    draw = ImageDraw.Draw(image)
    order = paint_order(voxels)
    for k, v in enumerate(order, 1):
        for face in faces(v, unit, origin):
            draw.polygon(face, fill=k)
    counts = image.histogram()
    return {v: counts[k] / scale ** 2 for k, v in enumerate(order, 1)}


def readable(voxels):
    """The drawn structure stands and one view shows the height of every floor cell: each column's top voxel
    shows, and so would a voxel put on top of any column (or on an empty floor cell)."""
    voxels = set(voxels)
    if not stands(voxels):
        return False
    seen = visible_pixels(voxels)
    if any(seen[(x, y, z)] < MIN_VISIBLE_PX for x, y, z in voxels if (x, y, z + 1) not in voxels):
        return False
    stackable = [p for p in POSITIONS if p not in voxels and stands(voxels | {p})]
    return all(visible_pixels(voxels | {p})[p] >= MIN_VISIBLE_PX for p in stackable)


SHADES = ((170, 235, 245), (70, 185, 205), (35, 135, 165))  # top, +x side, +y side: cyan as in Game-RL
RED, BLUE, GREEN = (200, 0, 0), (0, 60, 200), (0, 130, 0)


def render(state):
    image = Image.new("RGB", (820, 440), "white")
    draw = ImageDraw.Draw(image)
    f, small = font(17), font(15)
    p = screen
    for i in range(4):  # back walls and floor, faint, so that heights and rows can be followed
        draw.line([p(0, i, 0), p(0, i, 3)], fill=(225, 225, 225))
        draw.line([p(i, 0, 0), p(i, 0, 3)], fill=(225, 225, 225))
        draw.line([p(0, 0, i), p(0, 3, i)], fill=(225, 225, 225))
        draw.line([p(0, 0, i), p(3, 0, i)], fill=(225, 225, 225))
        draw.line([p(i, 0, 0), p(i, 3, 0)], fill=(150, 150, 150), width=2)
        draw.line([p(0, i, 0), p(3, i, 0)], fill=(150, 150, 150), width=2)
    for i in (1, 2, 3):  # x along the y = 3 edge, y along the x = 3 edge: the two front edges of the floor
        draw.text(p(i - 0.5, 3.5, 0), f"x={i}", fill=RED, font=f, anchor="mm")
        draw.text(p(3.5, i - 0.5, 0), f"y={i}", fill=BLUE, font=f, anchor="mm")
    for v in paint_order(state.shown):
        for face, shade in zip(faces(v), SHADES):
            draw.polygon(face, fill=shade, outline=(20, 40, 50), width=2)
    u0, v0 = p(0, 3, 0)  # the height axis stands left of the floor's left corner, in front of everything
    draw.line([(u0 - 24, v0), (u0 - 24, p(0, 3, 3.15)[1])], fill=GREEN, width=2)
    for i in (1, 2, 3):
        draw.line([(u0 - 30, p(0, 3, i)[1]), (u0 - 18, p(0, 3, i)[1])], fill=GREEN, width=2)
        draw.text((u0 - 50, p(0, 3, i - 0.5)[1]), f"z={i}", fill=GREEN, font=f, anchor="mm")
    if state.show_budget:
        draw.rectangle((20, 12, 290, 42), fill=(255, 225, 180), outline=(220, 120, 0), width=2)
        draw.text((155, 27), f"Remaining available voxels: {state.budget}", fill="black", font=small, anchor="mm")
    for k, plane in enumerate(("yz", "xz")):
        x0, y0, cell = 520 + k * 160, 150, 38
        axis, colour = plane[0], (BLUE if plane == "yz" else RED)
        draw.text((x0 + 1.5 * cell, y0 - 48), f"Target {PLANE_NAME[plane]}", fill="black", font=f, anchor="mm")
        draw.text((x0 + 1.5 * cell, y0 - 26), f"(along {'x' if plane == 'yz' else 'y'})", fill="black", font=small, anchor="mm")
        matrix = state.target_of(plane)
        for i, z in enumerate((3, 2, 1)):
            draw.text((x0 - 14, y0 + (i + 0.5) * cell), str(z), fill=GREEN, font=f, anchor="mm")
            for j in range(3):
                draw.rectangle((x0 + j * cell, y0 + i * cell, x0 + (j + 1) * cell, y0 + (i + 1) * cell),
                               fill=(25, 75, 160) if matrix[i][j] else (240, 244, 252), outline="black")
        for j in range(3):
            draw.text((x0 + (j + 0.5) * cell, y0 + 3 * cell + 14), str(j + 1), fill=colour, font=f, anchor="mm")
        draw.text((x0 + 1.5 * cell, y0 + 3 * cell + 40), f"columns {axis}, rows z", fill="black", font=small, anchor="mm")
    return image


# ---------------------------------------------------------------------------------------------------------
# The questions: the rules each one restates, then one function per task

RULES = ("Game rules: space is a 3×3×3 grid of positions (x, y, z), each coordinate from 1 to 3, with z the height "
         "(z = 1 is the floor level). Each position holds at most one unit cube (voxel), and a structure is "
         "face-connected: all its voxels form one piece through shared faces. The left of the image draws a "
         "structure in an oblique view: x and y are read from the red x=… and blue y=… labels along the two front "
         "edges of the floor, and z from the green z=… labels on the vertical axis. The structure drawn stands on "
         "the floor: each of its voxels is on the floor or directly on top of another voxel, so a voxel covered by "
         "the one above it is still there.")
PROJECTIONS = ("The right of the image shows two target projections as 3×3 grids (dark = filled), each with rows "
               "z = 3, 2, 1 from top to bottom. The Y-Z projection is the view along the x axis: its cell (y, z) is "
               "filled when some voxel has that y and that z, whatever its x; its columns are y = 1, 2, 3 from left "
               "to right. The X-Z projection is the view along the y axis: its cell (x, z) is filled when some voxel "
               "has that x and that z, whatever its y; its columns are x = 1, 2, 3 from left to right.")
GOAL = ("The goal is to add voxels to the structure drawn so that both of its projections equal the targets "
        "exactly (no missing and no extra filled cells). Voxels go in empty positions and need no support from "
        "below, but the structure must stay face-connected: a set of voxels can be added, one touching the "
        "structure at a time, exactly when the structure with all of them is face-connected. At most {budget} "
        "voxels may be added in all (the remaining available voxels shown in the image).")


def layers(voxels):
    return "; ".join(f"z = {z}: " + (", ".join(fmt_pos(p) for p in sorted(voxels) if p[2] == z) or "none")
                     for z in (1, 2, 3))


def cells(matrix):
    """The filled cells of a drawn 3×3 projection as "(a, z)" pairs."""
    return [f"({a}, {z})" for i, z in enumerate((3, 2, 1)) for a in (1, 2, 3) if matrix[i][a - 1]]


def view_structure(rng, state, view, inside=()):
    """The structure a view of tasks 0–2 draws (deviation 8 for how it is built), or None if there is none.
    Task 2 may keep a custom structure's voxels inside the target projections it names ("yz", "xz")."""
    if view == "current":
        return set(state.current)
    if view == "solution":
        standing = [added for added in minimal_additions(state) if stands(state.current | set(added))]
        return state.current | set(standing[0]) if standing else None
    voxels = set(state.current)  # custom: k voxels, k from 1 to the budget, each standing and touching the rest
    target_bits, kept = projection_bits(state.target), [("yz", "xz").index(plane) for plane in inside]
    for _ in range(rng.randint(1, state.budget)):
        free = sorted({q for p in voxels for q in neighbours(p) if q not in voxels and stands(voxels | {q})
                       and all(CELL_BITS[q][k] & target_bits[k] for k in kept)})
        if not free:
            return None
        voxels.add(rng.choice(free))
    return voxels


def choose_view(rng, state):
    view = rng.choice(["current", "solution", "custom"])
    voxels = view_structure(rng, state, view)
    if voxels is None or not readable(voxels):
        raise GiveUp(f"the {view} view cannot be drawn readably")
    state.show(view, voxels)
    return voxels


def voxel_count(rng, state):
    voxels = choose_view(rng, state)
    heights = {(x, y): sum((x, y, z) in voxels for z in (1, 2, 3)) for x in (1, 2, 3) for y in (1, 2, 3)}
    columns = [f"({x}, {y}) has {h}" for (x, y), h in sorted(heights.items()) if h]
    question = (RULES + " The right of the image shows two target projections; they do not matter here.\n\n"
                "How many voxels does the structure drawn on the left contain? Answer with a number.")
    analysis = (f"The voxels by layer are {layers(voxels)}. By floor cell (x, y), since each column stands on the "
                f"floor: " + ", ".join(columns) + f". In total {' + '.join(str(h) for h in heights.values() if h)} "
                f"= {len(voxels)}.")
    return QA(question, analysis, str(len(voxels)))


def which_position(rng, state):
    voxels = choose_view(rng, state)
    filled = rng.choice(sorted(voxels))
    empty = rng.sample([p for p in POSITIONS if p not in voxels], 5)
    question = (RULES + "\n\nWhich of the following positions holds a voxel of the structure drawn on the left?")
    analysis = (f"The structure's voxels by layer are {layers(voxels)}. Of the options, "
                + ", ".join(f"{fmt_pos(p)} is empty" for p in empty) + f", and {fmt_pos(filled)} holds a voxel.")
    return QA(question, analysis, fmt_pos(filled), [fmt_pos(p) for p in empty],
              {"positions": [list(filled)] + [list(p) for p in empty]})


MATCH_OPTIONS = ["Neither projection matches its target", "Only the Y-Z projection matches its target",
                 "Only the X-Z projection matches its target", "Both projections match their targets"]


def match_verdict(voxels, state):
    yz, xz = (projection(voxels, plane) == state.target_of(plane) for plane in ("yz", "xz"))
    return MATCH_OPTIONS[yz + 2 * xz]


def projections_match(rng, state):
    wanted = rng.choice(MATCH_OPTIONS)  # deviation 5: the answer first, then a picture that gives it
    views = [(view, view_structure(rng, state, view)) for view in ("current", "solution")]
    views += [("custom", view_structure(rng, state, "custom", inside))
              for inside in ((), ("yz",), ("xz",), ("yz", "xz")) for _ in range(6)]
    fitting = sorted({(view, tuple(sorted(v))) for view, v in views if v is not None and match_verdict(v, state) == wanted})
    rng.shuffle(fitting)
    view, voxels = next(((view, set(v)) for view, v in fitting if readable(v)), (None, None))
    if voxels is None:
        raise GiveUp(f"no drawable view answers {wanted!r}")
    state.show(view, voxels)
    lines = []
    for plane in ("yz", "xz"):
        have, want = projection(voxels, plane), state.target_of(plane)
        extra = [c for c in cells(have) if c not in cells(want)]
        missing = [c for c in cells(want) if c not in cells(have)]
        lines.append(f"{PLANE_NAME[plane]}: the structure fills {', '.join(cells(have))} as ({plane[0]}, z); the "
                     f"target fills {', '.join(cells(want))}; "
                     + ("they match." if not extra and not missing else
                        f"they differ (extra: {', '.join(extra) or 'none'}; missing: {', '.join(missing) or 'none'})."))
    question = (RULES + " " + PROJECTIONS + "\n\nHow do the projections of the structure drawn on the left compare "
                "with the two target projections?")
    analysis = f"The structure's voxels by layer are {layers(voxels)}.\n" + "\n".join(lines) + f"\nSo: {wanted}."
    return QA(question, analysis, wanted, options=MATCH_OPTIONS)


def projection_after(rng, state):
    minimal = minimal_additions(state)[0]
    if not minimal:
        raise GiveUp("the current structure already matches both targets")  # deviation 4
    touching = sorted({q for p in state.current for q in neighbours(p) if q not in state.current})
    added = sorted(rng.sample(touching, min(len(touching), rng.randint(1, min(3, len(minimal))))))
    plane = rng.choice(["yz", "xz"])
    after = state.move(added)
    matrix = projection(after.current, plane)
    k = 0 if plane == "xz" else 1
    question = (RULES + " " + PROJECTIONS + " " + GOAL.format(budget=state.budget) + "\n\n"
                f"{len(added)} voxel(s) are added to the structure drawn, at " + ", ".join(map(fmt_pos, added)) +
                f". What is the {PLANE_NAME[plane]} projection of the resulting structure (not the target)? Answer "
                "with a 3×3 matrix of 0 and 1 laid out as the grids are drawn (rows z = 3, 2, 1; columns "
                f"{plane[0]} = 1, 2, 3), written like [[0, 1, 0], [1, 1, 1], [0, 0, 0]].")
    analysis = (f"The structure's voxels by layer are {layers(state.current)}. After adding "
                + ", ".join(map(fmt_pos, added)) + f" they are {layers(after.current)}. "
                + " ".join(f"At z = {z} the occupied {plane[0]} values are "
                           f"{sorted({v[k] for v in after.current if v[2] == z}) or 'none'}, so that row is "
                           f"{matrix[3 - z]}." for z in (3, 2, 1))
                + f" The {PLANE_NAME[plane]} projection is {fmt_matrix(matrix)}.")
    return QA(question, analysis, fmt_matrix(matrix), given={"added": [list(p) for p in added], "plane": plane})


def fmt_addition(added):
    return "Add voxels at positions: [" + ", ".join(map(fmt_pos, sorted(added))) + "]"


def wrong_additions(rng, state, gold, planes):
    """Seven additions that break the printed rules (deviation 3): the original's three classes, then near
    misses of the gold (one voxel moved or dropped). Each is a sorted tuple of distinct empty positions."""
    empty = [p for p in POSITIONS if p not in state.current]
    touching = sorted({q for p in state.current for q in neighbours(p) if q not in state.current})
    chosen, seen = [], {tuple(gold)}

    def offer(added):
        added = tuple(sorted(added))
        if added and added not in seen and not valid_addition(state, added, planes):
            seen.add(added)
            chosen.append(added)

    n = len(gold)
    for want, draw in ((2, lambda: rng.sample(touching, min(len(touching), rng.randint(n + 1, n + 2)))),  # oversized
                       (3, lambda: rng.sample(empty, n)),                                           # random positions
                       (2, lambda: rng.sample(touching, min(len(touching), rng.randint(1, n))))):   # small, touching
        goal = len(chosen) + want
        for _ in range(50):
            if len(chosen) >= goal:
                break
            offer(draw())
    near = [(set(gold) - {p}) | {q} for p in gold for q in empty if q not in gold] + [set(gold) - {p} for p in gold]
    rng.shuffle(near)
    for added in near:
        if len(chosen) >= 7:
            break
        offer(added)
    if len(chosen) < 7:
        raise GiveUp("fewer than 7 additions that break the rules")
    return chosen[:7]


def which_addition(rng, state):
    gold = minimal_additions(state)[0]
    if not gold:
        raise GiveUp("the current structure already matches both targets")  # deviation 4
    mode = "both" if rng.random() < 0.5 else rng.choice(["yz", "xz"])
    planes = ("yz", "xz") if mode == "both" else (mode,)
    wanted = ("both target projections" if mode == "both" else f"the target {PLANE_NAME[mode]} projection "
              f"(the {PLANE_NAME['xz' if mode == 'yz' else 'yz']} projection may differ from its target)")
    wrong = wrong_additions(rng, state, gold, planes)
    question = (RULES + " " + PROJECTIONS + " " + GOAL.format(budget=state.budget) + "\n\nWhich of these additions "
                f"follows the rules (at most {state.budget} voxels, the structure stays face-connected) and makes the "
                f"structure drawn on the left match {wanted}?")
    lines = []
    for added in sorted([gold] + wrong):
        union = state.current | set(added)
        fits = [PLANE_NAME[plane] + (" matches" if projection(union, plane) == state.target_of(plane) else " does not match")
                for plane in planes]
        lines.append(f"{fmt_addition(added)}: {len(added)} voxel(s), {'within' if len(added) <= state.budget else 'over'} "
                     f"the limit of {state.budget}; {'connected' if connected(union) else 'not connected'}; "
                     + ", ".join(fits) + ".")
    analysis = (f"The current structure's voxels by layer are {layers(state.current)}. Checking each option:\n"
                + "\n".join(lines) + f"\nOnly the option {fmt_addition(gold)} passes every check.")
    return QA(question, analysis, fmt_addition(gold), [fmt_addition(w) for w in wrong],
              {"mode": mode, "additions": [[list(p) for p in added] for added in [gold] + wrong]})


def fewest_additions(rng, state):
    found = minimal_additions(state)
    best = found[0]
    question = (RULES + " " + PROJECTIONS + " " + GOAL.format(budget=state.budget) + "\n\nWhat is the smallest "
                "number of voxels that must be added to the structure drawn on the left so that both of its "
                "projections equal the targets? Answer with a number.")
    lines, bound = [], 0
    for z in (1, 2, 3):  # each added voxel fills one (y, z) and one (x, z) cell of its own layer
        miss = {plane: [a for a in (1, 2, 3) if state.target_of(plane)[3 - z][a - 1]
                        and not projection(state.current, plane)[3 - z][a - 1]] for plane in ("yz", "xz")}
        bound += max(len(miss["yz"]), len(miss["xz"]))
        lines.append(f"At z = {z} the Y-Z target still lacks y = {miss['yz'] or 'none'} and the X-Z target x = "
                     f"{miss['xz'] or 'none'}, so this layer needs at least {max(len(miss['yz']), len(miss['xz']))} voxel(s).")
    candidates = [fmt_pos(p) for p in POSITIONS if p not in state.current
                  and state.target_yz[3 - p[2]][p[1] - 1] and state.target_xz[3 - p[2]][p[0] - 1]]
    analysis = (f"The current structure's voxels by layer are {layers(state.current)}.\n" + "\n".join(lines) +
                f"\nSo at least {bound} voxel(s) in all. A voxel can only go where both targets are filled at its "
                f"(y, z) and (x, z): {', '.join(candidates) or 'nowhere'}. Trying every set of these positions by size, "
                + (f"no set of fewer than {len(best)} fills every missing cell, adds none the targets lack and keeps "
                   f"the structure connected; adding " + ", ".join(map(fmt_pos, best)) + " does"
                   if best else "nothing needs adding: the structure already matches")
                + f" ({len(found)} set(s) of that size work). The minimum is {len(best)}.")
    return QA(question, analysis, str(len(best)))


TASKS = [
    Task(0, "the number of voxels in the structure", "Target Perception", "Easy", voxel_count),
    Task(1, "which of six positions holds a voxel", "Target Perception", "Easy", which_position),
    Task(2, "how the structure's projections match the targets", "Target Perception", "Medium", projections_match),
    Task(3, "a projection after adding voxels (3×3 matrix)", "State Prediction", "Medium", projection_after),
    Task(4, "which addition makes the structure match the target projection(s)", "State Prediction", "Hard", which_addition),
    Task(5, "the fewest voxels to add to match both target projections", "Strategy Optimization", "Hard", fewest_additions),
]
