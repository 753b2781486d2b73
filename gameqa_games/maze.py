"""Maze, a GameQA game (Game-RL, arXiv 2505.13886): Game-RL folder `maze`, strategic planning, in-domain.

The game. A square n×n grid, n odd (9, 11 or 13 by plot level), of walls and open cells. The open cells form a
perfect maze: a randomised depth-first search carves a spanning tree through the odd-coordinate cells, so
exactly one simple path joins any two open cells, and it is also the shortest. One open cell holds the player
(a red circle), one the goal (a green cell). The player moves one cell up (row − 1), down (row + 1), left
(column − 1) or right (column + 1), onto an open cell or the goal, never into a wall. A turn is a change of
direction between two consecutive moves. Cells are written (row, column), 0-based from the top left, as the
tick labels on the image show. The state is Game-RL's: the grid as integers (1 wall, 0 open, 2 player,
3 goal), its size and the player's and the goal's cells.

The tasks are Game-RL's six (their question ids, descriptions and levels), then two of ours:
  1 player's cell (TP, MC 5)        2 goal's cell (TP, MC 5)          3 move sequence to the goal (SO, MC 5)
  4 turns on the way (SO, fill-in)  5 open directions (TP, MC 7)      6 cell after one move (SP, MC 5)
  7 cell after 3-7 moves (SP, fill-in, ours)                          8 moves to the goal (SO, fill-in, ours)

Deviations from Game-RL:
  1. Task 3's distractors have the gold's length and its moves, reordered. Game-RL's are random walks one
     move longer than the path, so the gold was always the shortest option. Ours reorder a window of 2-4
     moves around a turn and pass three checks: they never reverse a move at once, never revisit a cell,
     and end on the goal's coordinates if walls are ignored. So length, net displacement and shape match the
     gold, and only the walls tell them apart. Each one is also simulated in the maze and must run into a
     wall. A state whose path has too few turns for four such sequences is redrawn.
  2. Task 3's options do not cluster around the gold. If all four distractors were edits of the gold, a
     position-by-position majority vote over the options would give the gold away. With probability 4/5 the
     centre is one wrong sequence: the gold and three more distractors are edits of it, and the gold is the
     centre only 1 time in 5, as chance would have it.
  3. Task 5 always has 7 options: the gold plus enough sets to make two sets each of one, two and three
     directions, and the set of all four. Game-RL draws two of each size and adds the gold only if it is
     missing, giving 7 or 8 options. When 8 appear, the size class holding three options is the gold's, and
     that leaks.
  4. Options are shuffled (by the engine). Game-RL lists them in HashSet order, and for task 5 sorts them by
     length, so the answer letter followed the number of exits.
  5. Tasks 3 and 4 are Strategy Optimization, as in Game-RL's released example data; its later code labels
     them as transition questions (State Prediction).
  6. Every rule the questions use is stated: Game-RL never says what a move into a wall does. Task 3 counts a
     sequence with such a move as failing. Task 7 says the player stays where it is for that move.
  7. The DFS trace in the analysis of tasks 3 and 4 is drawn from the sample's seeded generator, so one seed
     gives one record. Game-RL's Java `Random` is unseeded.
  8. The question texts are our own words, without Game-RL's typos ("Optoins", a stray quote in task 2).
  9. Task 7 (ours): the player's cell after 3-7 moves, about one in five of them into a wall. No move enters
     the goal, so whether reaching it ends the game never matters. Fill-in "(r, c)".
  10. Task 8 (ours): the number of moves on the path to the goal, fill-in. It is not multiple choice because
      nearby numbers would give themselves away: a path's length is at least the Manhattan distance and has
      the same parity.
"""
from itertools import combinations

from PIL import Image, ImageDraw

from gameqa_games.common import QA, Task, Budget, GiveUp, fmt_cell, MOVE_DELTAS, GRID_CONVENTION, font

SIZE = {"Easy": 9, "Medium": 11, "Hard": 13}
WALL, OPEN, PLAYER, GOAL = 1, 0, 2, 3  # Game-RL's cell codes
DIRECTIONS = ("up", "down", "left", "right")  # Game-RL lists open directions in this order
OPPOSITE = {"up": "down", "down": "up", "left": "right", "right": "left"}


