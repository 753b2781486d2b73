"""Pyramid Chess, a two-player ball pyramid (Game-RL folder src/PyramidChess/; 3D spatial perception and
understanding; out-of-domain, held out).

Rules. An n×n board (n = 3, 4, 5) has n levels, 0 at the bottom to n−1 at the top; level k is an (n−k)×(n−k)
grid of slots [x, y], 0 <= x, y <= n−1−k. A slot [x, y] on level k >= 1 rests on its base: the slots [x, y],
[x+1, y], [x, y+1], [x+1, y+1] of level k−1. PLAYER_0 (blue) and PLAYER_1 (red) alternate, PLAYER_0 first,
with pools of 7 balls each (3×3), 15 each (4×4), or 28 and 27 (5×5). A turn puts one ball in an empty slot of
level 0, or in an empty slot higher up whose four base slots are filled. A ball that completes a 2×2 block of
four balls of the placer's colour on its own level lets the placer return up to two balls of that block to the
pool; only a ball that no ball rests on can be returned, and its slot is empty again. Whoever fills the top
slot wins.

Coordinates, as the question text and the image state them: slot [x, y] on Level k. Each level has its own panel
in the image ("Level k"); x runs along the horizontal axis from 0 at the RIGHT to n−1−k at the left (Game-RL's
inverted axis, kept so that the released data and ours agree), y along the vertical axis from 0 at the bottom
to n−1−k at the top, with tick labels below and to the right of each panel. A 3D view below the panels draws the
same balls stacked, each above the centre of its base; its x axis also grows to the left. `state` holds `size`
and `levels` (level k as (n−k) lists of n−k strings "P0" / "P1" / "--", indexed levels[k][x][y], Game-RL's state
grid; Game-RL keys the levels "0", "1", … in a dict) and the question's own parameters: the asked level and
coordinate, the ball colour of task 1, the player to move of task 3.

Boards (plot level = board size: Easy 3×3, Medium 4×4, Hard 5×5): Game-RL's random legal play of t turns, t
uniform in 0..M−1 (M = 13 / 29 / 54): each turn puts a ball in a uniformly random placeable slot and, when the
ball completes same-colour blocks, takes back min(2, returnable) random balls of each block still complete; play
stops early if the mover's pool is empty (these M never allow that, nor reaching the top). Task 3 draws a
level-0-only board of its own (see deviation 4).

Deviations from Game-RL:
  1. The fixed option lists of tasks 0, 1 and 5 keep Game-RL's order (its answers are option numbers; ours are the
     engine's letters A, B, …). As a fixed order cannot be shuffled, the gold is balanced instead: the question
     draws an outcome uniformly among those the board offers, then a slot with that outcome. Game-RL draws a
     uniform slot: on these boards "can place and then balls can be taken" (task 1) is then the gold in about
     one question in two hundred, and an empty slot in over half of tasks 0 and 5 (3,000 boards per level).
     Game-RL's out-of-bounds share (0.25, task 0) is what ours is when all four outcomes occur.
  2. Out-of-bounds slots (tasks 0 and 5) are mostly near misses: one past the edge of a real level (such as
     [n−k, 0] on Level k) or the level just above the top, as well as Game-RL's far values (5–15), which a model
     spots without looking at the board.
  3. Task 5's options follow Game-RL's code at HEAD: option 4 is "empty and a ball can be put here this turn",
     option 5 "empty and a ball can't be put here"; its example data lists them the other way round in the
     question text while keying the answers the HEAD way.
  4. Task 3 has exactly one answer. Game-RL's heuristic board (three balls of one colour plus one empty slot in
     one 2×2 block of level 0; other such blocks recoloured away) is kept, but the recolouring can make another
     such block and Game-RL never re-checks: here a board is kept only if exactly one block of any level shows
     three balls of one colour and an empty slot (and no block holds four balls of one colour, which play never
     leaves), so exactly one placement completes the mover's own block or blocks the opponent's (drawn ½ / ½).
     The question asks for that placement by name ("completes your own or blocks the opponent's same-colour 2×2
     block") rather than "the best move to maximise the chance of winning", which nothing here searches. Task 3
     replaces the drawn board in place with its own, which the engine then records and draws.
  5. Task 1 answers "balls can be taken" when the placed ball completes a same-colour 2×2 block. Game-RL looks for
     any complete same-colour block on the board after placing; the two agree because the random play always
     takes back from a completed block at once (the tests check that no board shows one).
  6. Task 2's question says what it counts: every placement fills a slot of the supporting cone and no ball is
     taken back (Game-RL says only "steps (turns)"); the count is 1 + the empty slots in the cone under the
     target.
  7. Game-RL's random take-back samples from all candidates but the last (range(0, n−1)) and credits the balls
     to the mover whatever their colour. Here the returned balls are drawn from all returnable balls of the
     completed block and go back to the mover's pool (they are the mover's colour).
  8. The image is drawn with PIL, not matplotlib: the per-level panels keep Game-RL's axis orientation and tick
     labels; the 3D view is an orthographic projection of shaded discs drawn back to front, with the board
     floor's tick labels and the legend. Empty slots are drawn as faint rings so that they can be counted.
"""
import math

