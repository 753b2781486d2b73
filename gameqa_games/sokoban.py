"""Sokoban (strategic planning, in-domain). Board 5/8/12 cells a side with a wall border; states are made by
playing the game backwards from the solved position (the player pulls boxes off their targets), so every
puzzle is solvable by construction.
"""
from collections import deque

from gameqa_games.common import (
    QA, Task, Budget, numeric_distractors, cell_distractors, fmt_cell, MOVE_DELTAS, GRID_CONVENTION,
    grid_canvas)

SIZE = {"Easy": 5, "Medium": 8, "Hard": 12}
BOXES = {"Easy": 1, "Medium": 2, "Hard": 2}
INNER_WALLS = {"Easy": 0, "Medium": 4, "Hard": 12}
PULLS = {"Easy": 2, "Medium": 4, "Hard": 6}
SEARCH_BUDGET = 60_000  # (player, boxes) states expanded before a min-moves question is given up


class Sokoban:
    def __init__(self, walls, targets, boxes, player, size):
        self.walls, self.targets, self.size = frozenset(walls), frozenset(targets), size
        self.boxes, self.player = frozenset(boxes), tuple(player)

    def move(self, direction):
        """Apply one move; returns (new state, what happened) where what happened is 'walk', 'push' or 'blocked'."""
        dr, dc = MOVE_DELTAS[direction]
        nxt = (self.player[0] + dr, self.player[1] + dc)
        if nxt in self.walls:
            return self, "blocked"
        if nxt in self.boxes:
            beyond = (nxt[0] + dr, nxt[1] + dc)
            if beyond in self.walls or beyond in self.boxes:
                return self, "blocked"
            boxes = (self.boxes - {nxt}) | {beyond}
            return Sokoban(self.walls, self.targets, boxes, nxt, self.size), "push"
        return Sokoban(self.walls, self.targets, self.boxes, nxt, self.size), "walk"

    def solved(self):
        return self.boxes <= self.targets

    def to_json(self):
        """The board as rows of the usual Sokoban characters: # wall, . target, $ box, * box on target,
        @ player, + player on target, space floor."""
        rows = []
        for r in range(self.size):
            line = ""
            for c in range(self.size):
                rc = (r, c)
                if rc in self.walls:
                    line += "#"
                elif rc == self.player:
                    line += "+" if rc in self.targets else "@"
                elif rc in self.boxes:
                    line += "*" if rc in self.targets else "$"
                else:
                    line += "." if rc in self.targets else " "
            rows.append(line)
        return {"board": rows}


def new_state(rng, plot_level):
    n = SIZE[plot_level]
    while True:
        walls = {(r, c) for r in range(n) for c in range(n) if r in (0, n - 1) or c in (0, n - 1)}
        inner = [(r, c) for r in range(1, n - 1) for c in range(1, n - 1)]
        walls |= set(rng.sample(inner, INNER_WALLS[plot_level]))
        floor = [rc for rc in inner if rc not in walls]
        if len(flood(floor[0], set(floor))) != len(floor):
            continue  # the floor must be one connected room
        picks = rng.sample(floor, BOXES[plot_level] + 1)
        targets, player = picks[:-1], picks[-1]
        state = Sokoban(walls, targets, targets, player, n)
        state = scramble(rng, state, pulls=PULLS[plot_level])
        if not state.solved():
            return state


def scramble(rng, state, pulls):
    """Play backwards: the player walks to a box and pulls it a few cells, again and again, then walks off.
    Every pull undoes a legal push, so the result can always be pushed back onto the targets."""
    player, boxes = state.player, set(state.boxes)
    for _ in range(pulls):
        box = rng.choice(sorted(boxes))
        dr, dc = MOVE_DELTAS[rng.choice(list(MOVE_DELTAS))]
        reachable = flood(player, {(r, c) for r in range(state.size) for c in range(state.size)} - state.walls - boxes)
        stand = (box[0] + dr, box[1] + dc)
        if stand not in reachable:
            continue
        player = stand
        for _ in range(rng.randint(1, 3)):  # pull: the player steps away from the box, the box follows
            back = (player[0] + dr, player[1] + dc)
            if back in state.walls or back in boxes:
                break
            boxes.remove((player[0] - dr, player[1] - dc))
            boxes.add(player)
            player = back
    free = sorted(flood(player, {(r, c) for r in range(state.size) for c in range(state.size)} - state.walls - boxes))
    return Sokoban(state.walls, state.targets, boxes, rng.choice(free), state.size)


