"""Space Invaders, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `space_invaders`, strategic planning,
in-domain.

The game. Enemies sit on a grid of `area_rows` rows × `total_cols` columns; the ship sits in the row below it,
row area_rows + 1, under one column. A shot goes straight up the ship's column and destroys the lowest enemy in
it (the one closest to the ship), if there is one, which exposes the enemy above. A purple enemy is worth 30
points, a blue one 20, a green one 10. Time runs in intervals t, t+1, …: during an interval the enemies stand
still and the ship may move to any column, then shoot at most once; at the very end of each interval every
enemy moves one column in their common direction (left or right). They never move down and never bounce, and
no question lets an enemy leave the board. Rows and columns are 1-based, row 1 at the top and column 1 on the
left, as the labels on the image show (the ship's row is labelled too). The state is Game-RL's (`enemy_rows`,
`enemy_cols`, `area_rows`, `total_cols`, `ship_col`, `enemies` as {row, col, color}), the look of the picture,
and the question's own parameters (the queried column or row, the colour, the target column, the direction and
the number of intervals).

Scenes, as Game-RL draws them: an enemy_rows × enemy_cols block at a uniform position on the board; each of its
columns gets a stack from the block's top row down whose height 0..enemy_rows favours full stacks; the block's
top row is purple, the next blue (the next two when there are 5 rows), the rest green. Fewer than 2 enemies: the
scene is redrawn. The ship stands under an enemy column 80 % of the time, under an empty column otherwise.

The tasks are Game-RL's nine (its question ids, qa_type and qa_level); every one is fill-in (an integer) or
multiple choice, half each:
  1 enemies in a column (TP, Easy, MC 8)          2 enemies in a row (TP, Easy, MC 8)
  3 enemies in total (TP, Medium, MC 8)           4 enemies of one colour (TP, Medium, MC 8)
  5 points of a shot from where the ship is (SP, Easy, MC 4)
  6 points of a shot from a given column, enemies still (SP, Easy, MC 4)
  7 points of one shot per interval from where the ship is, t..t+Δ, enemies moving (SP, Hard, MC 8)
  8 the most points one shot can score (SO, Medium, MC 8)
  9 the most points two shots in intervals t and t+1 can score, enemies moving (SO, Hard, MC 8)
Multiple-choice counts (tasks 1-4) are 8 consecutive integers; points (tasks 7-9) are 8 consecutive multiples of
10 or of 5 (task 7: 10 four times in five; tasks 8 and 9: 5 four times in five), as in Game-RL.

Deviations from Game-RL:
  1. Each sample has one answer form, drawn with the sample's generator: fill-in or multiple choice, half each.
     Game-RL emits every task of a scene twice, once in each form, which doubles one scene in the data.
  2. The 8 consecutive options are the aligned block of 8 multiples of the step that holds the gold: they start
     at gold − step·l with l = (gold / step) mod 8. Game-RL draws l uniformly in 0..min(gold / step, 7) and lists
     the options sorted, so a gold of 0 was always option 1 and small golds sat near the start; with a
     window that starts at 0 more often for small golds, even the option values hinted at them. An aligned
     block says only which block the gold is in; where the gold sits in it follows the gold's value, not a draw.
     The engine shuffles and letters the options.
  3. Tasks 5 and 6 share one option set, 0, 10, 20 and 30, shuffled by the engine; Game-RL lists them in two
     different fixed orders (10, 20, 30, 0 and 0, 10, 20, 30).
  4. Descriptions: Game-RL's driver labels id 1 "Ask the number of enemies in a row" and id 2 "… in a column",
     while id 1 asks about a column and id 2 about a row. The ids keep their questions (as in Game-RL's example
     data) and the descriptions are swapped to match them.
  5. Task 6 always names a column other than the ship's: the empty-column branch (1 in 5) draws among the empty
     columns the ship is not under, and a scene whose only enemy column is the ship's is redrawn. Game-RL then
     asks about moving to the column the ship is already in.
  6. Task 4's analysis counts enemy by enemy, row by row; Game-RL's looks only at rows whose first enemy has the
     colour, which works only because colour is constant along a row.
  7. Task 7 may ask about more intervals than there are columns on the ship's trailing side: those shots go up
     columns whose enemies started off the board, so they score 0, and the trace says so for each of them
     (Game-RL's trace leaves them out without a word).
  8. Task 9's question has its verb ("can get"; Game-RL's lacks it), and tasks 8 and 9 say how many shots the
     ship has and in which intervals.
  9. The picture is drawn with Pillow: enemies are pixel-art-like invaders built from rectangles, in purple, an
     unmistakable blue (Game-RL's "blue" sprite is cyan) and green, in two art variants per image; the ship is
     an orange triangle; the starfield photo is a dark sky with stars drawn from a seed kept in `look`, so the
     picture is a function of the state alone. The labels sit on plain black bands in bright colours (Game-RL's
     grey is lightened), so they stay readable on every background. Scenes larger than 640×480 in area are drawn
     at the scale Game-RL's thumbnail gives them (about 640×480 in area), not drawn large and resampled.
  10. State fields: an enemy is {row, col, color} (Game-RL writes x for the row and y for the column), and
      Game-RL's `enemy_area_rows` is `area_rows`.
  11. The questions and analyses are our own words. Every question states the board's size and numbering and
      the shooting rule it needs; tasks 7-9 state the time rules.
"""
import math
import random

