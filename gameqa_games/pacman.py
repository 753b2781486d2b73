"""Pacman, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `pacman`, strategic planning, out-of-domain
(held out of training).

The game. An n×n board (n = 16, 18, 20 by plot level) whose outer ring is wall, with int(0.1·n²) more wall cells
inside (25 / 32 / 40). Every other cell held a bean at the start; Pac-Man has already walked a path and eaten the
beans on it, and the score (drawn at the top) counts them. Pac-Man faces UP, DOWN, LEFT or RIGHT. A move takes it
one cell that way: into a wall it does nothing (Pac-Man keeps its cell and its facing); otherwise Pac-Man faces
the way it moved and eats the bean on its new cell, if any (+1 to the score). Two ghosts chase it, Pinky then
Blinky. On its turn a ghost steps one cell along a shortest path around the walls (beans, Pac-Man and the other
ghost do not block it) to its target, and stays put on its target. Blinky's target is Pac-Man's cell; Pinky's
is the cell 4 ahead of Pac-Man in its facing, or the last cell before a wall that comes sooner (Pac-Man's own
cell when a wall is right in front of it). Among the first steps of several shortest paths a ghost takes the
first of UP, DOWN, LEFT, RIGHT. A turn of everyone is: Pac-Man moves, Pinky moves, Blinky moves; Pac-Man is
caught when, right after a ghost's turn, that ghost stands on Pac-Man's cell, and at no other time (stepping onto
a ghost, or swapping cells with one, is no catch). Cells are (row, column), 0-based from the top-left corner, as
the image's tick labels show. The state is Game-RL's fields (grid_size, walls, beans, pacman_position,
direction, ghosts with name and position, score) plus the question's own: task 4's `moves`, tasks 5/6's
`pacman_moves`.

The tasks are Game-RL's ten (its 0-based question ids, descriptions, qa_type and qa_level):
  0 Pac-Man's cell and facing (TP, Easy, MC 8)
  1 beans in the 5×5 square around Pac-Man (TP, Easy, fill-in)
  2 which ghost is closer, by Manhattan distance (TP, Easy, MC 3)
  3 beans eaten going straight ahead to a wall, ghosts frozen (SP, Easy, fill-in)
  4 what 2-6 turns of everyone bring: beans and score, or a catch (SP, Hard, MC 8)
  5, 6 does Pinky's / Blinky's next step change after Pac-Man's moves, the ghost frozen (SP, Medium, MC 4)
  7, 8 Pinky's / Blinky's next step (SP, Medium, MC 4)
  9 the direction that, held to a wall, eats most without a catch (SO, Hard, MC 5)

Deviations from Game-RL:
  1. Beans under a ghost are drawn on top of the ghost (a yellow dot with a black ring), and every task counts
     them, task 1 included. Game-RL pastes opaque ghost sprites over them, so tasks 3, 4 and 9 counted beans the
     picture hides, while task 1 left them out.
  2. The free cells are connected (a board that is not is drawn again: about 1 in 5), so every ghost has a path
     to every target. Game-RL never checks; a walled-off ghost has no step, and tasks 5-8 then report Pac-Man's
     facing as the ghost's direction. Tasks 5-8 are also asked only where the ghost is off its target (before
     and after Pac-Man's moves), so the ghost has a next step to ask about.
  3. Pac-Man's past walk ENDS on its cell: it came along a breadth-first-tree path (Game-RL's length rule: a
     distance uniform in 0..int(0.63 n²), the farthest cells when none is that far) from a far cell, and faces
     the way of its last step. Game-RL starts the walk on Pac-Man's drawn cell and puts Pac-Man at the far end.
     As the drawn length is rarely reachable, that end is the farthest cell from a random start, mostly a
     corner or a dead end with Pac-Man facing into it: on 300 boards task 3's answer was 0 for 92 % and Pac-Man
     stood on (1, 1) for one in five. Ours puts Pac-Man on a uniform free cell with its eaten trail behind it.
  4. The ghosts are placed after the walk, on free cells other than both ends of it and each other. In Game-RL
     the walk can end under a ghost, and the opaque sprite hides Pac-Man.
  5. Task 9's best direction must be the only best: a state where two directions tie is drawn again (about 1
     in 6). Game-RL breaks ties in the order UP, DOWN, RIGHT, LEFT, which contradicts the UP > DOWN > LEFT >
     RIGHT its own question states; with a unique best no tie rule is needed. A direction Pac-Man cannot move
     in at all eats 0 beans and is safe, as in Game-RL.
  6. Options are shuffled and lettered by the engine and the gold is a letter, tasks 2, 7, 8 and 9 included,
     whose options Game-RL lists in a fixed order (task 2's gold is even the option's text there).
  7. Task 0's seven wrong options are four cells near Pac-Man, each with two facings: Pac-Man's cell and three
     free cells at most two rows and columns from a random anchor on or next to it, crossed with Pac-Man's
     facing and one other. Every cell and every facing appears equally often, so only reading both gives the
     answer. Game-RL's are uniform over the whole board, walls included, and easy to rule out.
  8. Task 4's six bean counts are always 0-5 (0-6 less one wrong count when Pac-Man makes 6 moves, as it eats
     at most one bean a turn), so the counts listed do not point at the gold. Game-RL draws them from 1..b+5
     around the gold b. Pac-Man's moves are drawn as in Game-RL: two directions uniform, each 1-3 times.
  9. Tasks 5 and 6 are asked only where the move decides: on a board where some of Pac-Man's moves (a
     direction whose first step is open, 1-3 times) change the ghost's next step and some keep it, "changes"
     and "stays" are drawn with even odds and then a move uniformly among those giving that outcome; other
     boards are drawn again (about 3 in 5 for Pinky, 7 in 10 for Blinky). Game-RL draws the move uniformly on
     any board, so "unchanged" is most golds (the ghost is usually far away and keeps its way), and a move
     into a wall makes the question void.
  10. Every rule the questions rely on is stated: that a blocked move of task 4 still gives the ghosts their
     turn, when a catch happens, that a ghost on its target stays, that task 2 measures Manhattan distance.
     The question descriptions are Game-RL's; the texts and analyses are our own words, with the same steps.
  11. The picture keeps Game-RL's layout (540×540, black, "Score: s" on top, ticks on the top and left, cells of
     490 // n px) with simple shapes for its sprites: Pac-Man a yellow disc whose black wedge (its mouth) faces
     its direction, the ghosts pink and red dome-and-skirt shapes. Thin grey lines mark the cells.
  12. No search needs a step budget: every breadth-first search visits each of the at most 324 free cells once,
     and task 9's walks end within n turns, so no question can hang.
"""
from collections import deque

