"""Maze: the task table against Game-RL's, and every task's answer re-derived from the record's `state` by code
written here: the grid read back from its integer codes, a perfect-maze check, an exhaustive search over all
simple paths (exactly one reaches the goal), and a step simulator for move lists."""
import io
import json

import pytest

import gameqa
import rewards
from gameqa_testing import gold

SEEDS = range(120)  # spread over the three plot levels: seed % 3
SIZES = {"Easy": 9, "Medium": 11, "Hard": 13}
STEP = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}
REVERSE = {"up": "down", "down": "up", "left": "right", "right": "left"}

# question_id: (qa_type, qa_level, options: 5 / 7 for multiple choice, None for fill-in)
TABLE = {1: ("Target Perception", "Easy", 5), 2: ("Target Perception", "Easy", 5),
         3: ("Strategy Optimization", "Medium", 5), 4: ("Strategy Optimization", "Hard", None),
         5: ("Target Perception", "Easy", 7), 6: ("State Prediction", "Medium", 5),
         7: ("State Prediction", "Medium", None), 8: ("Strategy Optimization", "Medium", None)}


def sample(qid, seed, render=False):
    return gameqa.sample_task("maze", qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid):
    return [sample(qid, seed) for seed in SEEDS]


def read_grid(state):
    """(grid, player, goal) from Game-RL's fields, checking that the codes and the position fields agree."""
    grid = state["maze"]
    n = len(grid)
    assert state["size"] == [n, n] and all(len(row) == n for row in grid)
    player = [(r, c) for r in range(n) for c in range(n) if grid[r][c] == 2]
    goal = [(r, c) for r in range(n) for c in range(n) if grid[r][c] == 3]
    assert player == [tuple(state["playerPosition"])] and goal == [tuple(state["endPosition"])]
    return grid, player[0], goal[0]


def walkable(grid, cell):
    r, c = cell
    return 0 <= r < len(grid) and 0 <= c < len(grid) and grid[r][c] != 1


def shift(cell, direction):
    return (cell[0] + STEP[direction][0], cell[1] + STEP[direction][1])


def paths_to_goal(grid, start, goal):
    """Every simple path from start to goal, by exhaustive depth-first search."""
    found = []

    def extend(path):
        if path[-1] == goal:
            found.append(list(path))
            return
        for direction in STEP:
            nxt = shift(path[-1], direction)
            if walkable(grid, nxt) and nxt not in path:
                path.append(nxt)
                extend(path)
                path.pop()
    extend([start])
    return found


def the_path(state):
    grid, player, goal = read_grid(state)
    paths = paths_to_goal(grid, player, goal)
    assert len(paths) == 1, "a perfect maze has exactly one simple path between two cells"
    return paths[0]


def words(path):
    return [next(d for d in STEP if shift(a, d) == b) for a, b in zip(path, path[1:])]


def cell_text(cell):
    return f"({cell[0]}, {cell[1]})"


# ---------------------------------------------------------------------------------------------------------
# The table and the levels

def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY["maze"].tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (qa_type, qa_level, n_options) in TABLE.items():
        assert (tasks[qid].qa_type, tasks[qid].qa_level) == (qa_type, qa_level), qid
        for seed in range(6):
            s = sample(qid, seed)
            assert len(s.get("options", [])) == (n_options or 0), (qid, seed)
    assert all(tasks[q].description.endswith("(ours).") for q in (7, 8))
    assert not any("(ours)" in tasks[q].description for q in range(1, 7))


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_plot_levels_draw_perfect_mazes_with_the_goal_far_away(level):
    """9/11/13 cells a side, a wall border, open cells that form a tree (connected, one edge fewer than cells),
    and the goal at the 3rd-largest Manhattan distance from the player among the open cells."""
    n = SIZES[level]
    for seed in range(40):
        s = gameqa.sample_task("maze", 1, seed, level, render=False)
        grid, player, goal = read_grid(s["state"])
        assert len(grid) == n
        assert all(grid[0][k] == grid[n - 1][k] == grid[k][0] == grid[k][n - 1] == 1 for k in range(n))
        cells = {(r, c) for r in range(n) for c in range(n) if grid[r][c] != 1}
        edges = sum(shift(cell, d) in cells for cell in cells for d in ("down", "right"))
        reached, frontier = {player}, [player]
        while frontier:
            cell = frontier.pop()
            for d in STEP:
                nxt = shift(cell, d)
                if nxt in cells and nxt not in reached:
                    reached.add(nxt)
                    frontier.append(nxt)
        assert reached == cells and edges == len(cells) - 1
        distances = sorted({abs(r - player[0]) + abs(c - player[1]) for r, c in cells - {player}}, reverse=True)
        assert abs(goal[0] - player[0]) + abs(goal[1] - player[1]) == distances[min(2, len(distances) - 1)]