from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, font

# plot level -> (enemy_rows, enemy_cols range, pad columns each side range, area_rows range) (Game-RL's table)
LEVEL = {"Easy": (3, (4, 5), (1, 2), (5, 6)),
         "Medium": (4, (6, 8), (2, 2), (6, 7)),
         "Hard": (5, (9, 11), (2, 3), (7, 8))}
# a column's stack height h = 0..enemy_rows is drawn with these weights, which favour full stacks (Game-RL)
STACK_WEIGHTS = {3: (0.1, 0.2, 0.3, 0.5), 4: (0.1, 0.1, 0.2, 0.2, 0.4), 5: (0.1, 0.1, 0.1, 0.2, 0.2, 0.3)}
POINTS = {"purple": 30, "blue": 20, "green": 10}
COLOURS = ("purple", "blue", "green")
SHIP_UNDER_ENEMIES = 0.8  # share of scenes whose ship stands under an enemy column (Game-RL)
REDRAWS = 1_000           # never reached: fewer than 2 enemies happens about once in 1,600 draws at Easy
OPTIONS = 8               # consecutive options of the counting and point tasks
MAX_INTERVALS = 4         # task 7's Δ is at most 4 (Game-RL)


# ---------------------------------------------------------------------------------------------------------
# The game: the scene, a shot, the enemies' step, and the scene generator

class SpaceInvaders:
    def __init__(self, enemy_rows, enemy_cols, area_rows, total_cols, ship_col, enemies, look):
        self.enemy_rows, self.enemy_cols = enemy_rows, enemy_cols
        self.area_rows, self.total_cols, self.ship_col = area_rows, total_cols, ship_col
        self.enemies = sorted((row, col, colour) for row, col, colour in enemies)  # reading order
        self.look = look

    def column(self, col):
        """The enemies of a column, top to bottom."""
        return [e for e in self.enemies if e[1] == col]

    def row(self, row):
        """The enemies of a row, left to right."""
        return [e for e in self.enemies if e[0] == row]

    def lowest(self, col):
        """The enemy a shot up this column destroys (the largest row), or None."""
        stack = self.column(col)
        return stack[-1] if stack else None

    def enemy_columns(self):
        return sorted({e[1] for e in self.enemies})

    def enemy_rows_used(self):
        return sorted({e[0] for e in self.enemies})

    def move(self, col, direction=0):
        """One time interval: the ship moves to `col` and shoots, then the enemies step `direction` columns
        (+1 right, −1 left, 0 still). Returns (the next scene, the points of the shot)."""
        hit = self.lowest(col)
        left = [e for e in self.enemies if e != hit]
        moved = [(row, c + direction, colour) for row, c, colour in left]
        return (SpaceInvaders(self.enemy_rows, self.enemy_cols, self.area_rows, self.total_cols, col, moved,
                              self.look), POINTS[hit[2]] if hit else 0)

    def to_json(self):
        return {"enemy_rows": self.enemy_rows, "enemy_cols": self.enemy_cols, "area_rows": self.area_rows,
                "total_cols": self.total_cols, "ship_col": self.ship_col,
                "enemies": [{"row": r, "col": c, "color": colour} for r, c, colour in self.enemies],
                "look": self.look}