from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, GiveUp, GRID_CONVENTION, MOVE_DELTAS, fmt_cell, font

SIZE = {"Easy": 16, "Medium": 18, "Hard": 20}  # board side with its outer wall ring
INNER_WALL_SHARE = 0.1   # int(0.1 n²) wall cells inside the ring
WALK_SHARE = 0.63        # Pac-Man's past walk aims at a BFS distance uniform in 0..int(0.63 n²)
PINKY_AHEAD = 4
BOARD_TRIES = 100        # wall layouts drawn before giving up (about 1 in 5 is disconnected)
DIRECTIONS = ("UP", "DOWN", "LEFT", "RIGHT")  # also the ghosts' priority among equally short first steps
DELTA = {d: MOVE_DELTAS[d.lower()] for d in DIRECTIONS}
GHOSTS = ("Pinky", "Blinky")  # the order the ghosts take their turns
COLOUR_WORD = {"Pinky": "pink", "Blinky": "red"}


def step(cell, direction):
    dr, dc = DELTA[direction]
    return (cell[0] + dr, cell[1] + dc)


def manhattan(a, b):
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def beans(k):
    return f"{k} bean" + ("" if k == 1 else "s")


# ---------------------------------------------------------------------------------------------------------
# The game: the board, Pac-Man's move, the ghosts' chase

