"""Maze (strategic planning, in-domain). A perfect maze (exactly one path between any two open cells) carved by
a randomised depth-first search on a 9/11/13-cell square grid, a player and a goal.
"""
from collections import deque

from gameqa_games.common import (
    QA, Task, numeric_distractors, cell_distractors, fmt_cell, MOVE_DELTAS, GRID_CONVENTION, grid_canvas)

SIZE = {"Easy": 9, "Medium": 11, "Hard": 13}


class Maze:
    def __init__(self, walls, player, goal, size):
        self.walls, self.player, self.goal, self.size = frozenset(walls), tuple(player), tuple(goal), size

    def move(self, direction):
        """One step; a step into a wall (or off the board) leaves the player where it is."""
        dr, dc = MOVE_DELTAS[direction]
        nxt = (self.player[0] + dr, self.player[1] + dc)
        if nxt in self.walls or not (0 <= nxt[0] < self.size and 0 <= nxt[1] < self.size):
            return self
        return Maze(self.walls, nxt, self.goal, self.size)

    def open_directions(self, cell):
        return [d for d, (dr, dc) in MOVE_DELTAS.items()
                if 0 <= cell[0] + dr < self.size and 0 <= cell[1] + dc < self.size and (cell[0] + dr, cell[1] + dc) not in self.walls]

    def to_json(self):
        """Rows of characters: # wall, . open, P player, G goal."""
        chars = {self.player: "P", self.goal: "G"}
        return {"board": ["".join("#" if (r, c) in self.walls else chars.get((r, c), ".") for c in range(self.size))
                          for r in range(self.size)]}


def new_state(rng, plot_level):
    n = SIZE[plot_level]
    walls = {(r, c) for r in range(n) for c in range(n)}
    start = (1, 1)
    walls.discard(start)
    stack = [start]
    while stack:  # depth-first carving: knock through to an unvisited cell two steps away, else backtrack
        r, c = stack[-1]
        nexts = [(r + 2 * dr, c + 2 * dc, r + dr, c + dc) for dr, dc in MOVE_DELTAS.values()
                 if 0 < r + 2 * dr < n - 1 and 0 < c + 2 * dc < n - 1 and (r + 2 * dr, c + 2 * dc) in walls]
        if not nexts:
            stack.pop()
            continue
        r2, c2, rm, cm = rng.choice(nexts)
        walls -= {(r2, c2), (rm, cm)}
        stack.append((r2, c2))
    open_cells = sorted({(r, c) for r in range(n) for c in range(n)} - walls)
    player, goal = rng.sample(open_cells, 2)
    return Maze(walls, player, goal, n)


def shortest_path(state):
    """The (unique) shortest path from the player to the goal, by breadth-first search, as a list of cells."""
    parent, queue = {state.player: None}, deque([state.player])
    while queue:
        cell = queue.popleft()
        if cell == state.goal:
            break
        for d in state.open_directions(cell):
            dr, dc = MOVE_DELTAS[d]
            nb = (cell[0] + dr, cell[1] + dc)
            if nb not in parent:
                parent[nb] = cell
                queue.append(nb)
    path = [state.goal]
    while parent[path[-1]] is not None:
        path.append(parent[path[-1]])
    return path[::-1]


def direction_of(a, b):
    return next(d for d, delta in MOVE_DELTAS.items() if delta == (b[0] - a[0], b[1] - a[1]))


def render(state):
    cell = 36 if state.size <= 11 else 30
    image, draw, box = grid_canvas(state.size, state.size, cell)
    for r in range(state.size):
        for c in range(state.size):
            x0, y0, x1, y1 = box(r, c)
            draw.rectangle((x0, y0, x1, y1), fill=(40, 40, 48) if (r, c) in state.walls else "white", outline=(190, 190, 190))
    m = cell // 5
    x0, y0, x1, y1 = box(*state.goal)
    draw.rectangle((x0 + m, y0 + m, x1 - m, y1 - m), fill=(40, 170, 70))
    x0, y0, x1, y1 = box(*state.player)
    draw.ellipse((x0 + m, y0 + m, x1 - m, y1 - m), fill=(220, 40, 40))
    return image