def block_colour(k, enemy_rows):
    """The colour of the block's k-th row (0 = top): purple, then blue (two rows of it when there are 5), then green."""
    if k == 0:
        return "purple"
    return "blue" if k == 1 or (enemy_rows == 5 and k == 2) else "green"


def new_state(rng, plot_level):
    enemy_rows, cols_range, pad_range, area_range = LEVEL[plot_level]
    enemy_cols, pad, area_rows = rng.randint(*cols_range), rng.randint(*pad_range), rng.randint(*area_range)
    total_cols = enemy_cols + 2 * pad
    for _ in range(REDRAWS):
        top = rng.randint(1, area_rows - enemy_rows + 1)
        left = rng.randint(1, total_cols - enemy_cols + 1)
        enemies = []
        for col in range(left, left + enemy_cols):
            height = rng.choices(range(enemy_rows + 1), weights=STACK_WEIGHTS[enemy_rows])[0]
            enemies += [(top + k, col, block_colour(k, enemy_rows)) for k in range(height)]
        if len(enemies) >= 2:
            break
    else:
        raise RuntimeError(f"no Space Invaders scene with 2 enemies in {REDRAWS} draws")
    occupied = sorted({c for _, c, _ in enemies})
    empty = [c for c in range(1, total_cols + 1) if c not in occupied]  # never empty: there is padding
    ship_col = rng.choice(occupied if rng.random() < SHIP_UNDER_ENEMIES else empty)
    look = {"background": rng.choice(["black", "stars"]), "stars_seed": rng.randrange(2 ** 31),
            "stars_opacity": rng.randint(150, 255), "labels": rng.choice(sorted(LABEL_COLOURS)),  # the image's palette
            "art": rng.randint(1, 2)}
    return SpaceInvaders(enemy_rows, enemy_cols, area_rows, total_cols, ship_col, enemies, look)


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's layout (70×55-pixel cells after a 40-pixel label band on the left and a 60-pixel one on
# top; white grid lines; row labels 1..area_rows+1, column labels 1..total_cols), scaled down to about 640×480
# in area when larger, as Game-RL's thumbnail does.

CELL_W, CELL_H, LEFT, TOP = 70, 55, 40, 60
MAX_AREA = 640 * 480
ENEMY_W, ENEMY_H = 47, 40  # Game-RL's sprite size
SHIP_W, SHIP_H = 50, 42
LABEL_COLOURS = {"red": (255, 80, 80), "sky-blue": (0, 191, 255), "yellow": (255, 255, 0), "grey": (200, 200, 200),
                 "pink": (255, 192, 203)}
FILL = {"purple": (170, 60, 230), "blue": (40, 100, 255), "green": (40, 200, 60)}
SHIP_ORANGE = (255, 140, 0)


def scale(state):
    width, height = LEFT + CELL_W * state.total_cols, TOP + CELL_H * (state.area_rows + 1)
    return min(1.0, math.sqrt(MAX_AREA / (width * height)))


def cell_centre(state, row, col):
    s = scale(state)
    return ((LEFT + CELL_W * (col - 1) + CELL_W / 2) * s, (TOP + CELL_H * (row - 1) + CELL_H / 2) * s)


def draw_invader(draw, centre, colour, art, s):
    """An invader in a 47×40 box (scaled by s): a solid body with two dark eyes, and arms or legs by colour
    (purple: narrow, with antennae; blue: claws; green: wide, with tentacles). Art 2 moves the limbs, as the
    second frame of an animation would."""
    x, y = centre
    u = s * ENEMY_W / 12  # the sprite is 12 units wide, 10 high
    v = s * ENEMY_H / 10
    fill = FILL[colour]

    def box(x0, y0, x1, y1):  # in sprite units, from the sprite's centre
        draw.rectangle((round(x + x0 * u), round(y + y0 * v), round(x + x1 * u) - 1, round(y + y1 * v) - 1), fill=fill)

    half = {"purple": 3, "blue": 4, "green": 5}[colour]
    box(-half, -3, half, 2)        # body
    box(-half + 1, -4, half - 1, -3)  # rounded top
    if colour == "purple":
        box(-3, -5, -2, -4) if art == 1 else box(-4, -5, -3, -4)  # antennae
        box(2, -5, 3, -4) if art == 1 else box(3, -5, 4, -4)
        box(-2, 2, -1, 4) if art == 1 else box(-3, 2, -2, 4)       # legs
        box(1, 2, 2, 4) if art == 1 else box(2, 2, 3, 4)
    elif colour == "blue":
        box(-6, -2 if art == 1 else 0, -4, 2 if art == 1 else 4)  # claws
        box(4, -2 if art == 1 else 0, 6, 2 if art == 1 else 4)
        box(-3, 2, -2, 4)
        box(2, 2, 3, 4)
    else:
        for k in ((-5, -3, 1, 3) if art == 1 else (-4, -2, 0, 2, 4)):  # tentacles
            box(k, 2, k + 1, 4 if art == 1 else 5)
    eye = (20, 20, 30)
    for ex in (-2, 1):
        draw.rectangle((round(x + ex * u), round(y - 2 * v), round(x + (ex + 1) * u) - 1, round(y - v) - 1), fill=eye)


