"""Sokoban: the task table, the plot levels, and every task's gold re-derived from the record's `state` by code
written here (a separate push simulator, a plain breadth-first search over whole positions), not the module's."""
import json
import random
import re
from collections import deque
from io import BytesIO

import pytest

import gameqa
import rewards
from gameqa_games import sokoban
from gameqa_testing import gold

LEVELS = ("Easy", "Medium", "Hard")
SEEDS = range(120)  # spread over the plot levels: seed % 3
STEP = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}
CELL = re.compile(r"\((\d+), (\d+)\)")


def sample(qid, seed, render=False):
    return gameqa.sample_task("sokoban", qid, seed, LEVELS[seed % 3], render=render)


def parse(state):
    n = state["size"]
    walls = {tuple(w) for w in state["walls"]}
    return n, walls, frozenset(tuple(b) for b in state["boxes"]), {tuple(t) for t in state["targets"]}, tuple(state["player"])


def cell(text):
    m = CELL.fullmatch(text)
    assert m, text
    return int(m[1]), int(m[2])


def fmt(rc):
    return f"({rc[0]}, {rc[1]})"


def push(n, walls, boxes, player, move):
    """The game's move: walk, or push one box if the cell beyond it is free; anything else changes nothing."""
    dr, dc = STEP[move]
    p = (player[0] + dr, player[1] + dc)
    if not (0 <= p[0] < n and 0 <= p[1] < n) or p in walls:
        return boxes, player
    if p in boxes:
        q = (p[0] + dr, p[1] + dc)
        if not (0 <= q[0] < n and 0 <= q[1] < n) or q in walls or q in boxes:
            return boxes, player
        return (boxes - {p}) | {q}, p
    return boxes, p


def fewest_moves(n, walls, boxes, targets, player):
    """Breadth-first search over whole positions (player, boxes), one player step per edge, level by level."""
    frontier, seen, depth = [(player, boxes)], {(player, boxes)}, 0
    while frontier:
        if any(b <= targets for _, b in frontier):
            return depth
        nxt = []
        for p, b in frontier:
            for m in STEP:
                nb, np_ = push(n, walls, b, p, m)
                if (np_, nb) not in seen:
                    seen.add((np_, nb))
                    nxt.append((np_, nb))
        frontier, depth = nxt, depth + 1
    return None


def distances(n, blocked, start):
    """Steps from `start` to every cell reachable without entering `blocked`."""
    dist, queue = {start: 0}, deque([start])
    while queue:
        r, c = queue.popleft()
        for dr, dc in STEP.values():
            nb = (r + dr, c + dc)
            if 0 <= nb[0] < n and 0 <= nb[1] < n and nb not in blocked and nb not in dist:
                dist[nb] = dist[(r, c)] + 1
                queue.append(nb)
    return dist


def end_of_walk(n, blocked, start, moves):
    """Where a walk ends, or None if it steps into a blocked cell or off the board."""
    at = start
    for m in moves:
        at = (at[0] + STEP[m][0], at[1] + STEP[m][1])
        if not (0 <= at[0] < n and 0 <= at[1] < n) or at in blocked:
            return None
    return at


def words(option):
    return [w.lower() for w in option.split(" → ")]


# ---------------------------------------------------------------------------------------------------------
# The table and the levels

def test_task_table_matches_game_rl():
    table = {t.question_id: (t.qa_type, t.qa_level) for t in sokoban.TASKS}
    assert table == {1: ("State Prediction", "Medium"), 2: ("State Prediction", "Medium"),
                     3: ("Strategy Optimization", "Hard"), 4: ("Target Perception", "Easy"),
                     5: ("Target Perception", "Easy"), 6: ("Strategy Optimization", "Hard"),
                     7: ("State Prediction", "Medium")}  # 7 is ours
    assert "(ours)" in sokoban.TASKS[-1].description
    assert sokoban.TASKS[5].description == "Find the optimal sequence of moves to reach a specific position"
    assert sokoban.TASKS[4].description == "Calculate the Manhattan distance between a box and its target"
    for t in sokoban.TASKS:
        for seed in range(3):
            s = sample(t.question_id, seed)
            assert len(s["options"]) == 8, (t.question_id, s["options"])  # every task: multiple choice, 8 options


def test_plot_levels_sizes_boxes_and_images():
    assert sokoban.SIZE == {"Easy": 5, "Medium": 8, "Hard": 12}
    for level, n in sokoban.SIZE.items():
        box_counts = []
        for seed in range(40):
            state = sokoban.new_state(random.Random(seed), level).to_json()
            size, walls, boxes, targets, player = parse(state)
            assert size == n
            assert {(r, c) for r in range(n) for c in range(n) if r in (0, n - 1) or c in (0, n - 1)} <= walls
            cells = list(boxes) + list(targets) + [player]
            assert len(set(cells)) == len(cells) and not set(cells) & walls  # distinct free cells, no overlap
            assert len(boxes) == len(targets) in (1, 2, 3)
            if len(boxes) == 1 and level != "Hard":  # one-box boards are solvable (Hard: see the task-3 test)
                assert fewest_moves(n, walls, boxes, targets, player) is not None
            box_counts.append(len(boxes))
        assert 8 <= box_counts.count(1) <= 32 and {2, 3} <= set(box_counts)  # half the boards have one box
        image = sokoban.render(sokoban.new_state(random.Random(0), level))
        assert image.size == (64 * n + 40, 64 * n + 40) and image.mode == "RGB"


