"""Pacman: the task table, the boards, the picture, the rules' corner cases, and every task's answer re-derived
from the record's `state` by code written here: a turn simulator of the rules, and ghost paths found by a
forward breadth-first search that keeps each cell's first-found parent with neighbours in the order UP, DOWN,
LEFT, RIGHT (Game-RL's way; the module instead measures distances back from the target)."""
import io
import json
from collections import Counter, deque

import pytest

import gameqa
import rewards
from gameqa_games import pacman
from gameqa_testing import gold

GAME = "pacman"
SEEDS = range(120)  # spread over the three plot levels: seed % 3
SIZES = {"Easy": 16, "Medium": 18, "Hard": 20}
ORDER = ("UP", "DOWN", "LEFT", "RIGHT")
STEP = {"UP": (-1, 0), "DOWN": (1, 0), "LEFT": (0, -1), "RIGHT": (0, 1)}
BACK = {"UP": "DOWN", "DOWN": "UP", "LEFT": "RIGHT", "RIGHT": "LEFT"}

# question_id: (qa_type, qa_level, number of options, None for fill-in)
TABLE = {0: ("Target Perception", "Easy", 8), 1: ("Target Perception", "Easy", None),
         2: ("Target Perception", "Easy", 3), 3: ("State Prediction", "Easy", None),
         4: ("State Prediction", "Hard", 8), 5: ("State Prediction", "Medium", 4),
         6: ("State Prediction", "Medium", 4), 7: ("State Prediction", "Medium", 4),
         8: ("State Prediction", "Medium", 4), 9: ("Strategy Optimization", "Hard", 5)}


def sample(qid, seed, render=False):
    return gameqa.sample_task(GAME, qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid):
    return [sample(qid, seed) for seed in SEEDS]


def shift(cell, move):
    return (cell[0] + STEP[move][0], cell[1] + STEP[move][1])


class Game:
    """The record's state read back, with the rules written again: Pac-Man's move, the targets, a ghost's step
    by forward breadth-first search, and a whole turn."""

    def __init__(self, state):
        self.n = state["grid_size"]
        self.walls = {tuple(c) for c in state["walls"]}
        self.beans = {tuple(c) for c in state["beans"]}
        self.pac, self.facing, self.score = tuple(state["pacman_position"]), state["direction"], state["score"]
        self.ghosts = {g["name"]: tuple(g["position"]) for g in state["ghosts"]}
        assert list(self.ghosts) == ["Pinky", "Blinky"]

    def copy(self):
        other = Game.__new__(Game)
        other.__dict__.update(self.__dict__, beans=set(self.beans), ghosts=dict(self.ghosts))
        return other

    def free(self, cell):
        return 0 <= cell[0] < self.n and 0 <= cell[1] < self.n and cell not in self.walls

    def pac_move(self, move):
        """True if Pac-Man moved."""
        cell = shift(self.pac, move)
        if not self.free(cell):
            return False
        self.pac, self.facing = cell, move
        if cell in self.beans:
            self.beans.remove(cell)
            self.score += 1
        return True

    def target(self, name):
        if name == "Blinky":
            return self.pac
        cell = self.pac
        for _ in range(4):
            if not self.free(shift(cell, self.facing)):
                break
            cell = shift(cell, self.facing)
        return cell

    def path(self, start, goal):
        parent, queue = {start: None}, deque([start])
        while queue:
            cell = queue.popleft()
            if cell == goal:
                break
            for move in ORDER:
                nb = shift(cell, move)
                if self.free(nb) and nb not in parent:
                    parent[nb] = cell
                    queue.append(nb)
        cells = [goal]
        while parent[cells[-1]] is not None:
            cells.append(parent[cells[-1]])
        return cells[::-1]

    def ghost_move(self, name):
        """The direction of the ghost's next step (None on its target)."""
        cells = self.path(self.ghosts[name], self.target(name))
        if len(cells) == 1:
            return None
        return next(m for m in ORDER if shift(cells[0], m) == cells[1])

    def turn(self, move):
        """Pac-Man, Pinky, Blinky; returns the ghost that catches Pac-Man, or None."""
        self.pac_move(move)
        for name in ("Pinky", "Blinky"):
            m = self.ghost_move(name)
            if m:
                self.ghosts[name] = shift(self.ghosts[name], m)
            if self.ghosts[name] == self.pac:
                return name
        return None


def free_cells(g):
    return {(r, c) for r in range(g.n) for c in range(g.n) if g.free((r, c))}


def connected(g):
    cells = free_cells(g)
    start = min(cells)
    seen, stack = {start}, [start]
    while stack:
        cell = stack.pop()
        for m in ORDER:
            nb = shift(cell, m)
            if nb in cells and nb not in seen:
                seen.add(nb)
                stack.append(nb)
    return seen == cells


