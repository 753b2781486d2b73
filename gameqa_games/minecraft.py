"""Minecraft, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `minecraft`, 3D spatial perception and
understanding, out-of-domain (held out of training).

The game. A Minecraft-like world of unit cubes (blocks) on a flat ground of square cells. The player can place a
block in any empty cell of the 3D grid that shares a face with a block or the ground; a block placed in river
water replaces the water, and the player can walk on it. The player walks between ground cells that share a side
and can neither wade through nor jump over water, so crossing a straight river costs as many blocks as the river
is wide (a bridge straight across). A block on the ground is at height 1, one on top of n stacked blocks at height
n + 1. The player is 2 blocks tall: on the ground his feet are at height 1 and his upper body at height 2. He can
mine a block from a cell beside its stack (sharing a side) once his upper body is not below it, so a block at
height n + 1 needs max(0, n - 1) blocks placed under his feet, or none if the stack carries ladders, which he
climbs for free.

Coordinates. The record uses Minecraft's axes: x and z across the ground, y up; ground cells are (x, z), a block
on the ground has y = 0 and the ground layer is y = -1. Neither the image nor the text gives coordinates (the
questions need none): the picture is a view from a random side, and the coordinates are in `state` only.

Plot levels are Game-RL's, measured the same way but asked for: each task draws its scene inside the level's band
(the number of sceneries 3 / 4 / 5; the cuboid's cubes <= 30 / 31-70 / > 70; the river's width <= 2 / 3 / 4; the
blocks under the target <= 1 / 2-3 / 4; width + blocks under the target <= 3 / 4-6 / > 6).

The tasks are Game-RL's five (its question ids and levels):
  1 Target Perception / Easy     which option lists exactly the sceneries in the scene (8 options)
  2 Target Perception / Medium   how many cubes make the solid cuboid (fill-in)
  3 State Prediction / Medium    fewest blocks to cross the river from the red tile (fill-in)
  4 State Prediction / Medium    fewest blocks to obtain the target on top of a stack (fill-in)
  5 State Prediction / Hard      fewest blocks to obtain the target, a river perhaps in between (fill-in)

Deviations from Game-RL:
  1. Drawn with Pillow, not screenshotted from the Ursina/Panda3D engine (which needs a display and leaves its
     debug overlay in the picture): an orthographic view of unit cubes painted far to near, flat-shaded faces
     (top lightest) with dark edges so cubes can be counted, and simple looks for Game-RL's textures (bricks,
     ore specks, TNT's band and letters, pumpkin grooves, ladder rails and rungs, a blue river and orange lava
     sunk a little below the ground). The camera looks down 28-50 degrees from one of the four diagonal sides
     (azimuth 45 + 90k degrees, +-20), so reading the scene in 3D is never a fixed trick. Game-RL's perspective
     camera orbits the objects' centroid at a random distance; ours is orthographic and fitted to the cells the
     question is about (`frame` in the record), the ground running on past the picture's edges.
  2. Task 1's distractors use only the 8 sceneries the question lists. Game-RL also draws "Tree", which the
     question never lists, so those options can be struck out unseen. Four of the seven distractors (ours)
     differ from the gold in one scenery, so every listed item must be checked. Names are listed in
     alphabetical order, as Game-RL sorts them (it also shuffles them inside every option half the time).
  3. Colours are fixed and told apart: the ground is green, dark green, brown, sand or lilac, never close to
     the water's blue, the lava's orange or the player's red. Game-RL draws ground colours at random, near blue
     or orange at times, which makes river and lava ambiguous. The cuboid's and the stack's colours stand out
     from the ground, and no stack block has the colour of the one below it, so the blocks can be counted.
  4. A camera that hides more than half of a scenery (task 1), or of the player's red tile (task 5), is drawn
     again. Game-RL keeps such pictures and tells the reader of task 5 to assume the same side when the marker
     is hidden; that clause is dropped. Task 1's objects stand one cell apart, so each reads as one object.
  5. A stack of no blocks never has ladders. Game-RL's ladder flag can be set with nothing to attach it to.
  6. The rules say where the player must stand to mine (beside the stack) and that the river runs straight
     across the whole ground; Game-RL leaves both implicit. The river and the lava lie a quarter block below
     the ground so they read as liquids; a block placed in the water fills the cell up to the ground.
  7. The record holds the whole scene (every block, the water and lava cells, the red tile, the camera, the
     frame and the ground's look) and each task's summary; Game-RL stores only the summary, under the key
     `pumkin_position` for any target.
  8. Engine-wide (gameqa.py): task 1's options are lettered A-H and shuffled and the gold is the letter
     (Game-RL numbers them 1-8 and answers the number).
"""
import functools
import itertools
import math

from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp

