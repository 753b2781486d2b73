"""Langton's Ant, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `langton_ant`, multi-step reasoning,
in-domain.

The game. An n×n grid (5, 9 or 13 by plot level) of white and black cells, and one ant with a cell and a heading
(up, right, down or left), drawn as a red triangle pointing the way it faces. One step: on a white cell the ant
turns 90° right (clockwise, as seen in the image), paints its cell black and moves forward one cell; on a black
cell it turns 90° left, paints its cell white and moves forward one cell. Only the cell the ant leaves changes
colour. The grid is a torus: moving up from row 0 leads to row n-1, moving right from column n-1 to column 0.
Cells are written (row, column), 0-based from the top left, as the tick labels on the image show; up is row − 1
and right is column + 1. Game-RL writes the same pair as "(x, y)" with x counted downward. The state is
Game-RL's `{"grid": n×n 0/1 (1 black), "ant": {"x": row, "y": column, "direction": …}}`, plus the question's
own parameters: `steps`, and task 3's `target` [row, column].

The tasks are Game-RL's three (its question ids, qa_type and qa_level):
  1 where the ant is and which way it faces (TP, Easy, MC 8)
  2 where the ant is and which way it faces after 5-10 steps (SP, Medium, MC 8)
  3 how many times one cell changes colour during 5-12 steps (SP, Hard, fill-in integer)

Deviations from Game-RL:
  1. Task 1's options are two neighbouring cells, each with all four headings: the ant's cell and one cell next
     to it inside the grid. Game-RL draws seven random (cell, heading) pairs from the whole grid, which a glance
     at the picture rules out. Here the answer needs both the exact cell and the exact heading, and the list
     itself says nothing: each of its two cells appears four times and each heading twice.
  2. Task 2's options are four cells, each with two headings. Beside the true final cell (with its heading
     and one other) come three cells of plausible mistakes: first the rule misread (the two turns swapped;
     the black cells ignored, when that ends elsewhere), then the ant's cell at another time of the same run
     (1 to k + 2 steps: miscounted steps), each with two random headings. Game-RL's seven are uniform random
     (cell, heading) pairs. Every cell appears twice, so the list's counts point to none of them. The wrong
     runs' own headings are not used: headings of one run two steps apart agree more often than chance, and
     with them "the commonest heading in the list" picked the answer 14.5 % of the time instead of 12.5 %.
     Step 0 is no miscounted step: the picture shows the ant's cell now. If the mistakes give too few
     distinct cells, the final cell's neighbours top them up.
  3. Task 3's cell comes from the real run, not from a run on an all-white grid as in Game-RL (whose target
     is often a cell the ant never reaches on the real board, making "0" an easy guess). With probability 0.8
     it is a random step's starting cell (so a cell left twice is twice as likely); otherwise a cell next to the
     path that the ant never leaves, the cell it ends on included: the near miss where arriving is mistaken for
     a change.
  4. Task 3's question says that only the cell the ant leaves changes colour, that a cell painted back counts
     twice, and that arriving after the last step is no change; its analysis names the steps that start on the
     cell and says that the final arrival does not count.
  5. Task 3's description is the one in Game-RL's released example data, "Count how many times a specific cell
     changes its color"; its code labels the task "Predict the color state of a specific cell after several
     steps", which is not what the question asks.
  6. The image is Game-RL's layout in Pillow: 50-pixel cells for n = 5 and 9, 37 for n = 13, the grid centred
     in about 550 pixels, 1-pixel black cell borders, row numbers on the left and column numbers on top. The
     triangle has Game-RL's size, three quarters of a cell long and half a cell wide, but is centred on its
     cell (Game-RL's tip touches the next cell) and has a dark outline.
  7. Steps are drawn as Game-RL's code draws them: 5-10 for task 2, 5-12 for task 3 (its README says 5-12 for
     both). The question texts are our own words; they state the wrap-around with the grid's own row and column
     numbers and which way "right" turns. Options are shuffled and lettered by the engine.
"""
from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, MOVE_DELTAS, GRID_CONVENTION, fmt_cell, font