def cell_text(cell):
    return f"({cell[0]}, {cell[1]})"


# ---------------------------------------------------------------------------------------------------------
# The table, the boards and the picture

def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY[GAME].tasks}
    assert sorted(tasks) == sorted(TABLE)
    assert gameqa.REGISTRY[GAME].split_group == "out-of-domain" and gameqa.REGISTRY[GAME].folder == "pacman"
    assert tasks[0].description == "Identify Pacman location"
    assert tasks[9].description == "Judge Pacman's optimal movement"
    for qid, (qa_type, qa_level, n_options) in TABLE.items():
        assert (tasks[qid].qa_type, tasks[qid].qa_level) == (qa_type, qa_level), qid
        for seed in range(3):
            assert len(sample(qid, seed).get("options", [])) == (n_options or 0), (qid, seed)


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_boards_follow_game_rl_and_are_connected(level):
    """Side n by level, the outer ring and int(0.1 n²) inner walls, free cells connected, beans only on free
    cells, Pac-Man and the ghosts on three distinct free cells, the score counting the eaten (bean-less) cells,
    and those cells a walk that ends on Pac-Man coming from behind it (the cell opposite its facing)."""
    for seed in range(40):
        g = Game(gameqa.sample_task(GAME, 1, seed, level, render=False)["state"])
        n = g.n
        assert n == SIZES[level]
        ring = {(r, c) for r in range(n) for c in range(n) if r in (0, n - 1) or c in (0, n - 1)}
        assert ring <= g.walls and len(g.walls - ring) == int(0.1 * n * n)
        assert connected(g)
        free = free_cells(g)
        assert g.beans <= free and {g.pac, *g.ghosts.values()} <= free
        assert len({g.pac, *g.ghosts.values()}) == 3
        eaten = free - g.beans
        assert g.pac in eaten and g.score == len(eaten)
        if g.score == 1:
            continue
        assert shift(g.pac, BACK[g.facing]) in eaten
        # the eaten cells are one shortest path ending on Pac-Man: its two ends touch one eaten cell each, every
        # other cell exactly two (a shortest path never runs beside itself), and the ends are score - 1 apart
        degree = {c: sum(shift(c, m) in eaten for m in ORDER) for c in eaten}
        ends = sorted(c for c in eaten if degree[c] == 1)
        assert len(ends) == 2 and g.pac in ends and set(degree.values()) <= {1, 2}, degree
        assert len(g.path(ends[0], ends[1])) == g.score


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_same_seed_same_bytes():
    for qid in TABLE:
        seed, level = qid, gameqa.LEVELS[qid % 3]
        a, b = (gameqa.sample_task(GAME, qid, seed, level) for _ in range(2))
        assert png(a["images"][0]) == png(b["images"][0])
        assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})