# ---------------------------------------------------------------------------------------------------------
# The game: state, moves and the maze generator

class Maze:
    def __init__(self, walls, player, goal, size):
        self.walls, self.player, self.goal, self.size = frozenset(walls), tuple(player), tuple(goal), size

    def is_open(self, cell):
        return 0 <= cell[0] < self.size and 0 <= cell[1] < self.size and cell not in self.walls

    def open_directions(self, cell):
        """The directions a player on `cell` can move in, in the order up, down, left, right."""
        return [d for d in DIRECTIONS if self.is_open(step(cell, d))]

    def move(self, direction):
        """One move; a move into a wall is not made, and the same state comes back."""
        nxt = step(self.player, direction)
        return Maze(self.walls, nxt, self.goal, self.size) if self.is_open(nxt) else self

    def to_json(self):
        """Game-RL's state fields: the grid (1 wall, 0 open, 2 player, 3 goal), its size, both cells."""
        codes = {self.player: PLAYER, self.goal: GOAL}
        grid = [[WALL if (r, c) in self.walls else codes.get((r, c), OPEN) for c in range(self.size)]
                for r in range(self.size)]
        return {"maze": grid, "size": [self.size, self.size], "playerPosition": list(self.player),
                "endPosition": list(self.goal)}


def step(cell, direction):
    dr, dc = MOVE_DELTAS[direction]
    return (cell[0] + dr, cell[1] + dc)


def new_state(rng, plot_level):
    n = SIZE[plot_level]
    walls = {(r, c) for r in range(n) for c in range(n)}
    walls.discard((1, 1))
    # Game-RL's recursive carving, as a loop: each cell tries its four 2-cell jumps once, in a shuffled order,
    # and knocks through to any target that is still wall.
    stack = [((1, 1), rng.sample(["up", "right", "down", "left"], 4))]
    while stack:
        cell, untried = stack[-1]
        if not untried:
            stack.pop()
            continue
        dr, dc = MOVE_DELTAS[untried.pop(0)]
        target = (cell[0] + 2 * dr, cell[1] + 2 * dc)
        if 0 < target[0] < n - 1 and 0 < target[1] < n - 1 and target in walls:
            walls -= {target, (cell[0] + dr, cell[1] + dc)}
            stack.append((target, rng.sample(["up", "right", "down", "left"], 4)))
    open_cells = sorted({(r, c) for r in range(n) for c in range(n)} - walls)
    player = rng.choice(open_cells)
    # The goal is far from the player, not the farthest: a cell at the 3rd-largest Manhattan distance (Game-RL).
    distance = {cell: abs(cell[0] - player[0]) + abs(cell[1] - player[1]) for cell in open_cells if cell != player}
    distinct = sorted(set(distance.values()), reverse=True)
    far = distinct[min(2, len(distinct) - 1)]
    goal = rng.choice([cell for cell in open_cells if distance.get(cell) == far])
    return Maze(walls, player, goal, n)


def explore(rng, state):
    """Game-RL's solver: a depth-first search from the player that tries the open directions of each cell in a
    random order and backs up at a dead end to the last cell with a way not yet tried. Returns the trace
    (one line per move or backtrack) and the path without its dead ends: in a perfect maze, the only one."""
    def shuffled_ways(cell):
        ways = state.open_directions(cell)
        return rng.sample(ways, len(ways))

    budget = Budget(4 * state.size ** 2)  # each cell is entered once and left once
    path, seen, lines = [state.player], {state.player}, []
    untried = {state.player: shuffled_ways(state.player)}
    while path[-1] != state.goal:
        budget.tick()
        cell = path[-1]
        ways = [d for d in untried[cell] if step(cell, d) not in seen]
        if ways:
            direction = ways[0]
            untried[cell].remove(direction)
            nxt = step(cell, direction)
            path.append(nxt)
            seen.add(nxt)
            untried[nxt] = shuffled_ways(nxt)
            lines.append(f"Step {len(lines) + 1}. Go {direction}, from {fmt_cell(cell)} to {fmt_cell(nxt)}."
                         + (" This is the goal." if nxt == state.goal else ""))
        else:
            while not [d for d in untried[path[-1]] if step(path[-1], d) not in seen]:
                path.pop()
                if not path:
                    raise GiveUp("the goal is not reachable")  # cannot happen in a carved maze
            lines.append(f"Step {len(lines) + 1}. {fmt_cell(cell)} is a dead end: go back to {fmt_cell(path[-1])}, "
                         "the last cell with a way not yet tried.")
    return lines, path


