"""3D Reconstruction (3D spatial perception, in-domain). Unit voxels in a 3×3×3 grid, positions (x, y, z) with
every coordinate 1..3 and z the height, drawn in a fixed oblique view beside two target projections. Plot
level = voxel count 3–5 / 6–10 / 11–15. The structure drawn always stands on the floor (each voxel on the floor
or on another voxel) because floating cubes are ambiguous in any single view; every voxel must also show at
least a few pixels in the picture (checked by rendering each voxel in its own colour).
"""
from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, numeric_distractors, font


COUNT = {"Easy": (3, 5), "Medium": (6, 10), "Hard": (11, 15)}
UNIT = 56
MIN_VISIBLE_PX = 40


def projection(voxels, axis):
    """3×3 matrix of 0/1: rows z = 3 (top) .. 1 (bottom); columns x = 1..3 for axis "xz", y = 1..3 for "yz"."""
    k = 0 if axis == "xz" else 1
    return [[int(any(v[k] == a and v[2] == z for v in voxels)) for a in (1, 2, 3)] for z in (3, 2, 1)]


def fmt_matrix(m):
    return "[" + ",".join("[" + ",".join(map(str, row)) + "]" for row in m) + "]"


class Recon:
    def __init__(self, voxels, target_xz, target_yz):
        self.voxels = frozenset(tuple(v) for v in voxels)
        self.target_xz, self.target_yz = target_xz, target_yz

    def move(self, added):
        """Place voxels at the given empty positions (they need no support)."""
        assert not set(added) & self.voxels
        return Recon(self.voxels | set(added), self.target_xz, self.target_yz)

    def allowed(self):
        """Positions a voxel may take without leaving either target projection."""
        return {(x, y, z) for x in (1, 2, 3) for y in (1, 2, 3) for z in (1, 2, 3)
                if self.target_xz[3 - z][x - 1] and self.target_yz[3 - z][y - 1]}

    def to_json(self):
        return {"voxels": [list(v) for v in sorted(self.voxels)], "target_xz": self.target_xz, "target_yz": self.target_yz}


def new_state(rng, plot_level):
    while True:
        n = rng.randint(*COUNT[plot_level])
        voxels = set()
        while len(voxels) < n:  # stack cubes: a new one goes on the floor or on top of an existing column
            x, y = rng.randint(1, 3), rng.randint(1, 3)
            z = 1 + sum((x, y, h) in voxels for h in (1, 2, 3))
            if z <= 3:
                voxels.add((x, y, z))
        empty = [(x, y, z) for x in (1, 2, 3) for y in (1, 2, 3) for z in (1, 2, 3) if (x, y, z) not in voxels]
        extra = rng.sample(empty, min(len(empty), rng.randint(1, 3)))  # the targets come from a larger structure
        state = Recon(voxels, projection(voxels | set(extra), "xz"), projection(voxels | set(extra), "yz"))
        if min(visible_pixels(state).values()) >= MIN_VISIBLE_PX:
            return state


def screen(x, y, z, origin):
    """Oblique view from the +x, +y, +z side: x runs right-down, y left-down, z straight up."""
    s = UNIT
    return (origin[0] + (x - y) * 0.87 * s, origin[1] + (x + y) * 0.42 * s - z * 0.95 * s)


def faces(v, origin):
    """The three faces of voxel v seen from the viewer (top, +x side, +y side) as screen polygons."""
    x, y, z = v[0] - 1, v[1] - 1, v[2] - 1  # the voxel fills [x, x+1] × [y, y+1] × [z, z+1]
    p = lambda a, b, c: screen(a, b, c, origin)
    top = [p(x, y, z + 1), p(x + 1, y, z + 1), p(x + 1, y + 1, z + 1), p(x, y + 1, z + 1)]
    side_x = [p(x + 1, y, z), p(x + 1, y + 1, z), p(x + 1, y + 1, z + 1), p(x + 1, y, z + 1)]
    side_y = [p(x, y + 1, z), p(x + 1, y + 1, z), p(x + 1, y + 1, z + 1), p(x, y + 1, z + 1)]
    return top, side_x, side_y


def paint_order(voxels):
    return sorted(voxels, key=lambda v: (v[0] + v[1] + v[2], v[2]))  # far to near: later cubes cover earlier ones


ORIGIN = (230, 200)