SCENERIES = ("Brick", "Diamond Ore", "Gold Ore", "Ladder", "Lava", "Pumpkin", "River", "TNT")  # Game-RL's names, sorted
SCENERY_COUNT = {"Easy": 3, "Medium": 4, "Hard": 5}
CUBOID_CUBES = {"Easy": (1, 30), "Medium": (31, 70), "Hard": (71, 200)}
RIVER_WIDTHS = {"Easy": (1, 2), "Medium": (3,), "Hard": (4,)}
STACK_HEIGHTS = {"Easy": (0, 1), "Medium": (2, 3), "Hard": (4,)}
CROSS_AND_CLIMB = {"Easy": (0, 3), "Medium": (4, 6), "Hard": (7, 8)}  # task 5: river width + blocks under the target
TARGETS = {"pumpkin": "pumpkin", "gold ore": "gold_ore", "diamond ore": "diamond_ore"}  # name -> block kind
LADDER_P = 0.3       # Game-RL's chance that a stack carries ladders
SAME_SIDE_P = 0.3    # Game-RL's chance that task 5's target is on the player's side of the river
GROUND_MARGIN = 5   # ground cells laid around the part of the scene the picture is fitted to
CAMERA_TRIES = 8     # cameras a task tries before it gives the scene up
MIN_SHOWN = 0.5      # share of an object's pixels that must stay in sight (deviation 4)

GROUNDS = {"green": (104, 168, 62), "dark green": (64, 122, 58), "brown": (140, 104, 70), "sand": (214, 198, 150),
           "lilac": (168, 150, 196)}
GRIDS = ("white", "dark", "none")  # the ground's cell lines


# ---------------------------------------------------------------------------------------------------------
# The world: ground cells, blocks on them, the player's one action (placing a block), and a camera

class World:
    """A patch of ground cells (x, z), each "grass", "water", "lava" or "player" (the red tile he stands on),
    with a dirt layer below, and blocks at (x, y, z), y >= 0. Each task builds its scene into a fresh world."""

    def __init__(self, look, camera, plot_level=None):
        self.look, self.camera, self.plot_level = look, camera, plot_level  # the level the task builds the scene for
        self.ground = {}    # (x, z) -> "grass" | "water" | "lava" | "player" | "placed"
        self.blocks = {}    # (x, y, z) -> kind: brick, gold_ore, diamond_ore, tnt, pumpkin, stone, block, placed
        self.colours = {}   # (x, y, z) -> (r, g, b) of a plain coloured "block"
        self.ladders = set()  # blocks with ladders on their four sides
        self.objects = {}   # (x, y, z) or (x, z) -> the object it belongs to, for the visibility check

    def lay_ground(self, xs, zs):
        """Grass over the cells x in xs, z in zs (inclusive), the frame the picture is fitted to, and on for
        GROUND_MARGIN cells around it, past the picture's edges."""
        self.frame = (xs, zs)
        m = GROUND_MARGIN
        self.ground = {(x, z): "grass" for x in range(xs[0] - m, xs[1] + m + 1)
                       for z in range(zs[0] - m, zs[1] + m + 1)}

    def free(self, cell):
        return self.ground.get(cell) == "grass" and not any((cell[0], y, cell[1]) in self.blocks for y in range(8))

    def put(self, pos, kind, owner, colour=None, ladder=False):
        self.blocks[pos] = kind
        self.objects[pos] = owner
        if colour:
            self.colours[pos] = colour
        if ladder:
            self.ladders.add(pos)

    def solid(self, pos):
        x, y, z = pos
        if y >= 0:
            return pos in self.blocks
        return y == -1 and self.ground.get((x, z)) in ("grass", "player", "placed")

    def move(self, pos):
        """The player places one block at pos. Legal in an empty cell sharing a face with a block or the ground,
        or in a water cell of the ground, which it fills up to the ground. Raises ValueError otherwise."""
        x, y, z = pos
        if y == -1 and self.ground.get((x, z)) == "water":
            self.ground[(x, z)] = "placed"
            return
        touching = any(self.solid((x + dx, y + dy, z + dz)) for dx, dy, dz in
                       ((1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)))
        if y < 0 or pos in self.blocks or (x, z) not in self.ground or not touching:
            raise ValueError(f"cannot place a block at {pos}")
        self.put(pos, "placed", "placed")

    def copy(self):
        other = World(self.look, self.camera, self.plot_level)
        other.ground, other.blocks, other.colours = dict(self.ground), dict(self.blocks), dict(self.colours)
        other.ladders, other.objects = set(self.ladders), dict(self.objects)
        return other

    def aim(self, rng):
        """A fresh camera: a diagonal side (deviation 1) and a downward angle."""
        self.camera = {"azimuth": 45 + 90 * rng.randrange(4) + rng.randint(-20, 20), "elevation": rng.randint(28, 50)}

    def to_json(self):
        cells = lambda kind: [list(c) for c in sorted(self.ground) if self.ground[c] == kind]
        xs, zs = sorted({x for x, _ in self.ground}), sorted({z for _, z in self.ground})
        blocks = []
        for pos in sorted(self.blocks):
            row = {"at": list(pos), "kind": self.blocks[pos]}
            if pos in self.colours:
                row["colour"] = "#%02x%02x%02x" % self.colours[pos]
            if pos in self.ladders:
                row["ladder"] = True
            blocks.append(row)
        player = cells("player")
        return {"ground": {"x": [xs[0], xs[-1]], "z": [zs[0], zs[-1]]},
                "frame": {"x": list(self.frame[0]), "z": list(self.frame[1])}, "water": cells("water"),
                "lava": cells("lava"), "player": player[0] if player else None, "blocks": blocks,
                "look": dict(self.look), "camera": dict(self.camera)}