def flood(start, cells):
    """The cells of `cells` 4-connected to `start`."""
    seen, todo = {start}, [start]
    while todo:
        r, c = todo.pop()
        for dr, dc in MOVE_DELTAS.values():
            nb = (r + dr, c + dc)
            if nb in cells and nb not in seen:
                seen.add(nb)
                todo.append(nb)
    return seen


def solve(state, budget):
    """Breadth-first search over (player, boxes): the shortest move list that solves `state`."""
    start = (state.player, state.boxes)
    parent = {start: None}
    queue = deque([state])
    while queue:
        s = queue.popleft()
        if s.solved():
            path, key = [], (s.player, s.boxes)
            while parent[key] is not None:
                key, direction = parent[key]
                path.append(direction)
            return path[::-1]
        budget.tick()
        for direction in MOVE_DELTAS:
            t, what = s.move(direction)
            key = (t.player, t.boxes)
            if what != "blocked" and key not in parent:
                parent[key] = ((s.player, s.boxes), direction)
                queue.append(t)
    raise AssertionError("a scrambled Sokoban state is always solvable")


def render(state):
    cell = 44 if state.size <= 8 else 34
    image, draw, box = grid_canvas(state.size, state.size, cell)
    for r in range(state.size):
        for c in range(state.size):
            x0, y0, x1, y1 = box(r, c)
            if (r, c) in state.walls:
                draw.rectangle((x0, y0, x1, y1), fill=(90, 90, 96), outline=(60, 60, 64))
                continue
            draw.rectangle((x0, y0, x1, y1), fill=(236, 230, 214), outline=(200, 194, 180))
            m = cell // 6
            if (r, c) in state.targets:
                draw.rectangle((x0 + m, y0 + m, x1 - m, y1 - m), outline=(220, 30, 30), width=3)
            if (r, c) in state.boxes:
                colour = (60, 170, 80) if (r, c) in state.targets else (176, 112, 48)
                draw.rectangle((x0 + m + 4, y0 + m + 4, x1 - m - 4, y1 - m - 4), fill=colour, outline=(70, 40, 10), width=2)
            if (r, c) == state.player:
                draw.ellipse((x0 + 2 * m, y0 + 2 * m, x1 - 2 * m, y1 - 2 * m), fill=(40, 90, 220), outline=(10, 30, 120), width=2)
    return image


def intro(state):
    n = state.size
    return (f"This is a Sokoban puzzle on a {n}×{n} board. Dark grey cells are walls, beige cells are floor, cells "
            "outlined in red are targets, brown squares are boxes (a box on a target turns green) and the blue "
            "circle is the player. " + GRID_CONVENTION.format(last_r=n - 1, last_c=n - 1) + " The player moves one "
            "cell up (row − 1), down (row + 1), left (column − 1) or right (column + 1). Walking into a box pushes it "
            "one cell further in the same direction, which is only possible if that cell is neither a wall nor "
            "another box; the player can never enter a wall. A move that is not possible changes nothing. The "
            "puzzle is solved when every box stands on a target.")


def player_position(rng, state):
    question = intro(state) + "\n\nWhat is the position of the player? Give it as (row, column)."
    analysis = (f"The blue circle (the player) is in row {state.player[0]} (tick label on the left) and column "
                f"{state.player[1]} (tick label on top), so the player is at {fmt_cell(state.player)}.")
    return QA(question, analysis, fmt_cell(state.player))