def visible_pixels(state):
    """Pixels of each voxel left visible in the view (each voxel painted in its own colour)."""
    image = Image.new("RGB", (420, 400), (0, 0, 0))
    draw = ImageDraw.Draw(image)
    ids = {}
    for k, v in enumerate(paint_order(state.voxels), 1):
        ids[(k, k, k)] = v
        for face in faces(v, ORIGIN):
            draw.polygon(face, fill=(k, k, k))
    counts = {v: 0 for v in state.voxels}
    for count, colour in image.getcolors(420 * 400):
        if colour in ids:
            counts[ids[colour]] += count
    return counts


def render(state):
    image = Image.new("RGB", (720, 400), "white")
    draw = ImageDraw.Draw(image)
    f = font(16)
    p = lambda a, b, c: screen(a, b, c, ORIGIN)
    for i in range(4):  # the floor grid and its tick labels: x along the left-front edge, y along the right-front
        draw.line([p(i, 0, 0), p(i, 3, 0)], fill=(150, 150, 150), width=1)
        draw.line([p(0, i, 0), p(3, i, 0)], fill=(150, 150, 150), width=1)
    for i in (1, 2, 3):
        draw.text(p(i - 0.5, 3.55, 0), f"x={i}", fill=(200, 0, 0), font=f, anchor="mm")
        draw.text(p(3.55, i - 0.5, 0), f"y={i}", fill=(0, 0, 200), font=f, anchor="mm")
    for v in paint_order(state.voxels):
        for face, shade in zip(faces(v, ORIGIN), ((235, 200, 120), (200, 150, 70), (160, 110, 50))):
            draw.polygon(face, fill=shade, outline=(60, 40, 20), width=2)
    u0, v0 = p(0, 3, 0)  # the height axis stands at the left corner of the floor, in front of everything
    draw.line([(u0 - 22, v0), (u0 - 22, p(0, 3, 3.2)[1])], fill=(0, 130, 0), width=2)
    for i in (1, 2, 3):
        draw.text((u0 - 46, p(0, 3, i - 0.5)[1]), f"z={i}", fill=(0, 130, 0), font=f, anchor="mm")
    for k, (title, matrix, axis) in enumerate((("X-Z projection", state.target_xz, "x"), ("Y-Z projection", state.target_yz, "y"))):
        x0, y0, cell = 440 + k * 140, 120, 34
        draw.text((x0 + 1.5 * cell, y0 - 40), title, fill="black", font=f, anchor="mm")
        for i, z in enumerate((3, 2, 1)):
            draw.text((x0 - 12, y0 + i * cell + cell / 2), str(z), fill=(0, 130, 0), font=f, anchor="mm")
            for j in range(3):
                draw.rectangle((x0 + j * cell, y0 + i * cell, x0 + (j + 1) * cell, y0 + (i + 1) * cell),
                               fill=(110, 110, 110) if matrix[i][j] else "white", outline="black")
        for j in range(3):
            draw.text((x0 + j * cell + cell / 2, y0 + 3 * cell + 12), str(j + 1), fill=(200, 0, 0) if axis == "x" else (0, 0, 200), font=f, anchor="mm")
        draw.text((x0 + 1.5 * cell, y0 + 3 * cell + 34), f"columns {axis}, rows z", fill="black", font=f, anchor="mm")
    return image


INTRO = ("The left of the image shows a structure of unit cubes (voxels) inside a 3×3×3 grid. A voxel's position "
               "is (x, y, z), each coordinate from 1 to 3: x and y locate it on the floor, as the red x=… labels and "
               "the blue y=… labels along the two front edges of the floor show, and z is its height level (z = 1 on "
               "the floor), as the green z=… labels on the vertical axis show. The right of the image shows two target projections as "
               "3×3 grids with z = 3 in the top row and z = 1 in the bottom row: in the X-Z projection the columns are "
               "x = 1, 2, 3 from left to right and cell (x, z) is filled when some voxel has that x and that z (any y); "
               "in the Y-Z projection the columns are y = 1, 2, 3 and cell (y, z) is filled when some voxel has that y "
               "and that z (any x). Voxels may be added at any empty position; they need no support.")


def layers(voxels):
    return "; ".join(f"z = {z}: " + (", ".join(f"({x}, {y}, {z})" for x, y, zz in sorted(voxels) if zz == z) or "none")
                     for z in (1, 2, 3))


def voxel_count(rng, state):
    n = len(state.voxels)
    heights = {(x, y): sum((x, y, z) in state.voxels for z in (1, 2, 3)) for x in (1, 2, 3) for y in (1, 2, 3)}
    columns = [f"({x}, {y}) has {h}" for (x, y), h in sorted(heights.items()) if h]
    question = INTRO + "\n\nHow many voxels does the structure on the left contain?"
    analysis = ("Count the voxels column by column (each column is a floor position (x, y) and its stack): "
                + ", ".join(columns) + f". In total {' + '.join(str(h) for h in heights.values() if h)} = {n} voxels.")
    return QA(question, analysis, str(n), numeric_distractors(rng, n, low=1))