def new_state(rng, plot_level):
    """An empty world with its look (ground colour and lines, sky or not) and a camera. The scene itself is the
    task's (Game-RL builds a different scene for each task); the plot level reaches the task through the engine."""
    look = {"ground": rng.choice(sorted(GROUNDS)), "grid": rng.choice(GRIDS), "sky": rng.random() < 0.5}
    world = World(look, None, plot_level)
    world.aim(rng)
    return world


# ---------------------------------------------------------------------------------------------------------
# The solvers: a bridge straight across, and a pillar under the feet, both built with `move`

def bridge(world, cell, step):
    """Walk from `cell` in the direction `step` until past the water, placing a block on every water cell met.
    Returns the number of blocks placed (the world is changed)."""
    placed, (x, z) = 0, cell
    while True:
        x, z = x + step[0], z + step[1]
        kind = world.ground.get((x, z))
        if kind == "water":
            world.move((x, -1, z))
            placed += 1
        elif placed or kind is None:
            return placed


def pillar(world, stand, target_y):
    """Place blocks under the player's feet at `stand` (a cell beside the stack) until his upper body is not
    below the target block at level target_y. Returns the number placed."""
    feet = 0  # the level of the player's feet: 0 on the ground; his upper body is at feet + 1
    while feet + 1 < target_y:
        world.move((stand[0], feet, stand[1]))
        feet += 1
    return feet


def climb(world, base, n):
    """The blocks needed to mine the block on top of the n-block stack at `base`, from a free cell beside it."""
    if n and (base[0], 0, base[1]) in world.ladders:
        return 0
    stand = next(c for c in sorted(beside(base)) if world.ground.get(c) in ("grass", "player", "placed")
                 and not any((c[0], y, c[1]) in world.blocks for y in range(8)))
    return pillar(world.copy(), stand, n)


def beside(cell):
    return [(cell[0] + 1, cell[1]), (cell[0] - 1, cell[1]), (cell[0], cell[1] + 1), (cell[0], cell[1] - 1)]


# ---------------------------------------------------------------------------------------------------------
# The image: an orthographic view from a diagonal side. The screen position of a point is linear in it. Unit
# cubes on a grid are painted in ascending sx*x + y + sz*z (sx, sz: the signs of the view's x and z), a correct
# far-to-near order: two cubes whose pictures overlap are separated by a grid plane, and the one on the viewer's
# side of it has the larger sum.

WIDTH, HEIGHT, MARGIN, MAX_SCALE = 720, 450, 26, 72
LIQUID_TOP = 0.75   # water and lava fill the lower three quarters of their ground cell
SHADE = {"top": 1.0, "x": 0.8, "z": 0.64}
LOOKS = {"grass": None, "dirt": (118, 84, 56), "water": (58, 132, 226), "lava": (236, 104, 24),
         "player": (222, 28, 28), "placed": (150, 150, 150), "brick": (168, 62, 46), "gold_ore": (128, 128, 128),
         "diamond_ore": (128, 128, 128), "tnt": (206, 40, 32), "pumpkin": (228, 132, 22), "stone": (132, 132, 132)}
CUBOID_COLOURS = {"red": (200, 50, 50), "blue": (60, 90, 210), "yellow": (235, 205, 50), "purple": (140, 70, 190),
                  "cyan": (60, 190, 200), "orange": (235, 140, 40), "pink": (238, 140, 180), "white": (235, 235, 235)}
STACK_COLOURS = {"white": (235, 235, 235), "pink": (238, 140, 180), "purple": (140, 70, 190),  # none like water
                 "yellow": (235, 205, 50), "cyan": (60, 190, 200), "magenta": (196, 60, 170)}
SKY = (176, 214, 250), (228, 240, 255)
PLAIN = (246, 246, 242)


def apart(palette, world):
    """The names of the palette's colours that stand out from the world's ground colour."""
    ground = GROUNDS[world.look["ground"]]
    return [name for name, c in sorted(palette.items()) if sum((p - q) ** 2 for p, q in zip(c, ground)) > 110 ** 2]


@functools.lru_cache(maxsize=None)
def shaded(colour, k):
    return tuple(min(255, round(v * k)) for v in colour)