from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, font

SIZE = {"Easy": 3, "Medium": 4, "Hard": 5}
MAX_TURNS = {3: 13, 4: 29, 5: 54}  # random play lasts t turns, t uniform in 0..MAX_TURNS − 1
POOLS = {3: (7, 7), 4: (15, 15), 5: (28, 27)}  # balls of PLAYER_0, PLAYER_1
PLAYERS = ("P0", "P1")
EMPTY = "--"
NAME = {"P0": "PLAYER_0", "P1": "PLAYER_1"}
COLOUR = {"P0": "blue", "P1": "red"}
OTHER = {"P0": "P1", "P1": "P0"}
THREAT_TRIES = 50   # task-3 boards drawn before giving up (6-14 % are rejected, 3×3 to 5×5)
FILL_TRIES = 100    # Game-RL's cap on redrawing the random part of a task-3 board


class Pyramid:
    """The board: levels[k][x][y] is "P0", "P1" or "--". A slot is a tuple (k, x, y)."""

    def __init__(self, n, levels=None):
        self.n = n
        self.levels = ([[list(row) for row in grid] for grid in levels] if levels is not None
                       else [[[EMPTY] * (n - k) for _ in range(n - k)] for k in range(n)])

    def inside(self, slot):
        k, x, y = slot
        return 0 <= k < self.n and 0 <= x < self.n - k and 0 <= y < self.n - k

    def at(self, slot):
        k, x, y = slot
        return self.levels[k][x][y]

    def slots(self, level=None):
        levels = range(self.n) if level is None else [level]
        return [(k, x, y) for k in levels for x in range(self.n - k) for y in range(self.n - k)]

    def base(self, slot):
        k, x, y = slot
        return [] if k == 0 else [(k - 1, x, y), (k - 1, x + 1, y), (k - 1, x, y + 1), (k - 1, x + 1, y + 1)]

    def resting_on(self, slot):
        """The slots of the level above that `slot` is part of the base of."""
        k, x, y = slot
        return [(k + 1, i, j) for i in (x - 1, x) for j in (y - 1, y) if self.inside((k + 1, i, j))]

    def placeable(self, slot):
        return self.at(slot) == EMPTY and all(self.at(s) != EMPTY for s in self.base(slot))

    def returnable(self, slot):
        """A ball that no ball rests on: the take-back may return it."""
        return self.at(slot) != EMPTY and all(self.at(s) == EMPTY for s in self.resting_on(slot))

    def blocks_with(self, slot):
        """The 2×2 blocks of the slot's level that contain it, each as 4 slots (smallest x and y first)."""
        k, x, y = slot
        return [[(k, i, j), (k, i + 1, j), (k, i, j + 1), (k, i + 1, j + 1)]
                for i in (x - 1, x) for j in (y - 1, y)
                if self.inside((k, i, j)) and self.inside((k, i + 1, j + 1))]

    def completes(self, slot, player):
        """The blocks that a `player` ball put in `slot` would complete: its other three slots hold `player` balls."""
        return [block for block in self.blocks_with(slot) if all(self.at(s) == player for s in block if s != slot)]

    def move(self, slot, player, taken=()):
        """One turn, in place: `player` puts a ball in `slot`, then returns the balls in `taken` to the pool."""
        if not self.placeable(slot):
            raise ValueError(f"pyramid_chess: no ball can be put in {slot} now")
        self.levels[slot[0]][slot[1]][slot[2]] = player
        for s in taken:
            if self.at(s) != player or not self.returnable(s):
                raise ValueError(f"pyramid_chess: {NAME[player]} cannot return the ball in {s}")
            self.levels[s[0]][s[1]][s[2]] = EMPTY

    def balls(self):
        return [s for s in self.slots() if self.at(s) != EMPTY]

    def to_json(self):
        return {"size": self.n, "levels": [[list(row) for row in grid] for grid in self.levels]}