def render(state):
    s = scale(state)
    width = round((LEFT + CELL_W * state.total_cols) * s)
    height = round((TOP + CELL_H * (state.area_rows + 1)) * s)
    image = Image.new("RGB", (width, height), "black")
    draw = ImageDraw.Draw(image)
    left, top = round(LEFT * s), round(TOP * s)
    if state.look["background"] == "stars":
        # The starfield stands in for Game-RL's photo at opacity 150-255. Its own generator is seeded from the
        # state, so the picture depends on the state alone. The label bands stay black for contrast.
        dim = state.look["stars_opacity"] / 255
        draw.rectangle((left, top, width, height), fill=(round(10 * dim), round(12 * dim), round(40 * dim)))
        sky = random.Random(state.look["stars_seed"])
        for _ in range((width - left) * (height - top) // 900):
            sx, sy = sky.randrange(left, width), sky.randrange(top, height)
            glow = round(255 * dim * sky.uniform(0.35, 1.0))
            size = 1 if sky.random() < 0.8 else 2
            draw.rectangle((sx, sy, sx + size - 1, sy + size - 1), fill=(glow, glow, glow))
    for col in range(1, state.total_cols + 2):  # the left edge of every column, and the right edge of the last
        x = min(width - 1, round((LEFT + CELL_W * (col - 1)) * s))
        draw.line((x, top, x, height), fill="white")
    for row in range(1, state.area_rows + 3):  # the top of every row, the ship's row included, and the bottom
        y = min(height - 1, round((TOP + CELL_H * (row - 1)) * s))
        draw.line((left, y, width, y), fill="white")
    labels, colour = font(max(14, round(36 * s))), LABEL_COLOURS[state.look["labels"]]
    for col in range(1, state.total_cols + 1):
        draw.text((cell_centre(state, 1, col)[0], top / 2), str(col), fill=colour, font=labels, anchor="mm")
    for row in range(1, state.area_rows + 2):
        draw.text((left / 2, cell_centre(state, row, 1)[1]), str(row), fill=colour, font=labels, anchor="mm")
    for row, col, enemy in state.enemies:
        draw_invader(draw, cell_centre(state, row, col), enemy, state.look["art"], s)
    x, y = cell_centre(state, state.area_rows + 1, state.ship_col)
    w, h = SHIP_W * s / 2, SHIP_H * s / 2
    draw.polygon([(x, y - h), (x + w, y + h), (x - w, y + h)], fill=SHIP_ORANGE)  # the ship points up
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

def intro(state):
    rows, cols = state.area_rows, state.total_cols
    return ("This image shows a simplified screen of the game Space Invaders. It is a grid of "
            f"{rows + 1} rows and {cols} columns, numbered as the labels on the image show: rows 1 to {rows + 1} from "
            f"top to bottom (on the left), columns 1 to {cols} from left to right (on top). Rows 1 to {rows} are the "
            "enemies' area: each of its cells is empty or holds one enemy, which is purple, blue or green. The ship, "
            f"the orange triangle, is in the bottom row, row {rows + 1}, under one of the columns.\n")


SHOOTING = ("When the ship shoots, its laser goes straight up the ship's column and destroys the lowest enemy in that "
            "column (the one closest to the ship), if there is one; the enemy above it, if any, is then the lowest. "
            "A purple enemy is worth 30 points, a blue one 20 points and a green one 10 points; a shot up an empty "
            "column scores nothing.\n")

TIME_RULES = ("The enemies all move together, one column at a time, always in the same direction (left or right); they "
              "never move down. Time runs in consecutive intervals t, t+1, t+2, …:\n"
              "- during an interval the enemies stand still, and the ship may move to any column and then shoot at "
              "most once;\n"
              "- at the very end of each interval every enemy moves one column in the enemies' direction.\n")

FILL_IN = " Answer with a number."
FORMS = ("fill-in", "multiple choice")


def enemies_word(n):
    return "1 enemy" if n == 1 else f"{n} enemies"


def listed(items, conjunction="and"):
    items = [str(x) for x in items]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def sum_line(counts):
    if len(counts) == 1:
        return f"In total: {counts[0]}."
    return f"In total: {' + '.join(map(str, counts))} = {sum(counts)}."


def describe(enemy):
    row, _, colour = enemy
    return f"in row {row}, {colour}, worth {POINTS[colour]} points"


def consecutive(gold, step):
    """The block of 8 consecutive multiples of `step` that holds `gold` (deviation 2), without the gold."""
    start = gold - step * ((gold // step) % OPTIONS)
    return [str(start + step * k) for k in range(OPTIONS) if start + step * k != gold]


def answer(rng, question, analysis, gold, step, given):
    """Fill-in or multiple choice, half each (deviation 1). step: the options' spacing, or None for 0/10/20/30."""
    if rng.choice(FORMS) == "fill-in":
        return QA(question + FILL_IN, analysis, str(gold), given=given)
    distractors = consecutive(gold, step) if step else [str(v) for v in (0, 10, 20, 30) if v != gold]
    return QA(question, analysis, str(gold), distractors, given=given)


def pick_row_or_column(rng, with_enemies, without):
    """Game-RL's draw: a line holding enemies 3 times in 4, an empty one otherwise."""
    return rng.choice(with_enemies if rng.random() < 0.75 else without)


def enemies_in_column(rng, state):
    empty = [c for c in range(1, state.total_cols + 1) if c not in state.enemy_columns()]
    col = pick_row_or_column(rng, state.enemy_columns(), empty)
    stack = state.column(col)
    if stack:
        analysis = (f"In column {col} the image shows an enemy in row{'s' if len(stack) > 1 else ''} "
                    f"{listed([e[0] for e in stack])}. So column {col} holds {enemies_word(len(stack))}.")
    else:
        analysis = f"Column {col} of the image holds no enemy. So the number is 0."
    return answer(rng, intro(state) + f"How many enemies are in column {col}?", analysis, len(stack), 1, {"col": col})


def enemies_in_row(rng, state):
    empty = [r for r in range(1, state.area_rows + 1) if r not in state.enemy_rows_used()]
    row = pick_row_or_column(rng, state.enemy_rows_used(), empty)
    line = state.row(row)
    if line:
        analysis = (f"In row {row} the image shows an enemy in column{'s' if len(line) > 1 else ''} "
                    f"{listed([e[1] for e in line])}. So row {row} holds {enemies_word(len(line))}.")
    else:
        analysis = f"Row {row} of the image holds no enemy. So the number is 0."
    return answer(rng, intro(state) + f"How many enemies are in row {row}?", analysis, len(line), 1, {"row": row})


def enemies_in_total(rng, state):
    counts = [(r, len(state.row(r))) for r in state.enemy_rows_used()]
    lines = [f"- Row {r}: {enemies_word(n)}." for r, n in counts]
    total = len(state.enemies)
    analysis = "\n".join(["Count the enemies row by row.", *lines, sum_line([n for _, n in counts])])
    return answer(rng, intro(state) + "How many enemies are there in total?", analysis, total, 1, {})


def enemies_of_colour(rng, state):
    colour = rng.choice(COLOURS)
    lines, counts = [], []
    for r in state.enemy_rows_used():  # enemy by enemy: a row could mix colours (deviation 6)
        of_colour = [e[1] for e in state.row(r) if e[2] == colour]
        if of_colour:
            n = len(of_colour)
            lines.append(f"- Row {r}: {n} {colour} enem{'y' if n == 1 else 'ies'}, in "
                         f"column{'s' if n > 1 else ''} {listed(of_colour)}.")
            counts.append(n)
    total = sum(counts)
    found = sum_line(counts) if counts else f"No row holds a {colour} enemy, so the number is 0."
    analysis = "\n".join([f"Go through the rows and count the {colour} enemies in each.", *lines, found])
    question = intro(state) + f"How many {colour} enemies are there in total?"
    return answer(rng, question, analysis, total, 1, {"color": colour})


def shoot_here(rng, state):
    col, enemy = state.ship_col, state.lowest(state.ship_col)
    points = state.move(col)[1]
    analysis = f"The ship is in column {col}. " + (
        f"The lowest enemy in that column is {describe(enemy)}, so the shot scores {points} points." if enemy else
        "That column holds no enemy, so the shot scores 0 points.")
    question = intro(state) + SHOOTING + "If the ship shoots from where it is now, how many points does the player get?"
    return answer(rng, question, analysis, points, None, {})


def move_and_shoot(rng, state):
    others = [c for c in state.enemy_columns() if c != state.ship_col]
    empty = [c for c in range(1, state.total_cols + 1) if c not in state.enemy_columns() and c != state.ship_col]
    targets = others if rng.random() < 0.8 else empty
    if not targets:
        raise GiveUp("the ship is under the only enemy column")  # deviation 5
    col = rng.choice(targets)
    enemy, points = state.lowest(col), state.move(col)[1]
    analysis = (f"The ship moves from column {state.ship_col} to column {col} and shoots. " +
                (f"The lowest enemy in column {col} is {describe(enemy)}, so the shot scores {points} points."
                 if enemy else f"Column {col} holds no enemy, so the shot scores 0 points."))
    question = (intro(state) + SHOOTING + f"Suppose that the enemies stand still. If the ship moves to column {col} "
                "and shoots, how many points does the player get?")
    return answer(rng, question, analysis, points, None, {"target_col": col})


def free_columns(state):
    """Empty columns between the enemies and the left edge, and between them and the right edge."""
    cols = state.enemy_columns()
    return cols[0] - 1, state.total_cols - cols[-1]


def enemy_direction(rng, state):
    """Game-RL's rule: right when the enemies touch the left edge, left when they touch the right edge, else
    either. They never touch both: the board has padding on both sides."""
    free_left, free_right = free_columns(state)
    if free_left == 0:
        return "right"
    if free_right == 0:
        return "left"
    return rng.choice(["left", "right"])


def interval(i):
    return "t" if i == 0 else f"t+{i}"


def keep_shooting(rng, state):
    direction = enemy_direction(rng, state)
    sign = 1 if direction == "right" else -1
    room = free_columns(state)[direction == "right"]
    delta = rng.randint(1, min(room, MAX_INTERVALS))  # no enemy reaches past the edge while the ship shoots
    ship = state.ship_col
    lines, points = [], []
    for i in range(delta + 1):
        col = ship - sign * i
        if not 1 <= col <= state.total_cols:
            lines.append(f"- Interval {interval(i)}: the enemies above the ship started in column {col}, off the "
                         "board, so there are none: 0 points.")
            points.append(0)
            continue
        enemy = state.lowest(col)
        points.append(POINTS[enemy[2]] if enemy else 0)
        lines.append(f"- Interval {interval(i)}: column {col}: " + (
            f"the lowest enemy is {describe(enemy)}." if enemy else "no enemy, 0 points."))
    total = sum(points)
    back = "left" if direction == "right" else "right"
    analysis = (f"The ship stays in column {ship} while the enemies move {direction}, one column at the end of each "
                f"interval. In interval t+i the enemies above the ship are those that started i columns to the {back} "
                f"of it, in column {ship} {'-' if sign == 1 else '+'} i of the image. These columns all differ, so "
                "each shot meets a column that no earlier shot touched, and it destroys that column's lowest enemy in "
                "the image.\n" + "\n".join(lines) + f"\nIn total: {' + '.join(map(str, points))} = {total} points.")
    question = (intro(state) + SHOOTING + TIME_RULES + f"The image shows the scene at the start of interval t, and the "
                f"enemies are moving {direction}. The ship stays in its column and shoots once in each interval from t "
                f"to t+{delta}. How many points does the player get in total by the end of interval t+{delta}?")
    step = 10 if rng.random() < 0.8 else 5
    return answer(rng, question, analysis, total, step, {"direction": direction, "delta": delta})


def lowest_lines(state):
    lines = []
    for col in range(1, state.total_cols + 1):
        enemy = state.lowest(col)
        lines.append(f"- Column {col}: " + (f"the lowest enemy is {describe(enemy)}." if enemy else "no enemy."))
    return lines


def best_single_shot(rng, state):
    values = {c: state.move(c)[1] for c in range(1, state.total_cols + 1)}
    best = max(values.values())
    where = [c for c, v in values.items() if v == best]
    analysis = ("The ship can move to any column before it shoots, so the best shot is the one at the most valuable "
                "of the enemies that are lowest in their columns. Column by column:\n" + "\n".join(lowest_lines(state))
                + f"\nThe most is {best} points, from a shot up column {listed(where, 'or')}.")
    question = (intro(state) + SHOOTING + TIME_RULES + "The image shows the scene at the start of interval t. The ship "
                "may move to any column and shoot once during interval t. What is the largest number of points the "
                "player can get?")
    step = 10 if rng.random() < 0.2 else 5
    return answer(rng, question, analysis, best, step, {})


def best_two_shots(rng, state):
    direction = enemy_direction(rng, state)
    same, same_lines = 0, []
    for col in range(1, state.total_cols + 1):
        stack = state.column(col)
        if len(stack) < 2:
            same_lines.append(f"- Column {col}: {'only one enemy' if stack else 'no enemy'}.")
            continue
        first, second = stack[-1], stack[-2]
        gain = POINTS[first[2]] + POINTS[second[2]]
        same_lines.append(f"- Column {col}: the lowest enemy is {describe(first)}; the next is {describe(second)}; "
                          f"together {gain} points.")
        same = max(same, gain)
    lowest = sorted((POINTS[state.lowest(c)[2]] for c in state.enemy_columns()), reverse=True)
    apart = sum(lowest[:2]) if len(lowest) >= 2 else 0
    best = max(same, apart)
    case1 = (f"The most in this case is {same} points." if same else "No column holds two enemies, so this case "
                                                                      "is impossible.")
    case2 = (f"The two highest are {lowest[0]} and {lowest[1]}: {lowest[0]} + {lowest[1]} = {apart} points."
             if len(lowest) >= 2 else "Only one column holds enemies, so this case is impossible.")
    analysis = ("The ship shoots twice: once in interval t and once in t+1. Between the two shots the enemies move one "
                f"column {direction}, but the ship can move to any column before each shot, so the move changes only "
                "where a column's enemies are, not which enemies the second shot can reach: it is enough to pick the "
                "two shots in the image as it is. There are two cases.\n"
                "Case 1: both shots up the same enemies' column, which destroys its two lowest enemies.\n"
                + "\n".join(same_lines) + f"\n{case1}\n"
                "Case 2: the shots go up two different enemies' columns, each destroying that column's lowest enemy.\n"
                + "\n".join(lowest_lines(state)) + f"\n{case2}\n"
                f"The largest is max({same}, {apart}) = {best} points.")
    question = (intro(state) + SHOOTING + TIME_RULES + "The image shows the scene at the start of interval t, and the "
                f"enemies are moving {direction}. The ship may move to any column and shoot once in interval t and "
                "once in interval t+1. What is the largest number of points the player can get by the end of interval "
                "t+1?")
    step = 10 if rng.random() < 0.2 else 5
    return answer(rng, question, analysis, best, step, {"direction": direction})


TASKS = [
    Task(1, "Ask the number of enemies in a column", "Target Perception", "Easy", enemies_in_column),
    Task(2, "Ask the number of enemies in a row", "Target Perception", "Easy", enemies_in_row),
    Task(3, "Ask the total number of enemies", "Target Perception", "Medium", enemies_in_total),
    Task(4, "Ask the number of enemies with a specific color", "Target Perception", "Medium", enemies_of_colour),
    Task(5, "Ask the points gained by shooting once where the ship is", "State Prediction", "Easy", shoot_here),
    Task(6, "Ask the points gained by moving to a given column and shooting once", "State Prediction", "Easy",
         move_and_shoot),
    Task(7, "Ask the points gained by continually shooting where the ship is with the enemies keeping on moving",
         "State Prediction", "Hard", keep_shooting),
    Task(8, "Ask the maximum points gained by shooting once", "Strategy Optimization", "Medium", best_single_shot),
    Task(9, "Ask the maximum points gained by shooting twice", "Strategy Optimization", "Hard", best_two_shots),
]