class View:
    """World point -> pixel for the world's camera, scaled and centred so that the world's frame (the cells the
    questions are about) and every block fit; the ground runs on past the picture's edges."""

    def __init__(self, world):
        a, e = math.radians(world.camera["azimuth"]), math.radians(world.camera["elevation"])
        self.sx, self.sz = (1 if math.cos(a) > 0 else -1), (1 if math.sin(a) > 0 else -1)
        self.right = (math.sin(a), 0.0, -math.cos(a))
        self.up = (-math.sin(e) * math.cos(a), math.cos(e), -math.sin(e) * math.sin(a))
        (x0, x1), (z0, z1) = world.frame
        top = 1 + max([y for _, y, _ in world.blocks] + [0])
        corners = [(x, y, z) for x in (x0, x1 + 1) for y in (-1, top) for z in (z0, z1 + 1)]
        us, vs = [self.dot(c, self.right) for c in corners], [self.dot(c, self.up) for c in corners]
        self.scale = min(MAX_SCALE, (WIDTH - 2 * MARGIN) / (max(us) - min(us)),
                         (HEIGHT - 2 * MARGIN) / (max(vs) - min(vs)))
        self.ox = WIDTH / 2 - self.scale * (max(us) + min(us)) / 2
        self.oy = HEIGHT / 2 + self.scale * (max(vs) + min(vs)) / 2
        self.steps = [(self.scale * r, -self.scale * u) for r, u in zip(self.right, self.up)]  # pixels per unit x, y, z

    @staticmethod
    def dot(p, q):
        return p[0] * q[0] + p[1] * q[1] + p[2] * q[2]

    def __call__(self, p):
        (ax, ay), (bx, by), (cx, cy) = self.steps
        return (self.ox + p[0] * ax + p[1] * bx + p[2] * cx, self.oy + p[0] * ay + p[1] * by + p[2] * cy)

    def face(self, corner, u, v):
        """The parallelogram corner + s*u + t*v (s, t in [0, 1]) as a map from (s, t) to a pixel."""
        (ox, oy), (ux, uy), (vx, vy) = self(corner), self.offset(u), self.offset(v)
        return lambda s, t: (ox + s * ux + t * vx, oy + s * uy + t * vy)

    def offset(self, d):
        (ax, ay), (bx, by), (cx, cy) = self.steps
        return (d[0] * ax + d[1] * bx + d[2] * cx, d[0] * ay + d[1] * by + d[2] * cy)


def cubes(world):
    """Every drawn box: (x, y, z, height, kind, owner), the ground's two layers and the blocks."""
    out = []
    for (x, z), kind in world.ground.items():
        owner = {"water": "River", "lava": "Lava", "player": "player"}.get(kind, "ground")
        out.append((x, -2, z, 1.0, "dirt", "ground"))
        out.append((x, -1, z, LIQUID_TOP if kind in ("water", "lava") else 1.0, kind, world.objects.get((x, z), owner)))
    for (x, y, z), kind in world.blocks.items():
        out.append((x, y, z, 1.0, kind, world.objects.get((x, y, z), "block")))
    return out


def faces(world, view):
    """The faces to paint, far to near: (owner, kind, side, position, map (s, t) -> pixel, corner pixels). A face
    against a full neighbour is never seen, and a cube wholly outside the picture is not drawn: both are skipped."""
    boxes = cubes(world)
    full = {(x, y, z) for x, y, z, h, _, _ in boxes if h == 1.0}
    sx, sz, reach = view.sx, view.sz, view.scale  # a unit cube's picture lies within 0.87 scale of its centre
    out = []
    for x, y, z, h, kind, owner in sorted(boxes, key=lambda c: (sx * c[0] + c[1] + sz * c[2], c[:3])):
        u, v = view((x + 0.5, y + 0.5, z + 0.5))
        if not (-reach < u < WIDTH + reach and -reach < v < HEIGHT + reach):
            continue
        fx, fz = x + (sx > 0), z + (sz > 0)  # the x and z planes of the faces turned to the viewer
        todo = []
        if (x, y + 1, z) not in full:
            todo.append(("top", view.face((x, y + h, z), (1, 0, 0), (0, 0, 1))))
        if (x + sx, y, z) not in full:  # a side face's s runs left to right on the screen, t upwards
            z0, dz = (z + 1, -1) if view.dot((0, 0, 1), view.right) < 0 else (z, 1)
            todo.append(("x", view.face((fx, y, z0), (0, 0, dz), (0, h, 0))))
        if (x, y, z + sz) not in full:
            x0, dx = (x + 1, -1) if view.dot((1, 0, 0), view.right) < 0 else (x, 1)
            todo.append(("z", view.face((x0, y, fz), (dx, 0, 0), (0, h, 0))))
        out += [(owner, kind, side, (x, y, z), at, quad(at)) for side, at in todo]
    return out


def quad(at):
    return [at(0, 0), at(1, 0), at(1, 1), at(0, 1)]


def rect(draw, at, s0, t0, s1, t1, fill):
    draw.polygon([at(s0, t0), at(s1, t0), at(s1, t1), at(s0, t1)], fill=fill)


def line(draw, at, s0, t0, s1, t1, fill, width):
    draw.line([at(s0, t0), at(s1, t1)], fill=fill, width=width)


SPECKS = {"gold_ore": ((240, 200, 40), ((0.18, 0.22), (0.6, 0.14), (0.42, 0.5), (0.76, 0.6), (0.2, 0.74),
                                       (0.58, 0.82))),
          "diamond_ore": ((90, 230, 230), ((0.22, 0.16), (0.7, 0.26), (0.38, 0.46), (0.14, 0.62), (0.66, 0.7),
                                           (0.4, 0.84)))}