class Board:
    def __init__(self, n, walls, beans, pacman, direction, ghosts, score, exits=None):
        self.n, self.walls, self.beans = n, frozenset(walls), frozenset(beans)
        self.pacman, self.direction = tuple(pacman), direction
        self.ghosts = {name: tuple(ghosts[name]) for name in GHOSTS}
        self.score = score
        # each free cell's free neighbours, in the order UP, DOWN, LEFT, RIGHT: the walls never change, so the
        # boards that moves make share one copy
        self.exits = exits or {cell: tuple(nb for d in DIRECTIONS for nb in [step(cell, d)] if nb not in self.walls)
                               for cell in self.free_cells()}

    def replace(self, **changes):
        fields = dict(n=self.n, walls=self.walls, beans=self.beans, pacman=self.pacman, direction=self.direction,
                      ghosts=self.ghosts, score=self.score, exits=self.exits)
        return Board(**{**fields, **changes})

    def is_free(self, cell):
        return cell not in self.walls  # the outer ring is wall, so no step leaves the board

    def free_cells(self):
        return [(r, c) for r in range(self.n) for c in range(self.n) if (r, c) not in self.walls]

    def move(self, direction):
        """Pac-Man's move: into a wall nothing changes (the same board comes back); else Pac-Man faces
        `direction` and eats the bean on its new cell."""
        cell = step(self.pacman, direction)
        if not self.is_free(cell):
            return self
        eaten = cell in self.beans
        return self.replace(pacman=cell, direction=direction, beans=self.beans - {cell} if eaten else self.beans,
                            score=self.score + eaten)

    def target(self, name):
        if name == "Blinky":
            return self.pacman
        cell = self.pacman
        for _ in range(PINKY_AHEAD):  # up to 4 cells ahead, stopping before the first wall
            ahead = step(cell, self.direction)
            if not self.is_free(ahead):
                break
            cell = ahead
        return cell

    def distances(self, target, until):
        """Breadth-first distances from `target` over free cells, level by level, stopped after the level that
        reaches `until`: by then every cell nearer to the target than `until` has its distance, which is all a
        shortest path from `until` needs. The board is connected (new_state), so `until` is always reached."""
        dist, level, d = {target: 0}, [target], 0
        while until not in dist:
            d += 1
            nxt = []
            for cell in level:
                for nb in self.exits[cell]:
                    if nb not in dist:
                        dist[nb] = d
                        nxt.append(nb)
            level = nxt
        return dist

    def chase(self, name):
        """The ghost's shortest path to its target as (first step's direction or None, list of cells). At each
        cell it takes the first of UP, DOWN, LEFT, RIGHT that brings it one cell nearer."""
        cell, target = self.ghosts[name], self.target(name)
        dist = self.distances(target, cell)
        path, first = [cell], None
        while cell != target:
            d = next(d for d in DIRECTIONS if dist.get(step(cell, d)) == dist[cell] - 1)
            first = first or d
            cell = step(cell, d)
            path.append(cell)
        return first, path

    def ghost_step(self, name):
        """The direction of the ghost's next step, or None when it stands on its target."""
        return self.chase(name)[0]

    def move_ghost(self, name):
        d = self.ghost_step(name)
        if d is None:
            return self
        return self.replace(ghosts={**self.ghosts, name: step(self.ghosts[name], d)})

    def turn(self, direction):
        """One turn of everyone: Pac-Man moves, then Pinky, then Blinky. Returns (board, the catching ghost or
        None); the turn ends at a catch."""
        board = self.move(direction)
        for name in GHOSTS:
            board = board.move_ghost(name)
            if board.ghosts[name] == board.pacman:
                return board, name
        return board, None

    def to_json(self):
        return {"grid_size": self.n, "walls": [list(c) for c in sorted(self.walls)],
                "beans": [list(c) for c in sorted(self.beans)], "pacman_position": list(self.pacman),
                "direction": self.direction,
                "ghosts": [{"name": name, "position": list(self.ghosts[name])} for name in GHOSTS],
                "score": self.score}


def inner_walls(rng, n):
    """Game-RL's walls: interior cells in a random order, each made wall while it touches fewer than two
    inner walls, until int(0.1 n²) are placed; None if one pass does not place them all."""
    cells = [(r, c) for r in range(1, n - 1) for c in range(1, n - 1)]
    rng.shuffle(cells)
    quota, walls = int(INNER_WALL_SHARE * n * n), set()
    for cell in cells:
        if len(walls) == quota:
            break
        if sum(step(cell, d) in walls for d in DIRECTIONS) < 2:
            walls.add(cell)
    return walls if len(walls) == quota else None


def reach(walls, start):
    """Breadth-first from `start` over free cells (neighbours in the order UP, DOWN, LEFT, RIGHT): the parent
    and the distance of every reachable cell."""
    parent, dist, queue = {start: None}, {start: 0}, deque([start])
    while queue:
        cell = queue.popleft()
        for d in DIRECTIONS:
            nb = step(cell, d)
            if nb not in parent and nb not in walls:
                parent[nb], dist[nb] = cell, dist[cell] + 1
                queue.append(nb)
    return parent, dist