def after_moves(rng, state):
    moves, s = [], state
    for _ in range(rng.randint(3, 6)):  # mostly towards the nearest box, so that pushes and blocks happen
        near = min(sorted(s.boxes), key=lambda b: abs(b[0] - s.player[0]) + abs(b[1] - s.player[1]))
        towards = [d for d, (dr, dc) in MOVE_DELTAS.items()
                   if abs(near[0] - s.player[0] - dr) + abs(near[1] - s.player[1] - dc) < abs(near[0] - s.player[0]) + abs(near[1] - s.player[1])]
        moves.append(rng.choice(towards) if towards and rng.random() < 0.6 else rng.choice(list(MOVE_DELTAS)))
        s, _ = s.move(moves[-1])
    lines, s = [f"The player starts at {fmt_cell(state.player)}."], state
    for k, direction in enumerate(moves, 1):
        t, what = s.move(direction)
        if what == "blocked":
            ahead = (s.player[0] + MOVE_DELTAS[direction][0], s.player[1] + MOVE_DELTAS[direction][1])
            why = f"a wall is at {fmt_cell(ahead)}" if ahead in s.walls else f"the box at {fmt_cell(ahead)} has a wall or box behind it"
            lines.append(f"Move {k}, {direction}: blocked, {why}; the player stays at {fmt_cell(s.player)}.")
        elif what == "push":
            (box,) = t.boxes - s.boxes
            lines.append(f"Move {k}, {direction}: the player pushes the box to {fmt_cell(box)} and steps to {fmt_cell(t.player)}.")
        else:
            lines.append(f"Move {k}, {direction}: the player walks to {fmt_cell(t.player)}.")
        s = t
    lines.append(f"After all moves the player is at {fmt_cell(s.player)}.")
    question = (intro(state) + f"\n\nThe player makes these moves in order: {', '.join(moves)}. "
                "Where is the player after the last move?")
    return QA(question, "\n".join(lines), fmt_cell(s.player),
              cell_distractors(rng, s.player, state.size, state.size), {"moves": moves})


def min_moves(rng, state):
    path = solve(state, Budget(SEARCH_BUDGET))
    analysis = ("Search breadth-first over the positions of the player and the boxes, starting from the "
                "current board; the first solved position found is reached by the fewest moves. "
                f"A shortest solution is: {', '.join(path)}. It has {len(path)} moves.")
    question = (intro(state) + "\n\nWhat is the minimum number of moves (every step of the player counts, "
                "pushing or not) needed to solve the puzzle?")
    return QA(question, analysis, str(len(path)), numeric_distractors(rng, len(path), low=1))


def box_after_moves(rng, state):
    start = rng.choice(sorted(state.boxes))
    box, s, moves = start, state, []
    lines = [f"The player starts at {fmt_cell(state.player)}; the box we follow starts at {fmt_cell(start)}."]
    for k in range(1, rng.randint(4, 7) + 1):  # mostly towards the followed box, so that it gets pushed
        towards = [d for d, (dr, dc) in MOVE_DELTAS.items()
                   if abs(box[0] - s.player[0] - dr) + abs(box[1] - s.player[1] - dc) < abs(box[0] - s.player[0]) + abs(box[1] - s.player[1])]
        direction = rng.choice(towards) if towards and rng.random() < 0.7 else rng.choice(list(MOVE_DELTAS))
        moves.append(direction)
        t, what = s.move(direction)
        if what == "push" and t.player == box:
            (box,) = t.boxes - s.boxes
            lines.append(f"Move {k}, {direction}: the player pushes the followed box to {fmt_cell(box)}.")
        elif what == "push":
            lines.append(f"Move {k}, {direction}: the player pushes the other box to {fmt_cell(next(iter(t.boxes - s.boxes)))}.")
        elif what == "blocked":
            lines.append(f"Move {k}, {direction}: blocked, nothing moves.")
        else:
            lines.append(f"Move {k}, {direction}: the player walks to {fmt_cell(t.player)}.")
        s = t
    question = (intro(state) + f"\n\nThe player makes these moves in order: {', '.join(moves)}. "
                f"Where is the box that started at {fmt_cell(start)} after the last move?")
    return QA(question, "\n".join(lines) + f"\nThe followed box ends at {fmt_cell(box)}.", fmt_cell(box),
              cell_distractors(rng, box, state.size, state.size), {"moves": moves, "box": list(start)})


TASKS = [
    Task(1, "the player's position", "Target Perception", "Easy", player_position),
    Task(2, "the player's position after a sequence of moves", "State Prediction", "Medium", after_moves),
    Task(3, "the minimum number of moves that solves the puzzle", "Strategy Optimization", "Hard", min_moves),
    Task(4, "a box's position after a sequence of moves", "State Prediction", "Medium", box_after_moves),
]