def test_image_is_game_rl_layout_and_same_seed_same_bytes():
    for seed, level in enumerate(gameqa.LEVELS):
        for qid in (3, 5):
            a, b = (gameqa.sample_task("maze", qid, seed, level) for _ in range(2))
            pngs = []
            for s in (a, b):
                buffer = io.BytesIO()
                s["images"][0].save(buffer, format="PNG")
                pngs.append(buffer.getvalue())
            assert pngs[0] == pngs[1]
            assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
            image = a["images"][0]
            n = SIZES[level]
            assert image.size == (30 * n + 100, 30 * n + 100)
            grid, player, goal = read_grid(a["state"])
            centre = lambda cell: (50 + 30 * cell[1] + 15, 50 + 30 * cell[0] + 15)
            assert image.getpixel(centre(player)) == (255, 0, 0)
            assert image.getpixel(centre(goal)) == (0, 255, 0)
            for r in range(n):
                for c in range(n):
                    if (r, c) not in (player, goal):
                        assert image.getpixel(centre((r, c))) == ((173, 216, 230) if grid[r][c] == 1 else (255, 255, 255))


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

@pytest.mark.parametrize("qid,code", [(1, 2), (2, 3)])
def test_player_and_goal_position(qid, code):
    for s in samples(qid):
        grid = s["state"]["maze"]
        r, c = next((r, c) for r, row in enumerate(grid) for c, x in enumerate(row) if x == code)
        assert gold(s) == cell_text((r, c))
        assert set(s["options"]) == {cell_text(x) for x in [(r, c), (r - 1, c), (r + 1, c), (r, c - 1), (r, c + 1)]}


def test_move_sequence_to_the_goal():
    """The gold is the one path's moves; every other option has its length and net displacement, never
    reverses a move at once, and runs into a wall in the maze (or ends off the goal)."""
    centred = 0
    for s in samples(3):
        grid, player, goal = read_grid(s["state"])
        path = the_path(s["state"])
        assert gold(s) == ", ".join(words(path))
        for option in s["options"]:
            moves = option.split(", ")
            assert len(moves) == len(path) - 1
            assert not any(REVERSE[a] == b for a, b in zip(moves, moves[1:]))
            free = player
            for move in moves:  # ignoring walls, every option lands on the goal's coordinates
                free = shift(free, move)
            assert free == goal
            cell, blocked = player, False
            for move in moves:
                if not walkable(grid, shift(cell, move)):
                    blocked = True
                    break
                cell = shift(cell, move)
            assert (not blocked and cell == goal) == (option == gold(s))
        # The gold must not be the option nearest to all the others more often than chance (1 in 5).
        split = [o.split(", ") for o in s["options"]]
        spread = [sum(sum(x != y for x, y in zip(a, b)) for b in split) for a in split]
        centred += spread.index(min(spread)) == s["options"].index(gold(s))
    assert centred < 0.4 * len(SEEDS)


def test_turn_count():
    for s in samples(4):
        moves = words(the_path(s["state"]))
        expected = sum(a != b for a, b in zip(moves, moves[1:]))
        assert gold(s) == str(expected)
        assert rewards.score_gameqa(f"I count them.\nThe answer is {expected}", s)["accuracy"] == 1


def test_available_directions():
    for s in samples(5):
        grid, player, _ = read_grid(s["state"])
        assert gold(s) == ", ".join(d for d in ("up", "down", "left", "right") if walkable(grid, shift(player, d)))
        sizes = sorted(len(o.split(", ")) for o in s["options"])
        assert sizes == [1, 1, 2, 2, 3, 3, 4]  # two sets of each size and all four, whatever the gold's size
        for option in s["options"]:
            listed = option.split(", ")
            assert listed == sorted(listed, key=["up", "down", "left", "right"].index)


def test_position_after_one_move():
    for s in samples(6):
        grid, player, _ = read_grid(s["state"])
        direction = s["state"]["direction"]
        assert walkable(grid, shift(player, direction))
        assert gold(s) == cell_text(shift(player, direction))
        assert set(s["options"]) == {cell_text(player)} | {cell_text(shift(player, d)) for d in STEP}


def test_position_after_moves():
    for s in samples(7):
        grid, cell, goal = read_grid(s["state"])
        moves = s["state"]["moves"]
        assert 3 <= len(moves) <= 7
        for move in moves:
            if walkable(grid, shift(cell, move)):
                cell = shift(cell, move)
            assert cell != goal
        assert gold(s) == cell_text(cell)
        assert rewards.score_gameqa(f"The answer is {gold(s)}", s)["accuracy"] == 1


def test_path_length():
    for s in samples(8):
        assert gold(s) == str(len(the_path(s["state"])) - 1)
        assert rewards.score_gameqa(f"The answer is {gold(s)}", s)["accuracy"] == 1