def new_state(rng, plot_level):
    n = SIZE[plot_level]
    ring = {(r, c) for r in range(n) for c in range(n) if r in (0, n - 1) or c in (0, n - 1)}
    for _ in range(BOARD_TRIES):
        inner = inner_walls(rng, n)
        if inner is None:
            continue
        walls = ring | inner
        free = [(r, c) for r in range(n) for c in range(n) if (r, c) not in walls]
        here = rng.choice(free)  # Pac-Man's cell now
        parent, dist = reach(walls, here)
        if len(dist) == len(free):  # connected (deviation 2)
            break
    else:
        raise RuntimeError(f"no connected {n}×{n} Pacman board in {BOARD_TRIES} draws")
    # Pac-Man's past (deviation 3): it came along a breadth-first-tree path from a cell at a drawn distance (the
    # farthest cells if none is that far) and ate every bean on it, the first cell's included; it faces the way
    # it made its last step.
    wanted = rng.randint(0, int(WALK_SHARE * n * n))
    farthest = max(dist.values())
    starts = [c for c in free if dist[c] == min(wanted, farthest)]
    path = [rng.choice(starts)]
    while parent[path[-1]] is not None:
        path.append(parent[path[-1]])
    direction = "RIGHT" if len(path) == 1 else next(d for d in DIRECTIONS if step(path[-2], d) == here)
    others = [c for c in free if c not in (path[0], here)]  # deviation 4
    pinky, blinky = rng.sample(others, 2)
    return Board(n, walls, set(free) - set(path), here, direction, {"Pinky": pinky, "Blinky": blinky},
                 len(path))


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's 540×540 layout, simple shapes for its sprites

SIDE, BAND, MARGIN, BOARD_PX = 540, 20, 30, 490
BLACK, WALL_BLUE, YELLOW, GRID = (0, 0, 0), (0, 0, 139), (255, 255, 0), (45, 45, 45)
GHOST_COLOUR = {"Pinky": (255, 182, 193), "Blinky": (255, 0, 0)}
MOUTH_ANGLE = {"RIGHT": 0, "DOWN": 90, "LEFT": 180, "UP": 270}  # PIL angles: clockwise from 3 o'clock