def random_play(rng, n, turns):
    """Game-RL's board: `turns` turns of random legal play (take-backs included), stopping if a pool runs out."""
    state, pools, mover = Pyramid(n), list(POOLS[n]), 0
    for _ in range(turns):
        player = PLAYERS[mover]
        slot = rng.choice([s for s in state.slots() if state.placeable(s)])
        blocks = state.completes(slot, player)
        taken = []
        for block in rng.sample(blocks, len(blocks)):  # two blocks at once: each returns balls while still whole
            if not any(s in taken for s in block):
                free = [s for s in block if s == slot or state.returnable(s)]
                taken += rng.sample(free, min(2, len(free)))
        state.move(slot, player, taken)
        pools[mover] += len(taken) - 1
        if pools[mover] == 0:
            break
        mover = 1 - mover
    return state


def new_state(rng, plot_level):
    n = SIZE[plot_level]
    return random_play(rng, n, rng.randrange(MAX_TURNS[n]))


# ---------------------------------------------------------------------------------------------------------
# The image: one 2D panel per level (x from 0 at the right, y from 0 at the bottom), then a 3D view of the stack

BALL_RGB = {"P0": (40, 90, 220), "P1": (220, 45, 45)}
RING_RGB, GRID_RGB, FLOOR_RGB = (190, 190, 190), (225, 225, 225), (245, 245, 240)
CELL = {3: 52, 4: 42, 5: 34}           # panel pitch of one slot, px
PANEL_GAP, TICK_W, LABEL_W, TOP = 16, 20, 12, 34  # between panels; tick and axis-name columns; title row
UNIT = {3: 88, 4: 70, 5: 58}          # 3D view: px per slot pitch
AZIMUTH, ELEVATION = math.radians(40), math.radians(25)
LIFT, RADIUS = 0.95, 0.4               # 3D: height between levels and ball radius, in slot pitches


def panel_width(n, k):
    return (n - k) * CELL[n] + TICK_W + LABEL_W + PANEL_GAP


def panel_origin(n, k):
    """Top-left pixel of the Level k panel's grid."""
    return PANEL_GAP + sum(panel_width(n, j) for j in range(k)), TOP


def slot_centre(n, slot):
    """Pixel centre of a slot in its level's panel: x grows to the LEFT from the right edge, y up from the bottom."""
    k, x, y = slot
    left, top = panel_origin(n, k)
    m, cell = n - k, CELL[n]
    return left + (m - 0.5 - x) * cell, top + (m - 0.5 - y) * cell


def project(x, y, z):
    """3D view: orthographic, looking down at ELEVATION from the front corner of the floor; x grows to the left
    and back, y to the right and back. Returns (screen right, screen up, depth: larger is farther)."""
    right = -x * math.cos(AZIMUTH) + y * math.sin(AZIMUTH)
    back = x * math.sin(AZIMUTH) + y * math.cos(AZIMUTH)
    up = back * math.sin(ELEVATION) + z * math.cos(ELEVATION)
    return right, up, back * math.cos(ELEVATION) - z * math.sin(ELEVATION)


def ball_point(slot):
    """A ball's centre in 3D: above the centre of its base, LIFT higher per level (Game-RL: (x + k/2, y + k/2, k))."""
    k, x, y = slot
    return x + k / 2, y + k / 2, k * LIFT