LAVA_BLOTCHES = ((0.12, 0.15, 0.42, 0.38), (0.55, 0.1, 0.85, 0.3), (0.3, 0.55, 0.6, 0.85), (0.7, 0.55, 0.9, 0.75))
LETTERS = {"T": ((0, 1, 1, 1), (0.5, 1, 0.5, 0)), "N": ((0, 0, 0, 1), (0, 1, 1, 0), (1, 0, 1, 1))}  # unit-box strokes


def decorate(draw, kind, side, at, k, width):
    """Game-RL's textures as simple marks on one face (k: the face's shade)."""
    if kind == "brick":
        mortar = shaded((214, 200, 186), k)
        for t in (0.25, 0.5, 0.75):
            line(draw, at, 0, t, 1, t, mortar, width)
        for row in range(4):
            for s in ((0.5,) if row % 2 == 0 else (0.25, 0.75)):
                line(draw, at, s, row / 4, s, (row + 1) / 4, mortar, width)
    elif kind in SPECKS:
        colour, spots = SPECKS[kind]
        for s, t in spots:
            rect(draw, at, s, t, s + 0.15, t + 0.12, shaded(colour, k))
    elif kind == "lava":
        for s0, t0, s1, t1 in LAVA_BLOTCHES:
            rect(draw, at, s0, t0, s1, t1, shaded((252, 214, 60), k))
    elif kind == "tnt" and side != "top":
        rect(draw, at, 0, 0.3, 1, 0.7, shaded((240, 240, 240), k))
        for letter, left in (("T", 0.12), ("N", 0.41), ("T", 0.7)):
            for s0, t0, s1, t1 in LETTERS[letter]:
                line(draw, at, left + 0.18 * s0, 0.38 + 0.24 * t0, left + 0.18 * s1, 0.38 + 0.24 * t1,
                     (20, 20, 20), width)
    elif kind == "tnt":
        rect(draw, at, 0.35, 0.35, 0.65, 0.65, shaded((90, 90, 90), k))
    elif kind == "pumpkin" and side != "top":
        for s in (0.2, 0.4, 0.6, 0.8):
            line(draw, at, s, 0.04, s, 0.96, shaded((150, 74, 8), k), width)
    elif kind == "pumpkin":
        rect(draw, at, 0.42, 0.42, 0.58, 0.58, shaded((90, 120, 30), k))


def ladder(draw, at, width):
    """Light wooden rails and rungs with a dark rim, so they show on a block of any colour."""
    for colour, extra in (((60, 36, 14), 2), ((196, 146, 80), 0)):
        for t in (0.14, 0.38, 0.62, 0.86):
            line(draw, at, 0.2, t, 0.8, t, colour, width + extra)
        for s in (0.2, 0.8):
            line(draw, at, s, 0, s, 1, colour, width + 1 + extra)


def background():
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    for row in range(HEIGHT):
        w = row / (HEIGHT - 1)
        draw.line([(0, row), (WIDTH, row)], fill=tuple(round(a + (b - a) * w) for a, b in zip(*SKY)))
    return image


SKY_IMAGE = background()


def render(state):
    view = View(state)
    image = SKY_IMAGE.copy() if state.look["sky"] else Image.new("RGB", (WIDTH, HEIGHT), PLAIN)
    draw = ImageDraw.Draw(image)
    width = max(1, round(view.scale / 26))
    ground = GROUNDS[state.look["ground"]]
    for owner, kind, side, pos, at, corners in faces(state, view):
        base = state.colours.get(pos) or LOOKS[kind] or ground
        k = SHADE[side]
        fill = shaded(base, k)
        edge = shaded(base, 0.4)
        if kind == "water":
            edge = shaded((205, 232, 255), k)
        elif kind == "grass" and side == "top":
            edge = {"white": (240, 240, 240), "dark": shaded(ground, 0.7), "none": fill}[state.look["grid"]]
        draw.polygon(corners, fill=fill)
        decorate(draw, kind, side, at, k, width)
        if side != "top" and pos in state.ladders:
            ladder(draw, at, width)
        if edge != fill:  # the edges, over the marks
            draw.line(corners + corners[:1], fill=edge, width=width)
    return image


