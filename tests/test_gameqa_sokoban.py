"""Sokoban: every task's answer re-derived from the record's `state` by code written here, not the engine's."""

import pytest

import gameqa
from gameqa_testing import gold

SEEDS = range(100)
STEP = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}




def parse(board):
    walls, boxes, targets, player = set(), set(), set(), None
    for r, row in enumerate(board):
        for c, ch in enumerate(row):
            if ch == "#":
                walls.add((r, c))
            if ch in "$*":
                boxes.add((r, c))
            if ch in ".*+":
                targets.add((r, c))
            if ch in "@+":
                player = (r, c)
    return walls, frozenset(boxes), targets, player


def step(walls, boxes, player, move):
    dr, dc = STEP[move]
    p = (player[0] + dr, player[1] + dc)
    if p in walls:
        return boxes, player
    if p in boxes:
        q = (p[0] + dr, p[1] + dc)
        if q in walls or q in boxes:
            return boxes, player
        return (boxes - {p}) | {q}, p
    return boxes, p


def min_moves(walls, boxes, targets, player):
    """Plain BFS on (player, boxes), counting depth level by level."""
    frontier, seen, depth = [(player, boxes)], {(player, boxes)}, 0
    while frontier:
        if any(b <= targets for _, b in frontier):
            return depth
        nxt = []
        for p, b in frontier:
            for m in STEP:
                nb, np_ = step(walls, b, p, m)
                if (np_, nb) not in seen:
                    seen.add((np_, nb))
                    nxt.append((np_, nb))
        frontier, depth = nxt, depth + 1
    raise AssertionError("unsolvable")


@pytest.mark.parametrize("level", ["Easy", "Medium"])
def test_player_position(level):
    for seed in SEEDS:
        s = gameqa.sample_task("sokoban", 1, seed, level, render=False)
        *_, player = parse(s["state"]["board"])
        assert gold(s) == f"({player[0]}, {player[1]})"


def test_position_after_moves():
    for seed in SEEDS:
        s = gameqa.sample_task("sokoban", 2, seed, "Medium", render=False)
        walls, boxes, _, player = parse(s["state"]["board"])
        for m in s["state"]["moves"]:
            boxes, player = step(walls, boxes, player, m)
        assert gold(s) == f"({player[0]}, {player[1]})"


@pytest.mark.parametrize("level", ["Easy", "Medium"])
def test_min_moves(level):
    for seed in SEEDS:
        s = gameqa.sample_task("sokoban", 3, seed, level, render=False)
        walls, boxes, targets, player = parse(s["state"]["board"])
        assert not boxes <= targets
        assert int(gold(s)) == min_moves(walls, boxes, targets, player)


def test_hard_board_is_twelve_wide_and_solvable():
    for seed in range(5):
        s = gameqa.sample_task("sokoban", 3, seed, "Hard", render=False)
        board = s["state"]["board"]
        assert len(board) == 12 and all(len(row) == 12 for row in board)
        assert int(gold(s)) == min_moves(*parse(board))


def test_box_after_moves():
    pushed = 0
    for seed in SEEDS:
        s = gameqa.sample_task("sokoban", 4, seed, "Medium", render=False)
        walls, boxes, _, player = parse(s["state"]["board"])
        box = tuple(s["state"]["box"])
        assert box in boxes
        for m in s["state"]["moves"]:
            before = boxes
            boxes, player = step(walls, boxes, player, m)
            if box not in boxes:  # the followed box was the one pushed
                (box,) = boxes - before
                pushed += 1
        assert gold(s) == f"({box[0]}, {box[1]})"
    assert pushed > 50