def moves_along(path):
    return [next(d for d in DIRECTIONS if step(a, d) == b) for a, b in zip(path, path[1:])]


def first_blocked(state, moves):
    """(move index, cell it leaves, wall cell) of the first move into a wall, or None if every move is open."""
    cell = state.player
    for k, direction in enumerate(moves):
        nxt = step(cell, direction)
        if not state.is_open(nxt):
            return k, cell, nxt
        cell = nxt
    return None


# ---------------------------------------------------------------------------------------------------------
# The image: Game-RL's layout. 30-pixel cells with the maze at (50, 50), so 370, 430 or 490 pixels a side,
# light-blue walls, white open cells, a red circle for the player, a green cell for the goal, tick labels.

CELL, MARGIN = 30, 50
WALL_BLUE, GOAL_GREEN, PLAYER_RED, GRID_GREY = (173, 216, 230), (0, 255, 0), (255, 0, 0), (192, 192, 192)


def render(state):
    side = CELL * state.size + 2 * MARGIN
    image = Image.new("RGB", (side, side), "white")
    draw = ImageDraw.Draw(image)
    labels = font(20)
    for k in range(state.size):
        middle = MARGIN + k * CELL + CELL / 2
        draw.text((MARGIN - 22, middle), str(k), fill="black", font=labels, anchor="mm")  # row k, on the left
        draw.text((middle, MARGIN - 20), str(k), fill="black", font=labels, anchor="mm")  # column k, on top
    for r in range(state.size):
        for c in range(state.size):
            x, y = MARGIN + c * CELL, MARGIN + r * CELL
            fill = WALL_BLUE if (r, c) in state.walls else GOAL_GREEN if (r, c) == state.goal else "white"
            draw.rectangle((x, y, x + CELL, y + CELL), fill=fill, outline=GRID_GREY)
    x, y = MARGIN + state.player[1] * CELL, MARGIN + state.player[0] * CELL
    draw.ellipse((x + 7, y + 7, x + 22, y + 22), fill=PLAYER_RED)  # 15 pixels across, centred
    return image


# ---------------------------------------------------------------------------------------------------------
# The tasks

def intro(state):
    n = state.size
    return ("**Rules:**\n"
            "1. This is a maze. The player has to find its way around the walls to the goal.\n"
            "2. The red circle is the player, the green cell is the goal, and the light-blue cells are walls.\n"
            "3. The player moves one cell at a time: up (row - 1), down (row + 1), left (column - 1) or right "
            "(column + 1), onto a white cell or the goal, never into a wall. A turn is a change of direction "
            "between two consecutive moves.\n"
            f"4. The maze is {n}×{n}. " + GRID_CONVENTION.format(last_r=n - 1, last_c=n - 1) + "\n\n**Question:** ")


def neighbours(cell):
    return [fmt_cell(step(cell, d)) for d in DIRECTIONS]


def player_position(rng, state):
    question = intro(state) + "Which of the following are the coordinates of the player?"
    analysis = (f"The red circle, the player, is in row {state.player[0]} by the labels on the left and in column "
                f"{state.player[1]} by the labels on top, so the player is at {fmt_cell(state.player)}.")
    return QA(question, analysis, fmt_cell(state.player), neighbours(state.player))


def goal_position(rng, state):
    question = intro(state) + "Which of the following are the coordinates of the goal?"
    analysis = (f"The green cell, the goal, is in row {state.goal[0]} by the labels on the left and in column "
                f"{state.goal[1]} by the labels on top, so the goal is at {fmt_cell(state.goal)}.")
    return QA(question, analysis, fmt_cell(state.goal), neighbours(state.goal))