def test_same_seed_same_bytes():
    for qid in (1, 3, 6):
        a, b = sample(qid, 5, render=True), sample(qid, 5, render=True)
        pngs = []
        for s in (a, b):
            buf = BytesIO()
            s["images"][0].save(buf, format="PNG")
            pngs.append(buf.getvalue())
        assert pngs[0] == pngs[1]
        assert json.dumps({**a, "images": []}, sort_keys=True) == json.dumps({**b, "images": []}, sort_keys=True)


def test_gold_letter_scores_and_prompts_state_the_changed_rules():
    for t in sokoban.TASKS:
        s = sample(t.question_id, 7)
        assert rewards.score_gameqa(f"Reasoning...\nThe answer is {s['answer']}", s)["accuracy"] == 1
        assert "(row, column)" in s["prompt"]
    assert "The box moves by itself" in sample(2, 0)["prompt"] and "counts as floor" in sample(2, 0)["prompt"]
    assert "each box counts as a wall" in sample(6, 0)["prompt"]


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def check_cell_options(s, n, walls):
    """Eight distinct cells on the board; walls only when the board has fewer than 8 non-wall cells."""
    cells = [cell(o) for o in s["options"]]
    assert len(set(cells)) == 8 and all(0 <= r < n and 0 <= c < n for r, c in cells)
    open_cells = n * n - len(walls)
    assert sum(rc not in walls for rc in cells) == min(8, open_cells)
    return open_cells < 8


def test_task1_player_after_moves():
    small_boards = 0
    for seed in SEEDS:
        s = sample(1, seed)
        n, walls, boxes, _, player = parse(s["state"])
        moves = s["state"]["moves"]
        assert len(moves) == n and f"moves: {' → '.join(m.capitalize() for m in moves)}," in s["prompt"]
        moved = False
        for m in moves:
            before = player
            boxes, player = push(n, walls, boxes, player, m)
            moved |= player != before
        assert gold(s) == fmt(player) and moved  # a list in which every move fails is never asked
        small_boards += check_cell_options(s, n, walls)
    assert small_boards > 0  # the 5×5 boards with too few open cells were exercised


def test_task2_box_moves_by_itself():
    for seed in SEEDS:
        s = sample(2, seed)
        n, walls, boxes, _, _ = parse(s["state"])
        assert len(boxes) == 1 and tuple(s["state"]["box"]) in boxes and len(s["state"]["moves"]) == n
        at = tuple(s["state"]["box"])
        for m in s["state"]["moves"]:  # only walls and the edge stop it; the player is floor
            nxt = (at[0] + STEP[m][0], at[1] + STEP[m][1])
            if 0 <= nxt[0] < n and 0 <= nxt[1] < n and nxt not in walls:
                at = nxt
        assert gold(s) == fmt(at)
        check_cell_options(s, n, walls)


def test_task3_min_moves_against_whole_position_bfs():
    golds_rank = set()
    for seed in SEEDS:
        s = sample(3, seed)
        n, walls, boxes, targets, player = parse(s["state"])
        assert len(boxes) == 1 and not boxes <= targets
        best = fewest_moves(n, walls, boxes, targets, player)
        assert best is not None and gold(s) == str(best)
        values = sorted(int(o) for o in s["options"])
        assert values == list(range(values[0], values[0] + 8)) and values[0] >= 1  # 8 consecutive integers
        golds_rank.add(values.index(best))
    assert len(golds_rank) >= 6  # the gold is not always in the middle of the run


def test_task4_player_position():
    multi = 0
    for seed in SEEDS:
        s = sample(4, seed)
        n, walls, boxes, _, player = parse(s["state"])
        assert gold(s) == fmt(player)
        multi += len(boxes) > 1
        check_cell_options(s, n, walls)
    assert 20 <= multi <= 100  # asked on one-box and multi-box boards alike


def test_task5_box_target_distance():
    for seed in SEEDS:
        s = sample(5, seed)
        n, _, boxes, targets, _ = parse(s["state"])
        ((br, bc),), ((tr, tc),) = boxes, targets
        assert gold(s) == str(abs(br - tr) + abs(bc - tc))
        assert all(1 <= int(o) <= 2 * n for o in s["options"])


def test_task6_shortest_sequence_is_the_only_shortest_option():
    for seed in SEEDS:
        s = sample(6, seed)
        n, walls, boxes, _, player = parse(s["state"])
        goal, blocked = tuple(s["state"]["goal"]), walls | boxes
        assert len(boxes) == 1 and goal != player and f"to {fmt(goal)}?" in s["prompt"]
        d = distances(n, blocked, player)[goal]  # KeyError if the goal were unreachable
        right = [o for o in s["options"]
                 if len(words(o)) == d and end_of_walk(n, blocked, player, words(o)) == goal]
        assert right == [gold(s)]  # the gold is a shortest walk, and no other option is one


def test_task7_box_after_real_pushes():
    pushed = multi = 0
    for seed in SEEDS:
        s = sample(7, seed)
        n, walls, boxes, _, player = parse(s["state"])
        box = tuple(s["state"]["box"])
        assert box in boxes and len(s["state"]["moves"]) == n
        multi += len(boxes) > 1
        for m in s["state"]["moves"]:
            before = boxes
            boxes, player = push(n, walls, boxes, player, m)
            if box not in boxes:  # the followed box is the one pushed
                (box,) = boxes - before
        pushed += box != tuple(s["state"]["box"])
        assert gold(s) == fmt(box)
        check_cell_options(s, n, walls)
    assert pushed >= 20 and multi >= 20