def render(state):
    n, cell = state.n, CELL[state.n]
    unit, floor = UNIT[n], -RADIUS
    labels = [(i, -0.85) for i in range(n)] + [(-0.85, i) for i in range(n)]  # the floor's ticks, then x and y
    labels += [((n - 1) / 2, -1.3), (-1.3, (n - 1) / 2)]
    corners = [(x, y) for x in (-0.5, n - 0.5) for y in (-0.5, n - 0.5)]
    points = [project(x, y, floor) for x, y in corners + labels] + [project(*ball_point(s)) for s in state.slots()]
    min_r, max_r = min(p[0] for p in points) - RADIUS, max(p[0] for p in points) + RADIUS
    min_u, max_u = min(p[1] for p in points) - RADIUS, max(p[1] for p in points) + RADIUS
    view_w, view_h = int((max_r - min_r) * unit), int((max_u - min_u) * unit) + 30
    panel_h = TOP + n * cell + 44
    width = max(PANEL_GAP + sum(panel_width(n, k) for k in range(n)), view_w + 40)
    image = Image.new("RGB", (width, panel_h + view_h), "white")
    draw = ImageDraw.Draw(image)
    title_font, tick_font = font(17), font(max(12, min(16, cell // 3)))

    for k in range(n):  # the panels
        left, top = panel_origin(n, k)
        m = n - k
        draw.rectangle((left, top, left + m * cell, top + m * cell), fill=FLOOR_RGB, outline=(120, 120, 120))
        for i in range(1, m):
            draw.line((left + i * cell, top, left + i * cell, top + m * cell), fill=GRID_RGB)
            draw.line((left, top + i * cell, left + m * cell, top + i * cell), fill=GRID_RGB)
        draw.text((left + (m * cell + TICK_W) / 2, top - TOP / 2), f"Level {k}", fill="black", font=title_font,
                  anchor="mm")
        for i in range(m):
            cx, _ = slot_centre(n, (k, i, 0))
            _, cy = slot_centre(n, (k, 0, i))
            draw.text((cx, top + m * cell + 10), str(i), fill="black", font=tick_font, anchor="mm")
            draw.text((left + m * cell + TICK_W / 2, cy), str(i), fill="black", font=tick_font, anchor="mm")
        draw.text((left + m * cell / 2, top + m * cell + 29), "x", fill="black", font=tick_font, anchor="mm")
        draw.text((left + m * cell + TICK_W + LABEL_W / 2, top + m * cell / 2), "y", fill="black", font=tick_font,
                  anchor="mm")
        for slot in state.slots(k):
            cx, cy = slot_centre(n, slot)
            r = cell * 0.38
            if state.at(slot) == EMPTY:
                draw.ellipse((cx - r / 2, cy - r / 2, cx + r / 2, cy + r / 2), outline=RING_RGB, width=1)
            else:
                draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=BALL_RGB[state.at(slot)], outline="black", width=2)

    x0 = (width - view_w) / 2 - min_r * unit  # the 3D view, centred under the panels
    y0 = panel_h + 10 + max_u * unit

    def screen(x, y, z):
        right, up, _ = project(x, y, z)
        return x0 + right * unit, y0 - up * unit

    draw.polygon([screen(-0.5, -0.5, floor), screen(n - 0.5, -0.5, floor), screen(n - 0.5, n - 0.5, floor),
                  screen(-0.5, n - 0.5, floor)], fill=FLOOR_RGB, outline=(120, 120, 120))
    for i in range(1, n):
        draw.line((screen(i - 0.5, -0.5, floor), screen(i - 0.5, n - 0.5, floor)), fill=GRID_RGB)
        draw.line((screen(-0.5, i - 0.5, floor), screen(n - 0.5, i - 0.5, floor)), fill=GRID_RGB)
    for x in range(n):  # level-0 slot marks, seen where no ball covers them
        for y in range(n):
            px, py = screen(x, y, floor)
            draw.ellipse((px - 3, py - 2, px + 3, py + 2), fill=RING_RGB)
    for i in range(n):
        draw.text(screen(*labels[i], floor), str(i), fill="black", font=tick_font, anchor="mm")
        draw.text(screen(*labels[n + i], floor), str(i), fill="black", font=tick_font, anchor="mm")
    draw.text(screen(*labels[2 * n], floor), "x", fill="black", font=title_font, anchor="mm")
    draw.text(screen(*labels[2 * n + 1], floor), "y", fill="black", font=title_font, anchor="mm")
    r = RADIUS * unit
    for slot in sorted(state.balls(), key=lambda s: -project(*ball_point(s))[2]):  # farthest first
        cx, cy = screen(*ball_point(slot))
        rgb = BALL_RGB[state.at(slot)]
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=rgb, outline=(30, 30, 30), width=2)
        light = tuple(min(255, c + 110) for c in rgb)  # a highlight up and to the left, so the discs read as balls
        draw.ellipse((cx - 0.55 * r, cy - 0.6 * r, cx - 0.05 * r, cy - 0.1 * r), fill=light)

    legend_x, legend_y = 16, panel_h + 6  # the view's top-left corner, which the floor diamond leaves free
    for i, player in enumerate(PLAYERS):
        y = legend_y + 26 * i
        draw.ellipse((legend_x, y, legend_x + 16, y + 16), fill=BALL_RGB[player], outline="black")
        draw.text((legend_x + 24, y + 8), f"{NAME[player]} ({COLOUR[player]})", fill="black", font=tick_font,
                  anchor="lm")
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks (Game-RL's question ids 0-5)

def intro():
    return ("Pyramid Chess rules.\n"
            "Board: the board is an n×n square pyramid (n is 3, 4 or 5) with n levels, Level 0 at the bottom to "
            "Level n-1 at the top. Level k has (n-k)×(n-k) slots, each named by its coordinate [x, y] with x and y "
            "from 0 to n-1-k. A slot [x, y] on Level k (k ≥ 1) rests on four base slots of Level k-1: [x, y], "
            "[x+1, y], [x, y+1] and [x+1, y+1]. Slots on Level 0 need no base.\n"
            "Players: PLAYER_0 plays blue balls and PLAYER_1 red balls; they take turns, PLAYER_0 first. On a 3×3 "
            "board each player has 7 balls, on a 4×4 board 15, and on a 5×5 board PLAYER_0 has 28 and PLAYER_1 27.\n"
            "Placing: a turn puts one of the player's balls in an empty slot, either on Level 0 or on a higher "
            "level where all four base slots below it hold a ball. A filled slot takes no other ball.\n"
            "Take-back: a player whose ball completes a 2×2 block of four balls of the player's own colour on one "
            "level may return up to two balls of that block to their pool. Only a ball that no ball rests on (no "
            "filled slot of the level above has it in its base) can be returned; its slot is then empty again, and "
            "a slot above still needs its full base.\n"
            "Winning: the player who puts a ball in the top slot (Level n-1) wins.\n"
            "The image: one panel per level, titled \"Level k\". In each panel x runs along the horizontal axis "
            "from 0 at the RIGHT to n-1-k at the left, and y along the vertical axis from 0 at the bottom to n-1-k "
            "at the top, as the tick labels below and to the right of the panel show; empty slots are faint "
            "rings. Below the panels a 3D view shows the same balls stacked, each above the centre of its four "
            "base balls, with the floor's x and y ticks.")


def where(slot):
    k, x, y = slot
    return f"[{x}, {y}] on Level {k}"


def listing(slots):
    return ", ".join(f"[{x}, {y}]" for _, x, y in slots)


def board_size(state):
    return f"The board is a {state.n}×{state.n} board ({state.n} panels, Level 0 to Level {state.n - 1})."


def balanced(rng, labelled):
    """(outcome, item): an outcome drawn uniformly among those present, then one of its items (deviation 1)."""
    outcomes = sorted({outcome for outcome, _ in labelled})
    outcome = rng.choice(outcomes)
    return outcome, rng.choice([item for o, item in labelled if o == outcome])


def out_of_bounds(rng, n):
    """A slot outside the pyramid: mostly one past the edge of a level or just above the top (deviation 2),
    sometimes Game-RL's far values 5-15."""
    kind = rng.choice(["edge", "edge", "above", "far"])
    if kind == "edge":
        k = rng.randrange(n)
        m = n - k
        x, y = rng.choice([(i, j) for i in range(m + 1) for j in range(m + 1) if max(i, j) == m])
        return (k, x, y)
    if kind == "above":
        return (rng.choice([n, n + 1]), rng.randint(0, 1), rng.randint(0, 1))
    if rng.random() < 0.5:
        return (rng.randint(5, 15), *rng.choice([(x, y) for x in range(n) for y in range(n)]))
    return (rng.randrange(n), rng.randint(5, 15), rng.randint(5, 15))


def bound_reason(state, slot):
    k, x, y = slot
    if not 0 <= k < state.n:
        return f"Level {k} does not exist: the levels go from 0 to {state.n - 1}."
    return f"On Level {k} both coordinates go from 0 to {state.n - 1 - k}, so [{x}, {y}] is outside it."


def asked(slot):
    return {"query_level": slot[0], "query_coordinate": [slot[1], slot[2]]}


STATUS_OPTIONS = ["PLAYER_0", "PLAYER_1", "Empty", "Index out of bound"]


def slot_status(rng, state):
    labelled = [(STATUS_OPTIONS[{"P0": 0, "P1": 1, EMPTY: 2}[state.at(s)]], s) for s in state.slots()]
    labelled.append((STATUS_OPTIONS[3], out_of_bounds(rng, state.n)))
    answer, slot = balanced(rng, labelled)
    k, x, y = slot
    question = intro() + f"\n\nQuestion: what is the status of the slot [{x}, {y}] on Level {k}?"
    if answer == STATUS_OPTIONS[3]:
        reason = bound_reason(state, slot)
    elif answer == "Empty":
        reason = f"In the Level {k} panel the slot [{x}, {y}] holds no ball: it is empty."
    else:
        player = PLAYERS[STATUS_OPTIONS.index(answer)]
        reason = (f"In the Level {k} panel the slot [{x}, {y}] holds a {COLOUR[player]} ball, which is "
                  f"{NAME[player]}'s.")
    return QA(question, f"{board_size(state)} {reason} So the status is: {answer}.", answer,
              options=STATUS_OPTIONS, given=asked(slot))


PLACE_OPTIONS = ["Can place and no balls taken", "Can place and then balls can be taken",
                 "Cannot place, position already occupied", "Cannot place, ball not ready below"]


def place_outcome(state, slot, player):
    """Task 1's outcome of putting a `player` ball in `slot`, as an index into PLACE_OPTIONS."""
    if state.at(slot) != EMPTY:
        return 2
    if not state.placeable(slot):
        return 3
    return 1 if state.completes(slot, player) else 0


def placement_result(rng, state):
    labelled = [(PLACE_OPTIONS[place_outcome(state, s, p)], (s, p)) for s in state.slots() for p in PLAYERS]
    answer, (slot, player) = balanced(rng, labelled)
    k, x, y = slot
    colour = COLOUR[player]
    question = (intro() + f"\n\nQuestion: can a ball be placed in the slot [{x}, {y}] on Level {k}? If a {colour} "
                "ball is placed there, what happens?")
    if state.at(slot) != EMPTY:
        reason = f"The slot {where(slot)} already holds a {COLOUR[state.at(slot)]} ball, so no ball can go there."
    elif not state.placeable(slot):
        missing = [s for s in state.base(slot) if state.at(s) == EMPTY]
        reason = (f"The slot {where(slot)} is empty, but its base on Level {k - 1} is {listing(state.base(slot))}, "
                  f"and {listing(missing)} {'is' if len(missing) == 1 else 'are'} empty: the base is not complete.")
    else:
        why = "it is on Level 0" if k == 0 else f"its base {listing(state.base(slot))} on Level {k - 1} is full"
        reason = f"The slot {where(slot)} is empty and a ball can be placed there, as {why}. "
        blocks = state.completes(slot, player)
        if blocks:
            completed = " and ".join(f"the 2×2 block {listing(b)}" for b in blocks)
            reason += (f"A {colour} ball there completes {completed} on Level {k}, all {colour}, so the take-back "
                       "applies and balls can be taken.")
        else:
            checks = [f"{listing(b)} has " + ", ".join(
                f"[{s[1]}, {s[2]}] {'empty' if state.at(s) == EMPTY else COLOUR[state.at(s)]}"
                for s in b if s != slot) for b in state.blocks_with(slot)]
            reason += (f"The 2×2 blocks on Level {k} that contain it: " + ("; ".join(checks) if checks else "none")
                       + f". None has its other three slots all {colour}, so no block is completed and no ball is "
                       "taken.")
    return QA(question, f"{board_size(state)} {reason} So the answer is: {answer}.", answer,
              options=PLACE_OPTIONS, given={**asked(slot), "colour": colour})


def support_cone(state, slot):
    """The slots below `slot` that hold it up, directly or through other slots, by level from k−1 down to 0."""
    k, x, y = slot
    return {j: [(j, i, l) for i in range(x, x + k - j + 1) for l in range(y, y + k - j + 1)]
            for j in range(k - 1, -1, -1)}


def steps_to_place(rng, state):
    slot = rng.choice([s for s in state.slots() if state.at(s) == EMPTY])
    k, x, y = slot
    cone = support_cone(state, slot)
    lines, total = [], 1
    for j, slots in cone.items():
        missing = [s for s in slots if state.at(s) == EMPTY]
        total += len(missing)
        lines.append(f"Level {j}: the target stands on {len(slots)} slots here ({listing(slots)}); "
                     + (f"{len(missing)} of them {'is' if len(missing) == 1 else 'are'} empty: {listing(missing)}."
                        if missing else "all are filled."))
    question = (intro() + f"\n\nQuestion: how many turns are needed to place a ball in the slot [{x}, {y}] on Level "
                f"{k}, counting the turn that places it? Assume every turn puts a ball in a slot this needs, "
                "whichever player it belongs to, and no ball is taken back.")
    analysis = (f"{board_size(state)} The slot {where(slot)} is empty. Every empty slot below it that holds it up, "
                "directly or through other slots, needs a ball first; going down level by level:\n"
                + ("\n".join(lines) if lines else "It is on Level 0, so nothing below is needed.")
                + f"\nAdding the turn for the target itself: {total} turns.")
    return QA(question, analysis, str(total), given=asked(slot))


def threats(state):
    """(block, colour, empty slot) for every 2×2 block holding three balls of one colour and one empty slot."""
    found = []
    for k in range(state.n - 1):
        for i in range(state.n - k - 1):
            for j in range(state.n - k - 1):
                block = [(k, i, j), (k, i + 1, j), (k, i, j + 1), (k, i + 1, j + 1)]
                holes = [s for s in block if state.at(s) == EMPTY]
                colours = {state.at(s) for s in block if s not in holes}
                if len(holes) == 1 and len(colours) == 1:
                    found.append((block, colours.pop(), holes[0]))
    return found


def complete_blocks(state):
    """2×2 blocks of four balls of one colour, which play never leaves behind: the take-back breaks them at once."""
    found = []
    for k in range(state.n - 1):
        for i in range(state.n - k - 1):
            for j in range(state.n - k - 1):
                block = [(k, i, j), (k, i + 1, j), (k, i, j + 1), (k, i + 1, j + 1)]
                if state.at(block[0]) != EMPTY and len({state.at(s) for s in block}) == 1:
                    found.append(block)
    return found


def threat_board(rng, n):
    """Game-RL's task-3 board on level 0 (random part without threats, then one block of three balls of a colour
    and one hole, other threats recoloured away), kept only if that block is the only threat and no block is
    complete in one colour (deviation 4)."""
    for _ in range(THREAT_TRIES):
        cells = [(0, x, y) for x in range(n) for y in range(n)]
        for _ in range(FILL_TRIES):
            state = Pyramid(n)
            for s in rng.sample(cells, rng.randint(n * n // 3, 2 * n * n // 3)):
                state.levels[0][s[1]][s[2]] = rng.choice(PLAYERS)
            if not threats(state):
                break
        else:
            state = Pyramid(n)
        i, j = rng.randrange(n - 1), rng.randrange(n - 1)
        target = [(0, i, j), (0, i + 1, j), (0, i, j + 1), (0, i + 1, j + 1)]
        colour, hole = rng.choice(PLAYERS), rng.choice(target)
        for s in target:
            state.levels[0][s[1]][s[2]] = EMPTY if s == hole else colour
        for block, _, _ in threats(state):
            if block != target:
                outside = [s for s in block if s not in target and state.at(s) != EMPTY]
                s = rng.choice(outside)
                state.levels[0][s[1]][s[2]] = OTHER[state.at(s)]
        if [(b, h) for b, _, h in threats(state)] == [(target, hole)] and not complete_blocks(state):
            return state, colour, hole
    raise GiveUp("no task-3 board with a single block of three")


def best_placement(rng, state):
    board, colour, hole = threat_board(rng, state.n)
    state.levels = board.levels  # this task's board replaces the random-play one (deviation 4)
    player = colour if rng.random() < 0.5 else OTHER[colour]
    (block, _, _), = threats(state)
    _, x, y = hole
    question = (intro() + f"\n\nQuestion: it is {NAME[player]}'s turn ({COLOUR[player]} balls). Exactly one "
                "placement this turn either completes a 2×2 block of the player's own colour (earning a take-back) "
                "or blocks a 2×2 block in which the opponent has three balls of their colour (filling its empty "
                "slot, so the opponent cannot complete it). Which placement is it? Answer in the form "
                "\"[x, y] at level z\".")
    if player == colour:
        effect = (f"Putting a {COLOUR[player]} ball in [{x}, {y}] completes this block of four {COLOUR[player]} "
                  f"balls, so {NAME[player]} may return up to two of them to the pool.")
    else:
        effect = (f"It is {NAME[player]}'s turn, so this is the opponent's block: putting a {COLOUR[player]} ball "
                  f"in [{x}, {y}] stops {NAME[colour]} from completing it and taking balls back.")
    analysis = (f"{board_size(state)} Balls lie on Level 0 only. Taking balls back saves a player balls, so a "
                "player wants to complete blocks of their own colour and to stop the opponent completing theirs. "
                "Checking every 2×2 block of Level 0 for three balls of one colour and one empty slot, only "
                f"{listing(block)} qualifies: three {COLOUR[colour]} balls ({NAME[colour]}'s) and the empty slot "
                f"[{x}, {y}]. {effect}")
    return QA(question, analysis, f"[{x}, {y}] at level 0", given={"player": NAME[player]})


def ball_count(rng, state):
    lines = []
    for k in range(state.n):
        balls = [s for s in state.slots(k) if state.at(s) != EMPTY]
        lines.append(f"Level {k}: {len(balls)} ball{'' if len(balls) == 1 else 's'}"
                     + (": " + ", ".join(f"{COLOUR[state.at(s)]} at [{s[1]}, {s[2]}]" for s in balls) if balls else "")
                     + ".")
    total = len(state.balls())
    question = intro() + "\n\nQuestion: how many balls are there on the board, all levels together?"
    analysis = (f"{board_size(state)} Counting panel by panel, from Level 0 up:\n" + "\n".join(lines)
                + f"\nIn total there are {total} balls.")
    return QA(question, analysis, str(total))


DETAIL_OPTIONS = ["The coordinate is out of bound", "It contains a ball and the ball can't be taken",
                  "It contains a ball and the ball can be taken",
                  "It doesn't contain a ball and a ball can be put here this turn",
                  "It doesn't contain a ball and a ball can't be put here this turn"]


def detail_outcome(state, slot):
    """Task 5's status of a slot, as an index into DETAIL_OPTIONS."""
    if not state.inside(slot):
        return 0
    if state.at(slot) != EMPTY:
        return 2 if state.returnable(slot) else 1
    return 3 if state.placeable(slot) else 4


def slot_detail(rng, state):
    labelled = [(DETAIL_OPTIONS[detail_outcome(state, s)], s) for s in state.slots()]
    labelled.append((DETAIL_OPTIONS[0], out_of_bounds(rng, state.n)))
    answer, slot = balanced(rng, labelled)
    k, x, y = slot
    question = (intro() + f"\n\nQuestion: what is the status of the slot [{x}, {y}] on Level {k}? Is the coordinate "
                "legal, does it contain a ball, can that ball be taken (no ball rests on it), and can a ball be put "
                "there this turn?")
    if not state.inside(slot):
        reason = bound_reason(state, slot)
    elif state.at(slot) != EMPTY:
        above = state.resting_on(slot)
        on_it = [s for s in above if state.at(s) != EMPTY]
        reason = f"The slot {where(slot)} holds a {COLOUR[state.at(slot)]} ball. " + (
            "It is on the top level, so nothing can rest on it." if not above else
            f"The slots above it on Level {k + 1} that it helps hold up are {listing(above)}; "
            + (f"{listing(on_it)} {'holds a ball' if len(on_it) == 1 else 'hold balls'}, so it cannot be taken."
               if on_it else "all are empty, so nothing rests on it and it can be taken."))
    elif k == 0:
        reason = f"The slot {where(slot)} is empty and Level 0 needs no base, so a ball can be put there."
    else:
        missing = [s for s in state.base(slot) if state.at(s) == EMPTY]
        reason = (f"The slot {where(slot)} is empty; its base on Level {k - 1} is {listing(state.base(slot))}, "
                  + (f"of which {listing(missing)} {'is' if len(missing) == 1 else 'are'} empty, so a ball cannot be "
                     "put there yet." if missing else "all filled, so a ball can be put there."))
    return QA(question, f"{board_size(state)} {reason} So the status is: {answer}.", answer,
              options=DETAIL_OPTIONS, given=asked(slot))


TASKS = [
    Task(0, "Choose a random coordinate and ask what status is the coordinate", "Target Perception", "Easy",
         slot_status),
    Task(1, "Select a coordinate and determine whether a ball can be placed at this coordinate. If so, what would "
            "happen after the place of the ball.", "State Prediction", "Medium", placement_result),
    Task(2, "Calculate how many steps (turns) are required for a ball to be placed at certain coordinate.(Including "
            "the step putting the ball at the cooradinate)", "State Prediction", "Hard", steps_to_place),
    Task(3, "Give out the best position to put the ball at a certain point of a game.", "Strategy Optimization",
         "Hard", best_placement),
    Task(4, "Calculate how many balls are there one the board.", "Target Perception", "Easy", ball_count),
    Task(5, "Provide the higher level status of a coordinate: Is the coordinate legal? Does it contain a ball? Can "
            "the ball be taken? Can a ball be placed?", "Target Perception", "Medium", slot_detail),
]