def is_decoy(state, moves, taken):
    """A wrong sequence that only the walls give away (deviation 1): new, no move undone at once, no cell
    visited twice when walls are ignored, and the maze stops it at a wall or it ends off the goal."""
    if moves in taken or any(OPPOSITE[a] == b for a, b in zip(moves, moves[1:])):
        return False
    cells = [state.player]
    for direction in moves:
        cells.append(step(cells[-1], direction))
    if len(set(cells)) != len(cells):
        return False
    return first_blocked(state, moves) is not None or cells[-1] != state.goal


def reordered(rng, moves):
    """`moves` with a window of 2-4 of them around a random turn shuffled: the same moves in another order."""
    turns = [k for k in range(len(moves) - 1) if moves[k] != moves[k + 1]]
    if not turns:
        return moves
    k, width = rng.choice(turns), min(rng.randint(2, 4), len(moves))
    start = rng.randint(max(0, k + 2 - width), min(k, len(moves) - width))  # the window holds moves k and k+1
    window = moves[start:start + width]
    rng.shuffle(window)
    return moves[:start] + window + moves[start + width:]


def decoys_around(rng, state, centre, taken, count):
    found = []
    for _ in range(60 * count):  # enough tries when the path has a few turns; else the state is redrawn
        candidate = reordered(rng, centre)
        if is_decoy(state, candidate, taken + found):
            found.append(candidate)
            if len(found) == count:
                return found
    raise GiveUp("too few turns on the path for four same-length wrong sequences")


def path_to_goal(rng, state):
    trace, path = explore(rng, state)
    gold = moves_along(path)
    if rng.random() < 0.2:  # the gold is the centre of the options one time in five (deviation 2)
        decoys = decoys_around(rng, state, gold, [gold], 4)
    else:
        centre = decoys_around(rng, state, gold, [gold], 1)
        decoys = centre + decoys_around(rng, state, centre[0], [gold] + centre, 3)
    checks = []
    for moves in decoys:
        k = next(i for i, (a, b) in enumerate(zip(moves, gold)) if a != b)
        blocked = first_blocked(state, moves)
        checks.append(f"The sequence that first differs at move {k + 1} ({moves[k]} instead of {gold[k]}) "
                      + (f"runs into the wall at {fmt_cell(blocked[2])} on move {blocked[0] + 1}, from "
                         f"{fmt_cell(blocked[1])}." if blocked else "ends off the goal."))
    question = (intro(state) + "Which sequence of movements will allow the player to reach the goal? A sequence "
                "that contains a move into a wall does not count.")
    analysis = ("Search for the goal depth-first from the player, backing up at dead ends.\n" + "\n".join(trace)
                + "\nWithout the dead ends, the moves to the goal are: " + ", ".join(gold) + ".\n"
                + "The options all have the same number of moves, so each one has to be checked against the walls.\n"
                + "\n".join(checks))
    return QA(question, analysis, ", ".join(gold), [", ".join(m) for m in decoys])


def turn_count(rng, state):
    trace, path = explore(rng, state)
    moves = moves_along(path)
    turns = [f"Move {k + 1}: " + (f"a turn, from {a} to {b}." if a != b else "no turn.")
             for k, (a, b) in enumerate(zip(moves, moves[1:]), 1)]
    total = sum(a != b for a, b in zip(moves, moves[1:]))
    question = (intro(state) + "Find the path to the goal and count the number of turns it takes to get there. "
                "Answer with one number.")
    analysis = ("First find the path: search depth-first from the player, backing up at dead ends.\n" + "\n".join(trace)
                + "\nSo the path is " + ", ".join(fmt_cell(c) for c in path) + ".\nThen compare each move with the one "
                "before it.\n" + "\n".join(turns) + f"\nIn total the path has {total} turns.")
    return QA(question, analysis, str(total))


def direction_set(directions):
    return ", ".join(d for d in DIRECTIONS if d in directions)  # always in the order up, down, left, right