SIZE = {"Easy": 5, "Medium": 9, "Hard": 13}
BLACK_DRAWS = {5: (2, 12), 9: (8, 40), 13: (16, 80)}  # random cells painted black, with repeats (Game-RL)
STEPS = {2: (5, 10), 3: (5, 12)}                      # steps asked about, by task
ON_PATH_SHARE = 0.8                                   # task 3: how often the cell is one the ant leaves
HEADINGS = ("up", "right", "down", "left")            # clockwise, so a right turn is +1 and a left turn −1
WHITE, BLACK = 0, 1
COLOUR = {WHITE: "white", BLACK: "black"}
GAME_RL_TURNS = {WHITE: 1, BLACK: -1}                 # right on white, left on black
SWAPPED_TURNS = {WHITE: -1, BLACK: 1}                 # task 2's "turns mixed up" mistake


# ---------------------------------------------------------------------------------------------------------
# The game: the grid, the ant and one step

class AntBoard:
    def __init__(self, grid, cell, heading):
        self.grid = tuple(tuple(row) for row in grid)
        self.n = len(self.grid)
        self.cell, self.heading = tuple(cell), heading

    def colour(self, cell):
        return self.grid[cell[0]][cell[1]]

    def move(self, turns=GAME_RL_TURNS):
        """One step: turn by the colour under the ant, flip that cell, move forward one cell on the torus."""
        r, c = self.cell
        colour = self.colour(self.cell)
        heading = HEADINGS[(HEADINGS.index(self.heading) + turns[colour]) % 4]
        grid = [list(row) for row in self.grid]
        grid[r][c] = 1 - colour
        dr, dc = MOVE_DELTAS[heading]
        return AntBoard(grid, ((r + dr) % self.n, (c + dc) % self.n), heading)

    def to_json(self):
        return {"grid": [list(row) for row in self.grid],
                "ant": {"x": self.cell[0], "y": self.cell[1], "direction": self.heading}}


def new_state(rng, plot_level):
    n = SIZE[plot_level]
    grid = [[WHITE] * n for _ in range(n)]
    for _ in range(rng.randint(*BLACK_DRAWS[n])):  # a cell drawn twice stays black, so there may be fewer
        grid[rng.randrange(n)][rng.randrange(n)] = BLACK
    return AntBoard(grid, (rng.randrange(n), rng.randrange(n)), rng.choice(HEADINGS))


def run(board, steps, turns=GAME_RL_TURNS):
    """The board now and after each of the next `steps` steps (steps <= 14, so no budget is needed)."""
    boards = [board]
    for _ in range(steps):
        boards.append(boards[-1].move(turns))
    return boards


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's layout (deviation 6). Cells of min(490 // n, 50) pixels, the grid centred in 550.

RED, OUTLINE = (255, 0, 0), (110, 0, 0)
TICK_FONT = {5: 26, 9: 22, 13: 18}
TICK_GAP = {5: 6, 9: 3, 13: 2}  # Game-RL puts a label's centre margin // gap pixels off the grid