def render(state):
    n = state.n
    cell = BOARD_PX // n  # 30, 27 or 24 pixels
    x0, y0 = MARGIN, BAND + MARGIN
    image = Image.new("RGB", (SIDE, SIDE), BLACK)
    draw = ImageDraw.Draw(image)
    draw.text((4, 2), f"Score: {state.score}", fill=YELLOW, font=font(16))
    labels = font(min(16, cell * 11 // 20))
    for k in range(n):
        middle = k * cell + cell / 2
        draw.text((x0 + middle, y0 - 12), str(k), fill="white", font=labels, anchor="mm")  # column k, on top
        draw.text((x0 - 14, y0 + middle), str(k), fill="white", font=labels, anchor="mm")  # row k, on the left
        draw.line((x0 + middle, y0 - 4, x0 + middle, y0 - 1), fill="white")
        draw.line((x0 - 4, y0 + middle, x0 - 1, y0 + middle), fill="white")

    def box(rc, inset=0):
        left, top = x0 + rc[1] * cell, y0 + rc[0] * cell
        return (left + inset, top + inset, left + cell - 1 - inset, top + cell - 1 - inset)

    def bean(rc, ring):
        cx, cy = x0 + rc[1] * cell + cell / 2, y0 + rc[0] * cell + cell / 2
        radius = cell / 6
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=YELLOW,
                     outline=BLACK if ring else None, width=2 if ring else 0)

    for k in range(n + 1):  # grey lines between the cells, two pixels wide
        for p in (x0 + k * cell - 1, x0 + k * cell):
            draw.line((p, y0 - 1, p, y0 + n * cell), fill=GRID)
        for p in (y0 + k * cell - 1, y0 + k * cell):
            draw.line((x0 - 1, p, x0 + n * cell, p), fill=GRID)
    for rc in sorted(state.walls):
        draw.rectangle(box(rc), fill=WALL_BLUE, outline=GRID)
    for rc in sorted(state.beans):
        bean(rc, ring=False)
    pad = max(2, cell // 12)
    angle = MOUTH_ANGLE[state.direction]
    draw.pieslice(box(state.pacman, pad), start=angle + 35, end=angle + 325, fill=YELLOW)  # the gap is the mouth
    for name in GHOSTS:  # drawn last, as in Game-RL; a bean beneath shows on top (deviation 1)
        left, top, right, bottom = box(state.ghosts[name], pad)
        middle = (top + bottom) / 2
        colour = GHOST_COLOUR[name]
        draw.pieslice((left, top, right, bottom - (bottom - top) / 3), start=180, end=360, fill=colour)
        draw.rectangle((left, middle - (bottom - top) / 6, right, bottom), fill=colour)
        width = (right - left) / 3
        for k in range(3):  # the skirt's three points: black notches between them
            a = left + k * width
            draw.polygon([(a, bottom + 1), (a + width / 2, bottom - width / 2), (a + width, bottom + 1)], fill=BLACK)
        if state.ghosts[name] in state.beans:
            bean(state.ghosts[name], ring=True)
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

def intro(state):
    n = state.n
    return ("**Rules:**\n"
            f"1. This is a Pac-Man board of {n}×{n} cells. Dark blue cells are walls; the whole outer ring is wall. "
            "Small yellow dots are beans. Pac-Man is the yellow disc with a black wedge cut out: the wedge is its "
            "open mouth and points the way Pac-Man faces (UP, DOWN, LEFT or RIGHT). The pink ghost is Pinky and "
            "the red ghost is Blinky. A bean on a cell where a ghost stands is drawn on top of the ghost, as a "
            "yellow dot with a black ring. The score at the top is the number of beans Pac-Man has eaten.\n"
            "2. Pac-Man moves one cell UP (row - 1), DOWN (row + 1), LEFT (column - 1) or RIGHT (column + 1). A "
            "move into a wall does nothing: Pac-Man keeps its cell and its facing. After any other move Pac-Man "
            "faces the way it moved and eats the bean on its new cell, if there is one, adding 1 to the score.\n"
            "3. A ghost moves one cell at a time along a shortest path to its target, around the walls (beans, "
            "Pac-Man and the other ghost do not block it). Blinky's target is Pac-Man's cell. Pinky's target is "
            f"the cell {PINKY_AHEAD} cells ahead of Pac-Man in the direction Pac-Man faces, or the last cell before "
            "a wall if the wall comes sooner (Pac-Man's own cell if a wall is right in front of it). When several "
            "first steps begin a shortest path, the ghost takes the first of them in the order of priority "
            "UP > DOWN > LEFT > RIGHT. A ghost already on its target stays where it is.\n"
            "4. When everyone moves, one turn is: Pac-Man moves, then Pinky moves, then Blinky moves. Pac-Man is "
            "caught, and the game ends, when right after a ghost's turn that ghost stands on Pac-Man's cell. "
            "Nothing else catches Pac-Man: stepping onto a ghost's cell, or swapping cells with a ghost, does not.\n"
            "5. " + GRID_CONVENTION.format(last_r=n - 1, last_c=n - 1) + "\n\n**Question:** ")


def locate(what, cell):
    return (f"{what} is in row {cell[0]} by the labels on the left and column {cell[1]} by the labels on top: "
            f"{fmt_cell(cell)}")


SIDE_OF_IMAGE = {"UP": "top", "DOWN": "bottom", "LEFT": "left", "RIGHT": "right"}


def pacman_position(rng, state):
    gold_cell, facing = state.pacman, state.direction
    ghost_cells = set(state.ghosts.values())
    anchor = rng.choice([gold_cell] + [c for d in DIRECTIONS for c in [step(gold_cell, d)] if state.is_free(c)])
    near = [c for c in state.free_cells() if c != gold_cell and c not in ghost_cells
            and max(abs(c[0] - anchor[0]), abs(c[1] - anchor[1])) <= 2]
    if len(near) < 3:
        raise GiveUp("fewer than three free cells around Pac-Man")
    cells = [gold_cell] + rng.sample(near, 3)
    facings = [facing, rng.choice([d for d in DIRECTIONS if d != facing])]
    options = [f"{fmt_cell(c)}, {d}" for c in cells for d in facings]
    question = intro(state) + "Where is Pac-Man, and which way does it face?"
    analysis = (locate("Pac-Man (the yellow disc)", gold_cell) + f". Its mouth opens toward the "
                f"{SIDE_OF_IMAGE[facing]} of the image, so it faces {facing}.")
    return QA(question, analysis, options[0], options[1:])


def window(state):
    r, c = state.pacman
    return range(max(0, r - 2), min(state.n, r + 3)), range(max(0, c - 2), min(state.n, c + 3))


def beans_around(rng, state):
    rows, cols = window(state)
    counts = [(r, sum((r, c) in state.beans for c in cols)) for r in rows]
    total = sum(k for _, k in counts)
    question = (intro(state) + "How many beans are in the 5×5 square of cells centred on Pac-Man (the rows two "
                "above to two below Pac-Man's, and the columns two left to two right of it; any part beyond the "
                "board's edge holds nothing)? Beans drawn on a ghost count. Answer with one number.")
    analysis = (locate("Pac-Man", state.pacman) + f". The square covers rows {rows[0]}-{rows[-1]} and "
                f"columns {cols[0]}-{cols[-1]}. Beans row by row: "
                + ", ".join(f"row {r}: {k}" for r, k in counts) + f". In total {beans(total)}.")
    return QA(question, analysis, str(total))


CLOSER = {"Pinky": "Pinky is closer to Pac-Man", "Blinky": "Blinky is closer to Pac-Man",
          None: "Both ghosts are equally close to Pac-Man"}


def closer_ghost(rng, state):
    p = state.pacman
    lines, far = [], {}
    for name in GHOSTS:
        g = state.ghosts[name]
        far[name] = manhattan(g, p)
        lines.append(f"{name} is at {fmt_cell(g)}: |{g[0]} - {p[0]}| + |{g[1]} - {p[1]}| = {far[name]}.")
    closer = None if far["Pinky"] == far["Blinky"] else min(GHOSTS, key=far.get)
    question = (intro(state) + "Which ghost is closer to Pac-Man, measured by Manhattan distance (the difference in "
                "rows plus the difference in columns, walls ignored)?")
    analysis = (f"Pac-Man is at {fmt_cell(p)}.\n" + "\n".join(lines) + "\n"
                + (f"{far['Pinky']} = {far['Blinky']}: the ghosts are equally close." if closer is None else
                   f"{far[closer]} < {far[[g for g in GHOSTS if g != closer][0]]}: {closer} is closer."))
    return QA(question, analysis, CLOSER[closer], [CLOSER[k] for k in CLOSER if k != closer])


def beans_ahead(rng, state):
    cell, eaten = state.pacman, []
    while state.is_free(step(cell, state.direction)):
        cell = step(cell, state.direction)
        eaten += [cell] if cell in state.beans else []
    question = (intro(state) + "The ghosts stay where they are and do not stop Pac-Man. Pac-Man keeps moving the "
                "way it faces until a wall stops it. How many beans does it eat? Answer with one number.")
    where_to = ("A wall is right in front of it, so it cannot move" if cell == state.pacman else
                f"Going {state.direction} it gets as far as {fmt_cell(cell)}, the last cell before the wall")
    found = (f"it eats the beans at {', '.join(map(fmt_cell, eaten))}" if eaten else "it finds no bean on the way")
    analysis = (locate("Pac-Man", state.pacman) + f", facing {state.direction}. {where_to}, and {found}: "
                f"{beans(len(eaten))}.")
    return QA(question, analysis, str(len(eaten)))


def where(board):
    return ", ".join([f"Pac-Man {fmt_cell(board.pacman)}"] + [f"{g} {fmt_cell(board.ghosts[g])}" for g in GHOSTS])


def turn_line(k, direction, before, after, catcher):
    moved = after.pacman != before.pacman
    text = (f"Turn {k}, {direction}: Pac-Man " + (f"moves to {fmt_cell(after.pacman)}" if moved else
                                                  f"is blocked by a wall at {fmt_cell(step(before.pacman, direction))}")
            + (f" and eats a bean (score {after.score})" if after.score > before.score else "") + "; ")
    ghosts = []
    for name in GHOSTS:
        if name == "Blinky" and catcher == "Pinky":
            break
        was, now = before.ghosts[name], after.ghosts[name]
        ghosts.append(f"{name} {fmt_cell(was)} -> {fmt_cell(now)}" if now != was else
                      f"{name} stays at {fmt_cell(was)}")
    return text + ", ".join(ghosts) + (f". {catcher} is on Pac-Man's cell: Pac-Man is caught." if catcher else ".")


def times(k):
    return "once" if k == 1 else f"{k} times"


def beans_text(b, score):
    return f"Pac-Man eats {beans(b)} and the score becomes {score}"


CAUGHT = {name: f"Pac-Man is caught by {name} (the {COLOUR_WORD[name]} ghost)" for name in GHOSTS}


def two_moves(rng, state):
    plan = [(rng.choice(DIRECTIONS), rng.randint(1, 3)) for _ in range(2)]
    board, catcher, lines, k = state, None, [f"At the start: {where(state)}; score {state.score}."], 0
    for direction, count in plan:
        for _ in range(count):
            k += 1
            after, catcher = board.turn(direction)
            lines.append(turn_line(k, direction, board, after, catcher))
            board = after
            if catcher:
                break
        if catcher:
            break
    eaten = board.score - state.score
    turns = sum(count for _, count in plan)
    counts = list(range(7 if turns == 6 else 6))  # Pac-Man eats at most one bean a turn
    if len(counts) == 7:  # six count options: drop one wrong count at random (deviation 8)
        counts.remove(rng.choice([b for b in counts if catcher or b != eaten]))
    options = [beans_text(b, state.score + b) for b in counts] + [CAUGHT[g] for g in GHOSTS]
    gold = CAUGHT[catcher] if catcher else beans_text(eaten, board.score)
    (d1, k1), (d2, k2) = plan
    question = (intro(state) + f"Pac-Man and both ghosts move one step at a time, in turns as in rule 4. Pac-Man "
                f"moves {d1} {times(k1)}, then {d2} {times(k2)}: {turns} turns. A move into a wall leaves Pac-Man "
                "where it is, but the ghosts still take their turn. What happens?")
    analysis = ("\n".join(lines) + "\n"
                + (f"So Pac-Man is caught by {catcher} on turn {k}." if catcher else
                   f"Pac-Man is never caught; it eats {beans(eaten)} and the score becomes {board.score}."))
    return QA(question, analysis, gold, [o for o in options if o != gold], {"moves": [[d, c] for d, c in plan]})


def walk(board, direction, count):
    """Pac-Man's `count` moves that way with the ghosts frozen; None if its first move is into a wall."""
    after = board.move(direction)
    if after is board:
        return None
    for _ in range(count - 1):
        after = after.move(direction)
    return after


def target_text(state, name):
    target = state.target(name)
    if name == "Blinky":
        return f"Blinky's target is Pac-Man's cell, {fmt_cell(target)}."
    ahead = manhattan(target, state.pacman)
    where = (f"the cell {PINKY_AHEAD} ahead" if ahead == PINKY_AHEAD else
             "Pac-Man's own cell, as a wall is right in front of it" if ahead == 0 else
             f"the last cell before the wall, {ahead} ahead")
    return (f"Pac-Man is at {fmt_cell(state.pacman)} facing {state.direction}, so Pinky's target is {where}: "
            f"{fmt_cell(target)}.")


def direction_change(name):
    def make(rng, state):
        before = state.ghost_step(name)
        if before is None:
            raise GiveUp(f"{name} is on its target")
        outcomes, seen = {}, {}  # (direction, count) -> the ghost's next step after Pac-Man's moves
        for direction in DIRECTIONS:
            for count in (1, 2, 3):
                after = walk(state, direction, count)
                if after is None:
                    continue
                key = (after.pacman, after.direction)  # all the ghost's step depends on; repeats past a wall
                if key not in seen:
                    seen[key] = after.ghost_step(name)
                if seen[key] is not None:
                    outcomes[(direction, count)] = seen[key]
        same = [m for m in outcomes if outcomes[m] == before]
        changed = [m for m in outcomes if outcomes[m] != before]
        if not same or not changed:  # deviation 9
            raise GiveUp(f"no move of Pac-Man {'changes' if same else 'keeps'} {name}'s direction")
        direction, count = rng.choice(changed if rng.random() < 0.5 else same)
        after = walk(state, direction, count)
        new = outcomes[(direction, count)]
        texts = {d: (f"{name}'s next move stays {d}" if d == before else f"{name}'s next move changes to {d}")
                 for d in DIRECTIONS}
        question = (intro(state) + f"{name} stays where it is while Pac-Man moves {direction} {times(count)} (a move "
                    f"into a wall leaves Pac-Man where it is). Compare the direction of {name}'s next move now with "
                    "its direction after Pac-Man's moves. What is true?")
        path_before, path_after = state.chase(name)[1], after.chase(name)[1]
        analysis = (f"{name} is at {fmt_cell(state.ghosts[name])}.\nNow: " + target_text(state, name)
                    + f" A shortest path by priority is {' -> '.join(map(fmt_cell, path_before))}, so {name} would "
                    f"move {before}.\nAfter Pac-Man moves {direction} {times(count)}: " + target_text(after, name)
                    + f" A shortest path by priority is {' -> '.join(map(fmt_cell, path_after))}, so {name} would "
                    f"move {new}.\n" + (f"The direction is unchanged: still {new}." if new == before else
                                        f"The direction changes from {before} to {new}."))
        return QA(question, analysis, texts[new], [texts[d] for d in DIRECTIONS if d != new],
                  {"pacman_moves": [direction, count]})
    return make


def next_move(name):
    def make(rng, state):
        first, path = state.chase(name)
        if first is None:
            raise GiveUp(f"{name} is on its target")
        texts = {d: f"{name} moves one cell {d}" for d in DIRECTIONS}
        question = intro(state) + f"If Pac-Man stays where it is, which way does {name} move next?"
        analysis = (f"{name} is at {fmt_cell(state.ghosts[name])}. " + target_text(state, name) +
                    " A shortest path, taking at each cell the first of UP, DOWN, "
                    f"LEFT, RIGHT that gets nearer: {' -> '.join(map(fmt_cell, path))} ({len(path) - 1} steps). "
                    f"Its first step goes to {fmt_cell(path[1])}, so {name} moves {first}.")
        return QA(question, analysis, texts[first], [texts[d] for d in DIRECTIONS if d != first])
    return make


def hold(state, direction):
    """Task 9: Pac-Man keeps moving `direction` until a move is blocked, which stops everything (the ghosts do not
    take that turn). Returns (beans eaten, the catching ghost or None, the turn lines)."""
    board, lines = state, []
    for k in range(1, state.n):
        if board.move(direction) is board:
            lines.append(f"Turn {k}: a wall at {fmt_cell(step(board.pacman, direction))} stops Pac-Man; "
                         "everything stops.")
            break
        after, catcher = board.turn(direction)
        lines.append(turn_line(k, direction, board, after, catcher))
        board = after
        if catcher:
            return board.score - state.score, catcher, lines
    return board.score - state.score, None, lines


NONE_SAFE = "Pac-Man is caught whichever direction it takes"


def best_direction(rng, state):
    results = {d: hold(state, d) for d in DIRECTIONS}
    safe = {d: eaten for d, (eaten, catcher, _) in results.items() if catcher is None}
    if safe:
        most = max(safe.values())
        best = [d for d in DIRECTIONS if safe.get(d) == most]
        if len(best) > 1:
            raise GiveUp("no single best direction")  # deviation 5
        gold = f"Pac-Man should move {best[0]}"
    else:
        gold = NONE_SAFE
    options = [f"Pac-Man should move {d}" for d in DIRECTIONS] + [NONE_SAFE]
    parts = []
    for d in DIRECTIONS:
        eaten, catcher, lines = results[d]
        verdict = f"caught by {catcher} after eating {beans(eaten)}" if catcher else f"not caught, {beans(eaten)} eaten"
        parts.append(f"{d}: " + verdict + ".\n" + "\n".join("  " + line for line in lines))
    question = (intro(state) + "Pac-Man and both ghosts move one step at a time, in turns as in rule 4. Pac-Man "
                "picks one direction and keeps moving that way until a wall stops it; when its move is blocked, "
                "everything stops (the ghosts do not take that turn). Which direction eats the most beans without "
                "Pac-Man being caught?")
    analysis = (f"At the start: {where(state)}; Pac-Man faces {state.direction}.\n" + "\n".join(parts) + "\n"
                + (f"The most beans without a catch: {most}, going {best[0]} and no other way." if safe else
                   "Every direction ends with Pac-Man caught."))
    return QA(question, analysis, gold, [o for o in options if o != gold])


TASKS = [
    Task(0, "Identify Pacman location", "Target Perception", "Easy", pacman_position),
    Task(1, "Count Pacman's surrounding beans", "Target Perception", "Easy", beans_around),
    Task(2, "Identify the closest ghost", "Target Perception", "Easy", closer_ghost),
    Task(3, "Count beans in Pacman's path", "State Prediction", "Easy", beans_ahead),
    Task(4, "Predict Pacman's movement result", "State Prediction", "Hard", two_moves),
    Task(5, "Predict change in Pinky's movement", "State Prediction", "Medium", direction_change("Pinky")),
    Task(6, "Predict change in Blinky's movement", "State Prediction", "Medium", direction_change("Blinky")),
    Task(7, "Infer Pinky's next move", "State Prediction", "Medium", next_move("Pinky")),
    Task(8, "Infer Blinky's next move", "State Prediction", "Medium", next_move("Blinky")),
    Task(9, "Judge Pacman's optimal movement", "Strategy Optimization", "Hard", best_direction),
]