def projection_after(rng, state):
    empty = [(x, y, z) for x in (1, 2, 3) for y in (1, 2, 3) for z in (1, 2, 3) if (x, y, z) not in state.voxels]
    added = sorted(rng.sample(empty, rng.randint(1, 3)))
    axis = rng.choice(["xz", "yz"])
    after = state.move(added)
    matrix = projection(after.voxels, axis)
    name = "X-Z" if axis == "xz" else "Y-Z"
    question = (INTRO + "\n\nVoxels are added at " + ", ".join(f"({x}, {y}, {z})" for x, y, z in added) +
                f". What is the {name} projection of the resulting structure (not the target one)? Answer with a 3×3 "
                "matrix of 0 and 1, rows from z = 3 down to z = 1, written like [[0,1,0],[1,1,1],[0,0,0]].")
    k = 0 if axis == "xz" else 1
    analysis = (f"The structure's voxels by layer are {layers(state.voxels)}. After adding "
                + ", ".join(map(str, added)) + f" they are {layers(after.voxels)}. "
                + " ".join(f"At z = {z} the occupied {axis[0]} values are {sorted({v[k] for v in after.voxels if v[2] == z}) or 'none'}, "
                           f"so that row is {matrix[3 - z]}." for z in (3, 2, 1))
                + f" The {name} projection is {fmt_matrix(matrix)}.")
    return QA(question, analysis, fmt_matrix(matrix), None, {"added": [list(v) for v in added], "axis": axis})


def min_add(rng, state):
    lines, total = [], 0
    for z in (1, 2, 3):  # layers are independent: each needs its target x's and y's covered by voxels at that z
        need_x = {x for x in (1, 2, 3) if state.target_xz[3 - z][x - 1]} - {v[0] for v in state.voxels if v[2] == z}
        need_y = {y for y in (1, 2, 3) if state.target_yz[3 - z][y - 1]} - {v[1] for v in state.voxels if v[2] == z}
        # one new voxel (x, y, z) covers one missing x and one missing y at once, so pair them up
        total += max(len(need_x), len(need_y))
        lines.append(f"At z = {z}, x values still missing from the X-Z target: {sorted(need_x) or 'none'}; y values still "
                     f"missing from the Y-Z target: {sorted(need_y) or 'none'}; pairing them needs "
                     f"{max(len(need_x), len(need_y))} voxel(s).")
    if total == 0:
        raise GiveUp("the structure already matches both targets")
    question = (INTRO + "\n\nThe current structure lies within both target projections. What is the smallest "
                "number of voxels that must be added so that its X-Z and Y-Z projections both equal the targets?")
    analysis = (f"The structure's voxels by layer are {layers(state.voxels)}. A voxel can only be added where both "
                "targets are filled at its (x, z) and (y, z), and each layer z is independent.\n" + "\n".join(lines) +
                f"\nIn total {total} voxel(s).")
    return QA(question, analysis, str(total), numeric_distractors(rng, total, low=1))


def which_position(rng, state):
    filled = rng.choice(sorted(state.voxels))
    empty = [(x, y, z) for x in (1, 2, 3) for y in (1, 2, 3) for z in (1, 2, 3) if (x, y, z) not in state.voxels]
    others = rng.sample(empty, 3)
    question = INTRO + "\n\nWhich of the following positions holds a voxel of the structure on the left?"
    analysis = (f"The structure's voxels by layer are {layers(state.voxels)}. Of the options, "
                + ", ".join(f"({x}, {y}, {z}) is empty" for x, y, z in others) + f", and ({filled[0]}, {filled[1]}, "
                f"{filled[2]}) holds a voxel.")
    fmt = lambda v: f"({v[0]}, {v[1]}, {v[2]})"
    return QA(question, analysis, fmt(filled), [fmt(v) for v in others], {"positions": [list(filled)] + [list(v) for v in others]})


TASKS = [
    Task(1, "the number of voxels in the structure", "Target Perception", "Easy", voxel_count),
    Task(2, "a projection after adding voxels (3×3 matrix)", "State Prediction", "Medium", projection_after),
    Task(3, "the fewest voxels to add to match both target projections", "Strategy Optimization", "Hard", min_add),
    Task(4, "which of four positions holds a voxel", "Target Perception", "Easy", which_position),
]