def shown(world, owners):
    """The share of each owner's pixels left in sight, from an id image: every face painted in its owner's
    number (half size, for speed), against the owner's faces painted alone."""
    view = View(world)
    half = lambda corners: [(u / 2, v / 2) for u, v in corners]
    ids = {owner: k for k, owner in enumerate(owners, 1)}
    every = faces(world, view)
    together = Image.new("L", (WIDTH // 2, HEIGHT // 2))
    draw = ImageDraw.Draw(together)
    for owner, *_, corners in every:
        draw.polygon(half(corners), fill=ids.get(owner, 255))
    seen = together.histogram()
    share = {}
    for owner, k in ids.items():
        alone = Image.new("L", (WIDTH // 2, HEIGHT // 2))
        draw = ImageDraw.Draw(alone)
        for who, *_, corners in every:
            if who == owner:
                draw.polygon(half(corners), fill=1)
        share[owner] = seen[k] / max(1, alone.histogram()[1])
    return share


def aim_until_shown(rng, world, owners):
    """Keep the drawn camera, or draw new ones, until every owner keeps MIN_SHOWN of its pixels in sight."""
    for _ in range(CAMERA_TRIES):
        if min(shown(world, owners).values()) >= MIN_SHOWN:
            return
        world.aim(rng)
    raise GiveUp("no camera shows every object")


# ---------------------------------------------------------------------------------------------------------
# The questions

INTRO = ("This is a Minecraft-like world made of unit cubes (blocks), shown in the image from above and to one "
         "side. The ground is a flat layer of blocks whose top is a grid of square cells. The player can place a "
         "block in any empty cell of the grid that shares a face with a block or with the ground; a block placed "
         "in the water of a river replaces the water, and the player can walk on it. The player walks from a "
         "ground cell to one that shares a side with it, and cannot wade through or jump over water.\n\n")
CLIMB_RULES = ("A block lying on the ground is at height 1; a block on top of n stacked blocks is at height n + 1. "
               "The player is 2 blocks tall: standing on the ground, his feet are at height 1 and his upper body "
               "at height 2. He can mine a block while standing on a cell beside its stack (sharing a side with "
               "the stack's cell) once his upper body is not below the block. To rise he places blocks under his "
               "own feet, each raising him by one; if ladders (brown rails and rungs) are attached to the stack, "
               "he climbs them without placing any block.")
LOOK_OF = {"Brick": "red blocks with light mortar lines", "Gold Ore": "grey blocks with yellow specks",
           "Diamond Ore": "grey blocks with cyan specks", "TNT": "a red block with a white band marked TNT",
           "Pumpkin": "an orange block with dark grooves", "Ladder": "grey stone blocks with brown ladders on them",
           "River": "a strip of blue water sunk in the ground, running across it",
           "Lava": "orange ground cells with yellow blotches, sunk in the ground"}


def scenery_set(names):
    return ", ".join(n for n in SCENERIES if n in names)


def place_object(rng, world, name, taken):
    """Put one scenery object on free ground in x -3..3, z -4..4, one cell away from every other object."""
    shape = {"Brick": "some", "Gold Ore": "some", "Diamond Ore": "some", "TNT": "one", "Pumpkin": "one",
             "Ladder": "tower"}[name]
    shape = rng.choice(("one", "row", "tower")) if shape == "some" else shape
    step = rng.choice(((1, 0), (0, 1)))
    room = lambda c: c in world.ground and world.free(c) and all(
        max(abs(c[0] - t[0]), abs(c[1] - t[1])) >= 2 for t in taken)
    spots = [(x, z) for x in range(-3, 4) for z in range(-4, 5)
             if room((x, z)) and (shape != "row" or room((x + step[0], z + step[1])))]
    if not spots:
        raise GiveUp(f"no room left for {name}")
    x, z = rng.choice(spots)
    kind = {"Brick": "brick", "Gold Ore": "gold_ore", "Diamond Ore": "diamond_ore", "TNT": "tnt",
            "Pumpkin": "pumpkin", "Ladder": "stone"}[name]
    cells = [(x, 0, z)] + {"one": [], "row": [(x + step[0], 0, z + step[1])], "tower": [(x, 1, z)]}[shape]
    for pos in cells:
        world.put(pos, kind, name, ladder=name == "Ladder")
        taken.append((pos[0], pos[2]))


def arrangement(world, name):
    """How a scenery object lies, as the analysis reads it off the picture."""
    if name == "River":
        water = [cell for cell, kind in world.ground.items() if kind == "water"]
        width = min(len({x for x, _ in water}), len({z for _, z in water}))  # the river is longer than wide
        return f"{width} cell{'s' * (width > 1)} wide"
    if name == "Lava":
        cells = sum(kind == "lava" for kind in world.ground.values())
        return f"{cells} cell{'s' * (cells > 1)}"
    cells = sorted(pos for pos, owner in world.objects.items() if owner == name)
    if len(cells) == 1:
        return "1 block"
    return "2 blocks, stacked" if cells[0][1] != cells[1][1] else "2 blocks, side by side"


def sceneries(rng, world):
    world.lay_ground((-4, 4), (-5, 5))  # objects go in x -3..3, z -4..4
    names = sorted(rng.sample(SCENERIES, SCENERY_COUNT[world.plot_level]), key=SCENERIES.index)
    taken = []
    if "River" in names:  # a strip across the whole ground through a cell of x -3..3, z -4..4
        width, along_x = rng.randint(1, 3), rng.random() < 0.5
        start = rng.randint(-4, 4 - width + 1) if along_x else rng.randint(-3, 3 - width + 1)
        for x, z in sorted(world.ground):
            if start <= (z if along_x else x) < start + width:
                world.ground[(x, z)] = "water"
    if "Lava" in names:  # 1 or 2 cells, one cell away from the water
        cells = rng.randint(1, 2)
        step = rng.choice(((1, 0), (0, 1)))
        dry = lambda c: world.ground.get(c) == "grass" and all(
            world.ground.get((c[0] + dx, c[1] + dz)) != "water" for dx in (-1, 0, 1) for dz in (-1, 0, 1))
        spots = [(x, z) for x in range(-3, 4) for z in range(-4, 5)
                 if dry((x, z)) and (cells == 1 or dry((x + step[0], z + step[1])))]
        if not spots:
            raise GiveUp("no room for lava")
        x, z = rng.choice(spots)
        for k in range(cells):
            world.ground[(x + k * step[0], z + k * step[1])] = "lava"
            taken.append((x + k * step[0], z + k * step[1]))
    for name in names:
        if name not in ("River", "Lava"):
            place_object(rng, world, name, taken)
    aim_until_shown(rng, world, names)
    gold = scenery_set(names)
    wrong = sorted(set(SCENERIES) - set(names), key=SCENERIES.index)
    near = sorted({scenery_set([n for n in names if n != out] + [into]) for out in names for into in wrong})
    far = [text for text in map(scenery_set, itertools.combinations(SCENERIES, len(names)))
           if text != gold and text not in near]  # sets of the same size, of the 8 listed sceneries only (deviation 2)
    distractors = rng.sample(near, 4) + rng.sample(far, 3)
    candidates = "\n".join(f"- {n}: {LOOK_OF[n]}" for n in SCENERIES)
    question = (INTRO + "The scene may contain these sceneries:\n" + candidates + "\n\nWhich option lists exactly "
                "the sceneries that appear in the scene?")
    seen = "\n".join(f"- {LOOK_OF[n][0].upper()}{LOOK_OF[n][1:]} ({arrangement(world, n)}): {n}." for n in names)
    analysis = (f"Looking over the scene:\n{seen}\nNone of the other sceneries "
                f"({', '.join(wrong)}) appears. So the scene holds exactly: {gold}.")
    return QA(question, analysis, gold, distractors, given={"sceneries": names})


def cuboid(rng, world):
    low, high = CUBOID_CUBES[world.plot_level]
    sizes = [(a, b, c) for a in range(2, 7) for b in range(1, 5) for c in range(2, 7) if low <= a * b * c <= high]
    a, b, c = rng.choice(sizes)  # along x, height y, along z
    world.lay_ground((-1, a), (-1, c))
    name = rng.choice(apart(CUBOID_COLOURS, world))
    for pos in ((x, y, z) for x in range(a) for y in range(b) for z in range(c)):
        world.put(pos, "block", "cuboid", colour=CUBOID_COLOURS[name])
    question = (INTRO + f"The scene holds one solid {name} cuboid built of unit cubes; cubes hidden behind or inside "
                "it are there too. How many cubes is the cuboid made of? Answer with a number.")
    analysis = (f"The top face of the {name} cuboid is {a} cubes along one edge and {c} along the other, and its "
                f"sides are {b} cube{'s' * (b > 1)} high. The cuboid is solid, so it holds {a} × {c} × {b} = "
                f"{a * b * c} cubes.")
    return QA(question, analysis, str(a * b * c), given={"cuboid": {"x": a, "y": b, "z": c, "colour": name}})


def river_crossing(rng, world):
    width = rng.choice(RIVER_WIDTHS[world.plot_level])
    gap = rng.randint(0, 3)  # land cells between the red tile and the water
    along_x, flip = rng.random() < 0.5, rng.choice((1, -1))  # the river runs along x or z; the player's bank
    cell = lambda along, a: (along, flip * a) if along_x else (flip * a, along)  # a: across, toward the far bank
    shown = sorted((-(gap + 2) * flip, width * flip))  # from behind the player to the far bank's first row
    world.lay_ground((-2, 2), shown) if along_x else world.lay_ground(shown, (-2, 2))
    for x, z in sorted(world.ground):
        if 0 <= flip * (z if along_x else x) < width:
            world.ground[(x, z)] = "water"
    player = cell(0, -1 - gap)
    world.ground[player] = "player"
    step = cell(0, 1)
    placed = bridge(world.copy(), player, step)
    question = (INTRO + "A straight river runs across the whole ground. The player stands on the red cell. What is "
                "the minimum number of blocks he must place to reach the other bank of the river? Answer with a "
                "number.")
    analysis = (f"The player walks straight to the river ({gap} land cell{'s' * (gap != 1)} from the red cell to the "
                f"water). The shortest crossing is a bridge straight across, one block on each water cell. Counting "
                f"the water cells across the river: it is {width} cell{'s' * (width > 1)} wide, so {placed} "
                f"block{'s' * (placed != 1)}.")
    return QA(question, analysis, str(placed),
              given={"river": {"along": "x" if along_x else "z", "width": width}, "gap": gap})


def build_stack(rng, world, base, n, target):
    """n coloured blocks at `base` with the target on top; ladders on all of them with Game-RL's chance."""
    palette = [STACK_COLOURS[name] for name in apart(STACK_COLOURS, world)]
    has_ladder = n > 0 and rng.random() < LADDER_P  # deviation 5
    colour = None
    for y in range(n):  # each block's colour differs from the one below, so the blocks can be told apart
        colour = rng.choice([c for c in palette if c != colour])
        world.put((base[0], y, base[1]), "block", "stack", colour=colour, ladder=has_ladder)
    world.put((base[0], n, base[1]), TARGETS[target], "stack")
    return has_ladder


def climb_analysis(target, n, has_ladder, cost):
    if n == 0:
        return f"The {target} lies on the ground, at height 1: the player can mine it without rising, 0 blocks."
    where = f"The {target} sits on {n} block{'s' * (n > 1)}, so it is at height {n + 1}."
    if has_ladder:
        return f"{where} Ladders are attached to the stack: the player climbs them, 0 blocks."
    if n == 1:
        return f"{where} No ladders, but the player's upper body is already at height 2: 0 blocks."
    return (f"{where} No ladders, so the player raises his upper body from height 2 to {n + 1} by placing "
            f"{n + 1} - 2 = {cost} block{'s' * (cost > 1)} under his feet.")


def stack_target(rng, world):
    base = (rng.randint(-1, 1), rng.randint(-1, 1))
    world.lay_ground((base[0] - 1, base[0] + 1), (base[1] - 1, base[1] + 1))
    n = rng.choice(STACK_HEIGHTS[world.plot_level])
    target = rng.choice(sorted(TARGETS))
    has_ladder = build_stack(rng, world, base, n, target)
    cost = climb(world, base, n)
    question = (INTRO + CLIMB_RULES + f"\n\nThe player stands on the ground next to the stack with the {target} on "
                f"top. What is the minimum number of blocks he must place to obtain the {target}? Answer with a "
                "number.")
    return QA(question, climb_analysis(target, n, has_ladder, cost), str(cost),
              given={"target": target, "blocks_under": n, "ladder": has_ladder})


def cross_and_climb(rng, world):
    low, high = CROSS_AND_CLIMB[world.plot_level]
    width, n = rng.choice([(w, m) for w in range(1, 5) for m in range(5) if low <= w + m <= high])
    player = (0, -rng.randint(1, 2))  # the river fills z = 0 .. width - 1
    same_side = rng.random() < SAME_SIDE_P
    spots = [(x, z) for x in range(-3, 4) for z in (range(-4, 0) if same_side else range(width, width + 4))
             if (x, z) != player]
    base = rng.choice(spots)
    # the picture is fitted to the player, the stack and the river between them, one cell around
    world.lay_ground((min(0, base[0]) - 1, max(0, base[0]) + 1),
                     (min(player[1], base[1]) - 1, max(width - 1, base[1]) + 1))
    for x, z in sorted(world.ground):
        if 0 <= z < width:
            world.ground[(x, z)] = "water"
    world.ground[player] = "player"
    target = rng.choice(sorted(TARGETS))
    has_ladder = build_stack(rng, world, base, n, target)
    aim_until_shown(rng, world, ["player", "stack"])
    crossing = 0 if same_side else bridge(world.copy(), player, (0, 1))
    cost = climb(world, base, n)
    side = ("The stack is on the player's side of the river, so he walks to it on land: 0 blocks." if same_side else
            f"The stack is on the other side of the river, which is {width} cell{'s' * (width > 1)} wide: a bridge "
            f"straight across takes {crossing} block{'s' * (crossing > 1)}, and he walks on to the stack.")
    question = (INTRO + CLIMB_RULES + "\n\nA straight river runs across the whole ground. The player stands on the "
                f"red cell. What is the minimum number of blocks he must place to obtain the {target}? Answer with "
                "a number.")
    analysis = (f"{side}\n{climb_analysis(target, n, has_ladder, cost)}\nIn total {crossing} + {cost} = "
                f"{crossing + cost}.")
    return QA(question, analysis, str(crossing + cost),
              given={"target": target, "blocks_under": n, "ladder": has_ladder, "river_width": width,
                     "same_side": same_side})


TASKS = [  # Game-RL's question ids, descriptions, types and levels
    Task(1, "Ask to recognize the sceneries in the scene.", "Target Perception", "Easy", sceneries),
    Task(2, "Ask how many cubes are there in total.", "Target Perception", "Medium", cuboid),
    Task(3, "Ask the minimum number of blocks needed to cross the river.", "State Prediction", "Medium",
         river_crossing),
    Task(4, "Ask the minimum number of blocks needed to reach a block (pumpkin/gold ore/diamond ore), considering "
            "the possibility of using existing ladders.", "State Prediction", "Medium", stack_target),
    Task(5, "Ask the minimum number of blocks needed to reach a block (pumpkin/gold ore/diamond ore) that may "
            "require crossing a river, considering the possibility of using existing ladders.", "State Prediction",
         "Hard", cross_and_climb),
]