def layout(n):
    cell = min((550 - 60) // n, 50)
    return cell, (550 - cell * n) // 2


def triangle(centre, heading, cell):
    """The ant: Game-RL's triangle, three quarters of a cell long and half a cell wide, centred on the cell
    (Game-RL's tip touches the next cell)."""
    x, y = centre
    half_length, half_width = 3 * cell // 8, cell // 4
    dr, dc = MOVE_DELTAS[heading]
    tip = (x + dc * half_length, y + dr * half_length)
    back = (x - dc * half_length, y - dr * half_length)
    side = (dr * half_width, -dc * half_width)  # perpendicular to the heading, in image (x, y)
    return [tip, (back[0] + side[0], back[1] + side[1]), (back[0] - side[0], back[1] - side[1])]


def render(state):
    n = state.n
    cell, margin = layout(n)
    side = 2 * margin + cell * n
    image = Image.new("RGB", (side, side), "white")
    draw = ImageDraw.Draw(image)
    labels, gap = font(TICK_FONT[n]), margin // TICK_GAP[n]
    for k in range(n):
        middle = margin + k * cell + cell // 2
        draw.text((margin - gap, middle), str(k), fill="black", font=labels, anchor="mm")  # row k, on the left
        draw.text((middle, margin - gap), str(k), fill="black", font=labels, anchor="mm")  # column k, on top
    for r in range(n):
        for c in range(n):
            x, y = margin + c * cell, margin + r * cell
            draw.rectangle((x, y, x + cell, y + cell), fill=COLOUR[state.colour((r, c))], outline="black")
    r, c = state.cell
    centre = (margin + c * cell + cell // 2, margin + r * cell + cell // 2)
    draw.polygon(triangle(centre, state.heading, cell), fill=RED, outline=OUTLINE)
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

def intro(state):
    last = state.n - 1
    return (f"This is Langton's Ant on the {state.n}×{state.n} grid in the image. Every cell is white or black. The "
            "ant is the red triangle: it stands on one cell, whose colour shows around it, and points the way it "
            "faces (up, right, down or left).\n"
            "In one step the ant:\n"
            "1. on a white cell, turns 90 degrees right (clockwise as seen in the image), paints its cell black and "
            "moves forward one cell;\n"
            "2. on a black cell, turns 90 degrees left (anticlockwise), paints its cell white and moves forward one "
            "cell.\n"
            "Only the cell the ant leaves changes colour. Facing up, the ant moves to row − 1; down, row + 1; left, "
            "column − 1; right, column + 1.\n"
            f"The grid wraps around: moving up from row 0 leads to row {last} of the same column, moving down from "
            f"row {last} to row 0, moving left from column 0 to column {last}, and moving right from column {last} "
            "to column 0.\n" + GRID_CONVENTION.format(last_r=last, last_c=last) + "\n\n")


def ant_text(board):
    return f"Position {fmt_cell(board.cell)}, facing {board.heading}"


def wrapped(before, after):
    return abs(before.cell[0] - after.cell[0]) > 1 or abs(before.cell[1] - after.cell[1]) > 1


def step_line(t, before, after):
    """Step t, from `before` to `after`: the cell and its colour, the turn, the new colour, the cell moved to."""
    colour = before.colour(before.cell)
    turn = "right" if colour == WHITE else "left"
    return (f"Step {t}: the ant is on the {COLOUR[colour]} cell {fmt_cell(before.cell)}, facing {before.heading}. "
            f"It turns {turn} to face {after.heading}, paints {fmt_cell(before.cell)} {COLOUR[1 - colour]} and "
            f"moves to {fmt_cell(after.cell)}" + (" (wrapping around the edge)" if wrapped(before, after) else "")
            + f", which is {COLOUR[after.colour(after.cell)]}.")


def neighbours_inside(cell, n):
    return [(cell[0] + dr, cell[1] + dc) for dr, dc in MOVE_DELTAS.values()
            if 0 <= cell[0] + dr < n and 0 <= cell[1] + dc < n]


def ant_now(rng, state):
    decoy = rng.choice(neighbours_inside(state.cell, state.n))  # deviation 1
    options = [f"Position {fmt_cell(cell)}, facing {h}" for cell in (state.cell, decoy) for h in HEADINGS]
    gold = ant_text(state)
    r, c = state.cell
    analysis = (f"The red triangle, the ant, is in row {r} by the labels on the left and in column {c} by the labels "
                f"on top, so it is at {fmt_cell(state.cell)}, on a {COLOUR[state.colour(state.cell)]} cell. Its tip "
                f"points {state.heading}, so it faces {state.heading}: {gold}.")
    question = intro(state) + "Where is the ant now, and which way does it face?"
    return QA(question, analysis, gold, [o for o in options if o != gold])


def ant_after(rng, state):
    k = rng.randint(*STEPS[2])
    boards = run(state, k + 2)
    final = boards[k]
    blank = AntBoard([[WHITE] * state.n] * state.n, state.cell, state.heading)
    misread = [run(state, k, SWAPPED_TURNS)[-1].cell, run(blank, k)[-1].cell]
    miscounted = [b.cell for t, b in enumerate(boards) if t not in (0, k)]  # step 0 is in the picture
    rng.shuffle(misread)
    rng.shuffle(miscounted)
    near = [((final.cell[0] + dr) % state.n, (final.cell[1] + dc) % state.n) for dr, dc in MOVE_DELTAS.values()]
    cells = [final.cell]
    for cell in misread + miscounted + near:  # the neighbours only if the mistakes give too few cells
        if cell not in cells:
            cells.append(cell)
    # Deviation 2: two headings a cell; the wrong runs' own headings would make the answer's the commonest.
    options = [ant_text(final), f"Position {fmt_cell(final.cell)}, "
               f"facing {rng.choice([h for h in HEADINGS if h != final.heading])}"]
    for cell in cells[1:4]:  # there are 4 distinct neighbours on n >= 5, so always 3 wrong cells
        options += [f"Position {fmt_cell(cell)}, facing {h}" for h in rng.sample(HEADINGS, 2)]
    lines = [f"The ant starts at {fmt_cell(state.cell)}, facing {state.heading}. Follow it step by step."]
    lines += [step_line(t, boards[t - 1], boards[t]) for t in range(1, k + 1)]
    lines.append(f"After {k} steps the ant is at {fmt_cell(final.cell)}, facing {final.heading}: {ant_text(final)}.")
    question = intro(state) + f"After {k} steps, where will the ant be, and which way will it face?"
    return QA(question, "\n".join(lines), ant_text(final), options[1:], {"steps": k})


def target_cell(rng, state, boards):
    """Deviation 3: mostly a cell the ant leaves during the run, else a cell next to the path it never leaves."""
    left = [b.cell for b in boards[:-1]]
    if rng.random() < ON_PATH_SHARE:
        return rng.choice(left)  # one step's starting cell: a cell left twice is twice as likely
    near = {((r + dr) % state.n, (c + dc) % state.n) for r, c in left for dr, dc in MOVE_DELTAS.values()}
    return rng.choice(sorted((near | {boards[-1].cell}) - set(left)))


def colour_changes(rng, state):
    k = rng.randint(*STEPS[3])
    boards = run(state, k)
    target = target_cell(rng, state, boards)
    lines = [f"The ant starts at {fmt_cell(state.cell)}, facing {state.heading}. The cell {fmt_cell(target)} is "
             f"{COLOUR[state.colour(target)]} before the first step. Follow the ant step by step; a step changes "
             f"{fmt_cell(target)} only if it starts there."]
    changes, starts = 0, []
    for t in range(1, k + 1):
        before, after = boards[t - 1], boards[t]
        if before.cell == target:
            changes += 1
            starts.append(t)
            note = (f"{fmt_cell(target)} flips from {COLOUR[before.colour(target)]} to "
                    f"{COLOUR[after.colour(target)]}: change {changes}.")
        else:
            note = f"{fmt_cell(target)} stays {COLOUR[after.colour(target)]}."
        lines.append(step_line(t, before, after) + " " + note)
    which = ("no step" if not starts else f"step {starts[0]}" if len(starts) == 1 else
             "steps " + ", ".join(map(str, starts[:-1])) + f" and {starts[-1]}")
    lines.append(f"Each step flips only the cell the ant leaves, so the count is the number of steps that start on "
                 f"{fmt_cell(target)}: {which}."
                 + (f" The ant ends on {fmt_cell(target)} after step {k}, but arriving changes nothing."
                    if boards[-1].cell == target else "")
                 + f" So {fmt_cell(target)} changes colour {changes} time{'' if changes == 1 else 's'}.")
    question = (intro(state) + f"During the next {k} steps, how many times does the cell {fmt_cell(target)} change "
                "its colour? A cell painted and later painted back counts twice; the ant arriving on a cell does not "
                "change it. Answer with a number.")
    return QA(question, "\n".join(lines), str(changes), given={"steps": k, "target": list(target)})


TASKS = [
    Task(1, "Identify the current position and direction of the ant", "Target Perception", "Easy", ant_now),
    Task(2, "Predict the ant's position and direction after several steps", "State Prediction", "Medium", ant_after),
    Task(3, "Count how many times a specific cell changes its color", "State Prediction", "Hard", colour_changes),
]