def intro(state):
    n = state.size
    return (f"This is a maze on a {n}×{n} grid. Black cells are walls, white cells are open; the red circle is the "
            "player and the green square is the goal. " + GRID_CONVENTION.format(last_r=n - 1, last_c=n - 1) +
            " The player moves one cell at a time: up (row − 1), down (row + 1), left (column − 1) or right "
            "(column + 1), and only onto open cells; a move into a wall leaves the player where it is.")


def goal_position(rng, state):
    question = intro(state) + "\n\nWhich cell holds the goal?"
    analysis = (f"The green square (the goal) is in row {state.goal[0]} by the left tick labels and in column "
                f"{state.goal[1]} by the top tick labels, so the goal is at {fmt_cell(state.goal)}.")
    return QA(question, analysis, fmt_cell(state.goal), cell_distractors(rng, state.goal, state.size, state.size))


def after_moves(rng, state):
    moves, s = [], state
    for _ in range(rng.randint(3, 7)):  # mostly moves that are open, now and then one into a wall
        open_dirs = s.open_directions(s.player)
        direction = rng.choice(open_dirs) if open_dirs and rng.random() < 0.8 else rng.choice(list(MOVE_DELTAS))
        moves.append(direction)
        s = s.move(direction)
    lines, s = [f"The player starts at {fmt_cell(state.player)}."], state
    for k, direction in enumerate(moves, 1):
        t = s.move(direction)
        lines.append(f"Move {k}, {direction}: " + (f"the player moves to {fmt_cell(t.player)}." if t is not s
                                                   else f"a wall is in the way, the player stays at {fmt_cell(s.player)}."))
        s = t
    question = (intro(state) + f"\n\nThe player makes these moves in order: {', '.join(moves)}. "
                "Where is the player after the last move? Give the cell as (row, column).")
    return QA(question, "\n".join(lines) + f"\nThe player ends at {fmt_cell(s.player)}.", fmt_cell(s.player), None,
              {"moves": moves})


def path_length(rng, state):
    path = shortest_path(state)
    steps = len(path) - 1
    question = (intro(state) + "\n\nWhat is the smallest number of moves that takes the player to the goal?")
    analysis = ("Search breadth-first from the player over open cells until the goal is reached. The shortest path is "
                + " -> ".join(fmt_cell(c) for c in path) + f", which takes {steps} moves.")
    return QA(question, analysis, str(steps), numeric_distractors(rng, steps, low=1))


def turn_count(rng, state):
    path = shortest_path(state)
    dirs = [direction_of(a, b) for a, b in zip(path, path[1:])]
    turns = sum(a != b for a, b in zip(dirs, dirs[1:]))
    runs, k = [], 0
    while k < len(dirs):  # compress the path into straight runs, one turn between two runs
        j = k
        while j < len(dirs) and dirs[j] == dirs[k]:
            j += 1
        runs.append(f"{dirs[k]} {j - k}")
        k = j
    question = (intro(state) + "\n\nThe player walks to the goal along the shortest path. How many times does it "
                "change direction on the way (a turn is a move in a different direction from the move before it)? "
                "Answer with a number.")
    analysis = ("The shortest path, found by breadth-first search, is " + " -> ".join(fmt_cell(c) for c in path) +
                ". As straight runs: " + ", ".join(runs) + f". There are {len(runs)} runs, so {turns} turns.")
    return QA(question, analysis, str(turns), None)


TASKS = [
    Task(1, "the goal's position", "Target Perception", "Easy", goal_position),
    Task(2, "the player's position after a sequence of moves", "State Prediction", "Medium", after_moves),
    Task(3, "the length of the shortest path to the goal", "Strategy Optimization", "Medium", path_length),
    Task(4, "the number of turns along the shortest path", "Strategy Optimization", "Hard", turn_count),
]