def test_image_shows_the_state():
    """540×540; cells of 490 // n px from (30, 50): walls dark blue, beans yellow at cell centres, empty cells
    black; Pac-Man's mouth (black) on its facing side and yellow on the other; each ghost's colour on its body,
    with a yellow centre exactly when a bean lies beneath it; the score in yellow on top."""
    blue, yellow, black = (0, 0, 139), (255, 255, 0), (0, 0, 0)
    ghost_colour = {"Pinky": (255, 182, 193), "Blinky": (255, 0, 0)}
    for seed in range(6):
        s = sample(0, seed, render=True)
        image, g = s["images"][0], Game(s["state"])
        assert image.size == (540, 540)
        cell = 490 // g.n
        centre = lambda rc: (30 + rc[1] * cell + cell // 2, 50 + rc[0] * cell + cell // 2)
        for r in range(g.n):
            for c in range(g.n):
                if (r, c) == g.pac or (r, c) in g.ghosts.values():
                    continue
                expected = blue if (r, c) in g.walls else yellow if (r, c) in g.beans else black
                assert image.getpixel(centre((r, c))) == expected, (seed, r, c)
        x, y = centre(g.pac)
        dr, dc = STEP[g.facing]
        reach = int(cell * 0.3)
        assert image.getpixel((x + dc * reach, y + dr * reach)) == black
        assert image.getpixel((x - dc * reach, y - dr * reach)) == yellow
        for name, rc in g.ghosts.items():
            x, y = centre(rc)
            assert image.getpixel((x - cell // 3, y)) == ghost_colour[name], (seed, name)
            assert (image.getpixel((x, y)) == yellow) == (rc in g.beans), (seed, name)
        assert any(image.getpixel((px, py)) == yellow for px in range(4, 90) for py in range(2, 18))


# ---------------------------------------------------------------------------------------------------------
# The rules on hand-made boards

def open_room(n=9, walls=()):
    ring = [[r, c] for r in range(n) for c in range(n) if r in (0, n - 1) or c in (0, n - 1)]
    return ring + [list(w) for w in walls]


def board(pac, facing, pinky, blinky, walls=(), beans=()):
    return pacman.Board(9, {tuple(w) for w in open_room(9, walls)}, set(beans), pac, facing,
                        {"Pinky": pinky, "Blinky": blinky}, 1)


def test_ghost_priority_and_targets():
    b = board((2, 2), "RIGHT", (6, 6), (6, 2))
    assert b.target("Pinky") == (2, 6) and b.target("Blinky") == (2, 2)
    assert b.ghost_step("Pinky") == "UP"        # up and left both start a shortest path: UP first
    assert b.ghost_step("Blinky") == "UP"
    b = board((2, 6), "RIGHT", (6, 6), (2, 3), walls=[(2, 7)])
    assert b.target("Pinky") == (2, 6)          # a wall right in front: Pac-Man's own cell
    assert b.ghost_step("Blinky") == "RIGHT"
    b = board((4, 4), "DOWN", (4, 1), (7, 7), walls=[(4, 2), (3, 2), (5, 2)])
    assert b.target("Pinky") == (7, 4)          # 3 cells ahead: the ring stops it
    assert b.ghost_step("Pinky") == "DOWN"      # around the wall: down then right, or up and around
    assert board((2, 2), "UP", (2, 2), (6, 6), walls=[(1, 2)]).ghost_step("Pinky") is None  # on its target


def test_turn_order_and_catches():
    b = board((4, 2), "RIGHT", (4, 3), (7, 7), beans=[(4, 3)])
    after, catcher = b.turn("RIGHT")            # onto Pinky, who then heads 4 cells ahead: no catch
    assert catcher is None and after.pacman == (4, 3) and after.ghosts["Pinky"] == (4, 4) and after.score == 2
    b = board((4, 2), "RIGHT", (1, 1), (4, 3))
    assert b.turn("RIGHT")[1] == "Blinky"       # onto Blinky, whose target is its own cell: it stays, a catch
    b = board((4, 2), "LEFT", (7, 7), (4, 4))
    after, catcher = b.turn("RIGHT")            # Pac-Man steps toward Blinky, Blinky steps onto it
    assert catcher == "Blinky" and after.ghosts["Blinky"] == (4, 3)
    b = board((4, 3), "LEFT", (4, 1), (4, 5), walls=[(4, 2)])
    after, catcher = b.turn("LEFT")             # blocked: Pac-Man keeps cell and facing; the ghosts still move
    assert after.pacman == (4, 3) and after.direction == "LEFT" and after.ghosts["Blinky"] == (4, 4)


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_pacman_position_and_its_options():
    for s in samples(0):
        g = Game(s["state"])
        assert gold(s) == f"{cell_text(g.pac)}, {g.facing}"
        parsed = [o.rsplit(", ", 1) for o in s["options"]]
        cells, facings = Counter(c for c, _ in parsed), Counter(f for _, f in parsed)
        assert len(cells) == 4 and set(cells.values()) == {2}          # four cells, two facings each
        assert len(facings) == 2 and set(facings.values()) == {4} and g.facing in facings
        for text in cells:
            r, c = map(int, text.strip("()").split(", "))
            assert g.free((r, c)) and (r, c) not in g.ghosts.values()
            assert max(abs(r - g.pac[0]), abs(c - g.pac[1])) <= 3


def test_beans_around_pacman():
    for s in samples(1):
        g = Game(s["state"])
        expected = sum((g.pac[0] + dr, g.pac[1] + dc) in g.beans for dr in range(-2, 3) for dc in range(-2, 3))
        assert gold(s) == str(expected)
        assert rewards.score_gameqa(f"I count them.\nThe answer is {expected}", s)["accuracy"] == 1


def test_closer_ghost_by_manhattan_distance():
    golds = Counter()
    for s in samples(2):
        g = Game(s["state"])
        p, b = (abs(g.ghosts[k][0] - g.pac[0]) + abs(g.ghosts[k][1] - g.pac[1]) for k in ("Pinky", "Blinky"))
        expected = ("Pinky is closer to Pac-Man" if p < b else "Blinky is closer to Pac-Man" if b < p
                    else "Both ghosts are equally close to Pac-Man")
        assert gold(s) == expected and len(s["options"]) == 3
        golds[expected] += 1
    assert len(golds) == 3, golds


def test_beans_straight_ahead():
    for s in samples(3):
        g = Game(s["state"])
        eaten = 0
        while g.pac_move(g.facing):  # ghosts frozen and no obstacle to Pac-Man
            eaten += 1 if g.score > s["state"]["score"] + eaten else 0
        assert gold(s) == str(eaten) == str(g.score - s["state"]["score"])
        assert rewards.score_gameqa(f"The answer is {eaten}", s)["accuracy"] == 1


def test_two_moves_of_everyone():
    """The gold is the simulated outcome; the options are six distinct bean counts (with the matching score)
    and the two catches, so exactly one option is right."""
    golds = Counter()
    for s in samples(4):
        g = Game(s["state"])
        (d1, k1), (d2, k2) = s["state"]["moves"]
        assert d1 in ORDER and d2 in ORDER and 1 <= k1 <= 3 and 1 <= k2 <= 3
        catcher = None
        for move in [d1] * k1 + [d2] * k2:
            catcher = g.turn(move)
            if catcher:
                break
        eaten = g.score - s["state"]["score"]
        expected = (f"Pac-Man is caught by {catcher} (the {'pink' if catcher == 'Pinky' else 'red'} ghost)" if catcher
                    else f"Pac-Man eats {eaten} bean{'' if eaten == 1 else 's'} and the score becomes {g.score}")
        assert gold(s) == expected
        counts = [o for o in s["options"] if o.startswith("Pac-Man eats")]
        assert len(counts) == 6 and len(s["options"]) - len(counts) == 2
        numbers = sorted(int(o.split()[2]) for o in counts)
        assert numbers == list(range(6)) or (k1 + k2 == 6 and len(set(numbers)) == 6 and max(numbers) <= 6)
        for o in counts:
            b = int(o.split()[2])
            assert o.endswith(f"the score becomes {s['state']['score'] + b}")
        golds["caught" if catcher else eaten] += 1
    assert golds["caught"] >= 3 and len(golds) >= 4, golds


@pytest.mark.parametrize("qid,name", [(5, "Pinky"), (6, "Blinky")])
def test_direction_change_after_pacman_moves(qid, name):
    golds = Counter()
    for s in samples(qid):
        g = Game(s["state"])
        before = g.ghost_move(name)
        move, count = s["state"]["pacman_moves"]
        assert before is not None and 1 <= count <= 3
        assert g.pac_move(move)  # the first move is never into a wall
        for _ in range(count - 1):
            g.pac_move(move)
        after = g.ghost_move(name)
        assert after is not None
        expected = (f"{name}'s next move stays {after}" if after == before else
                    f"{name}'s next move changes to {after}")
        assert gold(s) == expected
        assert sorted(s["options"]) == sorted(f"{name}'s next move stays {d}" if d == before else
                                              f"{name}'s next move changes to {d}" for d in ORDER)
        golds[after == before] += 1
    assert golds[False] >= 0.2 * len(SEEDS), golds  # "changes" is no rare answer


@pytest.mark.parametrize("qid,name", [(7, "Pinky"), (8, "Blinky")])
def test_next_ghost_move(qid, name):
    golds = Counter()
    for s in samples(qid):
        g = Game(s["state"])
        expected = g.ghost_move(name)
        assert expected is not None and gold(s) == f"{name} moves one cell {expected}"
        assert sorted(s["options"]) == sorted(f"{name} moves one cell {d}" for d in ORDER)
        golds[expected] += 1
    assert len(golds) == 4, golds


def hold(state, move):
    """Task 9's walk, simulated again: (beans eaten, caught?)."""
    g = Game(state)
    for _ in range(g.n):
        if not g.free(shift(g.pac, move)):
            break
        if g.turn(move):
            return g.score - state["score"], True
    return g.score - state["score"], False


def test_best_direction_is_the_only_best():
    golds = Counter()
    for s in samples(9):
        results = {m: hold(s["state"], m) for m in ORDER}
        safe = {m: eaten for m, (eaten, caught) in results.items() if not caught}
        if safe:
            best = max(safe.values())
            winners = [m for m in ORDER if safe.get(m) == best]
            assert len(winners) == 1, (s["id"], results)  # a unique answer, no tie rule needed
            expected = f"Pac-Man should move {winners[0]}"
        else:
            expected = "Pac-Man is caught whichever direction it takes"
        assert gold(s) == expected
        assert sorted(s["options"]) == sorted([f"Pac-Man should move {m}" for m in ORDER]
                                              + ["Pac-Man is caught whichever direction it takes"])
        golds[expected] += 1
    assert sum(v for k, v in golds.items() if "should move" in k) >= 0.9 * len(SEEDS)
    assert len([k for k in golds if "should move" in k]) == 4, golds