def available_directions(rng, state):
    free = state.open_directions(state.player)
    gold = direction_set(free)
    by_size = {k: [", ".join(s) for s in combinations(DIRECTIONS, k)] for k in (1, 2, 3)}  # kept in order
    decoys = [] if len(free) == 4 else [direction_set(DIRECTIONS)]
    for k, sets in by_size.items():  # two sets of each size 1-3, the gold counting as one of its size (deviation 3)
        others = [s for s in sets if s != gold]
        decoys += rng.sample(others, 2 - (k == len(free)))
    cells = [f"{d} {fmt_cell(step(state.player, d))} is " + ("open" if d in free else "a wall") for d in DIRECTIONS]
    question = intro(state) + "Which directions are available to move now?"
    analysis = (f"The player is at {fmt_cell(state.player)}. Its neighbours: " + "; ".join(cells) +
                f". So the player can move {gold}.")
    return QA(question, analysis, gold, decoys)


def position_after_move(rng, state):
    direction = rng.choice(state.open_directions(state.player))  # Game-RL asks only about a move that is open
    after = step(state.player, direction)
    question = intro(state) + f"What are the coordinates of the player after moving {direction}?"
    analysis = (f"The player is at {fmt_cell(state.player)}. Moving {direction} goes to {fmt_cell(after)}, which is "
                + ("the goal." if after == state.goal else "open.") + f" So the player is then at {fmt_cell(after)}.")
    others = [fmt_cell(step(state.player, d)) for d in DIRECTIONS if d != direction] + [fmt_cell(state.player)]
    return QA(question, analysis, fmt_cell(after), others, {"direction": direction})


def position_after_moves(rng, state):
    moves, s = [], state
    for _ in range(rng.randint(3, 7)):
        walk = [d for d in s.open_directions(s.player) if step(s.player, d) != state.goal]
        blocked = [d for d in DIRECTIONS if not s.is_open(step(s.player, d))]
        direction = rng.choice(walk if walk and (rng.random() < 0.8 or not blocked) else blocked)
        moves.append(direction)
        s = s.move(direction)
    lines, s = [f"The player starts at {fmt_cell(state.player)}."], state
    for k, direction in enumerate(moves, 1):
        t = s.move(direction)
        lines.append(f"Move {k}, {direction}: " + (f"the player moves to {fmt_cell(t.player)}." if t is not s else
                                                   f"a wall is in the way; the player stays at {fmt_cell(s.player)}."))
        s = t
    question = (intro(state) + f"The player makes these moves in order: {', '.join(moves)}. A move into a wall is "
                "not made: the player stays where it is and goes on with the next move. What are the coordinates "
                "of the player after the last move? Answer as (row, column).")
    return QA(question, "\n".join(lines) + f"\nThe player ends at {fmt_cell(s.player)}.", fmt_cell(s.player),
              given={"moves": moves})


def path_length(rng, state):
    trace, path = explore(rng, state)
    question = (intro(state) + "How many moves does the player need to reach the goal, at the fewest? "
                "Answer with one number.")
    analysis = ("Search depth-first from the player, backing up at dead ends.\n" + "\n".join(trace) +
                "\nWithout the dead ends the path is " + ", ".join(fmt_cell(c) for c in path) +
                f". In a perfect maze it is the only path to the goal, so the fewest moves are {len(path) - 1}.")
    return QA(question, analysis, str(len(path) - 1))


TASKS = [
    Task(1, "Ask the position of player.", "Target Perception", "Easy", player_position),
    Task(2, "Ask the position of goal within the maze.", "Target Perception", "Easy", goal_position),
    Task(3, "Find the path to the goal", "Strategy Optimization", "Medium", path_to_goal),
    Task(4, "Count how many turns it takes to reach the finish.", "Strategy Optimization", "Hard", turn_count),
    Task(5, "Ask the available directions to move are currently", "Target Perception", "Easy", available_directions),
    Task(6, "The position after moving.", "State Prediction", "Medium", position_after_move),
    Task(7, "The position after a sequence of moves, some into walls (ours).", "State Prediction", "Medium",
         position_after_moves),
    Task(8, "The number of moves on the path to the goal (ours).", "Strategy Optimization", "Medium", path_length),
]
