"""Minecraft: the task table against Game-RL's, the plot levels, and every task's gold re-derived from the record's
`state` by code written here: the sceneries read off the block list, the cuboid's cubes counted, a cheapest-path
search over the ground (a block per water cell entered) for the crossings, and a search over the player's feet
height (a block under the feet, or a free step up a ladder) for the climbs. The pictures are read back for the
colours the state says they hold."""
import functools
import heapq
import io
import json
import math

import pytest

import gameqa
import rewards
from gameqa_testing import gold

SEEDS = range(120)  # spread over the three plot levels: seed % 3
NAMES = ("Brick", "Diamond Ore", "Gold Ore", "Ladder", "Lava", "Pumpkin", "River", "TNT")  # the 8 the question lists
TARGET_KINDS = {"pumpkin": "pumpkin", "gold ore": "gold_ore", "diamond ore": "diamond_ore"}

# question_id: (Game-RL's question_description, qa_type, qa_level, number of options or None for fill-in)
TABLE = {
    1: ("Ask to recognize the sceneries in the scene.", "Target Perception", "Easy", 8),
    2: ("Ask how many cubes are there in total.", "Target Perception", "Medium", None),
    3: ("Ask the minimum number of blocks needed to cross the river.", "State Prediction", "Medium", None),
    4: ("Ask the minimum number of blocks needed to reach a block (pumpkin/gold ore/diamond ore), considering the "
        "possibility of using existing ladders.", "State Prediction", "Medium", None),
    5: ("Ask the minimum number of blocks needed to reach a block (pumpkin/gold ore/diamond ore) that may require "
        "crossing a river, considering the possibility of using existing ladders.", "State Prediction", "Hard", None),
}

# Game-RL's plot-level bands, each a test on the measured quantity
BANDS = {
    1: {"Easy": lambda k: k == 3, "Medium": lambda k: k == 4, "Hard": lambda k: k == 5},          # sceneries
    2: {"Easy": lambda n: n <= 30, "Medium": lambda n: 30 < n <= 70, "Hard": lambda n: n > 70},   # cubes
    3: {"Easy": lambda w: w <= 2, "Medium": lambda w: w == 3, "Hard": lambda w: w == 4},          # river width
    4: {"Easy": lambda n: n <= 1, "Medium": lambda n: 2 <= n <= 3, "Hard": lambda n: n == 4},     # blocks under
    5: {"Easy": lambda s: s <= 3, "Medium": lambda s: 4 <= s <= 6, "Hard": lambda s: s > 6},      # width + under
}


def sample(qid, seed, render=False):
    return gameqa.sample_task("minecraft", qid, seed, gameqa.LEVELS[seed % 3], render=render)


@functools.lru_cache(maxsize=None)
def samples(qid):
    """The task's records on SEEDS, drawn once for every test that reads them (none changes them)."""
    return tuple(sample(qid, seed) for seed in SEEDS)


def read_scene(state):
    """(ground {(x, z): kind}, blocks {(x, y, z): kind}, ladders {(x, y, z)}) from the record."""
    xs, zs = state["ground"]["x"], state["ground"]["z"]
    ground = {(x, z): "grass" for x in range(xs[0], xs[1] + 1) for z in range(zs[0], zs[1] + 1)}
    for kind in ("water", "lava"):
        for x, z in state[kind]:
            assert ground[(x, z)] == "grass"
            ground[(x, z)] = kind
    if state["player"] is not None:
        ground[tuple(state["player"])] = "player"
    blocks = {tuple(b["at"]): b["kind"] for b in state["blocks"]}
    ladders = {tuple(b["at"]) for b in state["blocks"] if b.get("ladder")}
    for x, y, z in blocks:  # nothing floats, and nothing stands in water or lava
        assert y == 0 and ground[(x, z)] in ("grass", "player") or (x, y - 1, z) in blocks
    return ground, blocks, ladders


def land(kind):
    return kind in ("grass", "player")


def sides(cell):
    x, z = cell
    return [(x + 1, z), (x - 1, z), (x, z + 1), (x, z - 1)]


def cheapest_walk(ground, start, blocked=()):
    """Fewest blocks to reach every cell from `start`, walking between cells that share a side: entering a water
    cell costs the block that fills it, a land cell nothing; lava and `blocked` cells cannot be entered
    (Dijkstra)."""
    best, queue = {start: 0}, [(0, start)]
    while queue:
        cost, cell = heapq.heappop(queue)
        if cost > best[cell]:
            continue
        for nxt in sides(cell):
            kind = ground.get(nxt)
            if kind is None or kind == "lava" or nxt in blocked:
                continue
            step = cost + (kind == "water")
            if step < best.get(nxt, 1 << 30):
                best[nxt] = step
                heapq.heappush(queue, (step, nxt))
    return best


def the_stack(blocks):
    """(base cell, the target's level = blocks under it, its kind, ladder levels) of the one column of blocks."""
    (target,) = [p for p, kind in blocks.items() if kind in TARGET_KINDS.values()]
    x, y, z = target
    assert set(blocks) == {(x, h, z) for h in range(y + 1)}, "one stack, its blocks from the ground up"
    assert all(blocks[(x, h, z)] == "block" for h in range(y))
    return (x, z), y, blocks[target]


def climb_cost(target_level, ladder_levels):
    """Fewest blocks until the player's upper body (feet level + 1, feet on the ground at 0) is not below the
    target's level: search over the feet level, a placed block raising it by one, a ladder beside the feet
    by one for free (Dijkstra)."""
    best, queue = {0: 0}, [(0, 0)]
    while queue:
        cost, feet = heapq.heappop(queue)
        if feet + 1 >= target_level:
            return cost
        if cost > best[feet]:
            continue
        for nxt, step in ((feet + 1, 1), (feet + 1, 0 if feet in ladder_levels else 1)):
            if cost + step < best.get(nxt, 1 << 30):
                best[nxt] = cost + step
                heapq.heappush(queue, (cost + step, nxt))
    raise AssertionError("unreachable")


# ---------------------------------------------------------------------------------------------------------
# The table, the levels, determinism and the answer forms

def test_task_table_matches_game_rl():
    game = gameqa.REGISTRY["minecraft"]
    assert game.module == "minecraft" and game.split_group == "out-of-domain" and game.folder == "minecraft"
    tasks = {t.question_id: t for t in game.tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (description, qa_type, qa_level, n_options) in TABLE.items():
        assert (tasks[qid].description, tasks[qid].qa_type, tasks[qid].qa_level) == (description, qa_type, qa_level)
        for seed in range(6):
            s = sample(qid, seed)
            assert s["level"] == {"plot_level": gameqa.LEVELS[seed % 3], "qa_level": qa_level, "qa_type": qa_type}
            if n_options is None:
                assert "options" not in s and s["answer"].isdigit()
            else:
                assert len(s["options"]) == n_options


def measured(qid, state):
    ground, blocks, _ = read_scene(state)
    if qid == 1:
        return len(state["sceneries"])
    if qid == 2:
        return len(blocks)
    water = [c for c, k in ground.items() if k == "water"]
    width = min(len({x for x, _ in water}), len({z for _, z in water}))
    if qid == 3:
        return width
    n = the_stack(blocks)[1]
    return n if qid == 4 else width + n


@pytest.mark.parametrize("qid", sorted(TABLE))
def test_plot_levels_are_game_rl_bands_on_the_drawn_scene(qid):
    for seed in range(30):
        s = sample(qid, seed)
        assert BANDS[qid][s["level"]["plot_level"]](measured(qid, s["state"])), (qid, seed)


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_same_seed_same_bytes():
    for qid in TABLE:
        for seed in (qid, qid + 3):
            a, b = (sample(qid, seed, render=True) for _ in range(2))
            assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
            assert png(a["images"][0]) == png(b["images"][0])
            assert a["images"][0].size == (720, 450) and a["images"][0].mode == "RGB"


def test_answers_grade_by_rule():
    for qid in TABLE:
        s = sample(qid, 2)
        assert rewards.score_gameqa(f"So.\nThe answer is {s['answer']}", s)["accuracy"] == 1
        if "options" in s:
            assert rewards.score_gameqa(f"The answer is {gold(s)}", s)["accuracy"] == 1
            wrong = next(o for o in s["options"] if o != gold(s))
            assert rewards.score_gameqa(f"The answer is {wrong}", s)["accuracy"] == 0
        else:
            assert rewards.score_gameqa(f"The answer is {int(s['answer']) + 1}", s)["accuracy"] == 0


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

SCENERY_OF = {"brick": "Brick", "gold_ore": "Gold Ore", "diamond_ore": "Diamond Ore", "tnt": "TNT",
              "pumpkin": "Pumpkin"}


def sceneries_in(state):
    ground, blocks, ladders = read_scene(state)
    found = {SCENERY_OF[k] for k in blocks.values() if k in SCENERY_OF}
    if any(blocks[p] == "stone" for p in ladders):
        found.add("Ladder")
    assert all(p in ladders for p, k in blocks.items() if k == "stone"), "stone appears only as the ladder's"
    if "water" in ground.values():
        found.add("River")
    if "lava" in ground.values():
        found.add("Lava")
    return found


def objects(blocks):
    """Block footprints grouped by touching cells (sides or corners): each group is one object."""
    cells = sorted({(x, z) for x, _, z in blocks})
    groups, seen = [], set()
    for cell in cells:
        if cell in seen:
            continue
        group, stack = set(), [cell]
        while stack:
            c = stack.pop()
            if c in group:
                continue
            group.add(c)
            stack += [(c[0] + dx, c[1] + dz) for dx in (-1, 0, 1) for dz in (-1, 0, 1)
                      if (c[0] + dx, c[1] + dz) in cells]
        seen |= group
        groups.append(group)
    return groups


def test_sceneries():
    sizes = set()
    for s in samples(1):
        found = sceneries_in(s["state"])
        k = len(found)
        sizes.add(k)
        assert gold(s) == ", ".join(sorted(found))
        near = 0
        for option in s["options"]:
            names = option.split(", ")
            assert names == sorted(names) and len(set(names)) == k and set(names) <= set(NAMES)  # never "Tree"
            assert (set(names) == found) == (option == gold(s))
            near += len(set(names) & found) == k - 1
        assert near >= 4, "at least four options miss the gold by one scenery"
        _, blocks, _ = read_scene(s["state"])
        # each block scenery is one object of one kind, one cell away from the others
        groups = objects(blocks)
        kinds = [{blocks[p] for p in blocks if (p[0], p[2]) in g} for g in groups]
        assert all(len(k_) == 1 for k_ in kinds) and len(groups) == len(found - {"River", "Lava"})
    assert sizes == {3, 4, 5}


def test_cuboid_count():
    for s in samples(2):
        _, blocks, _ = read_scene(s["state"])
        assert set(blocks.values()) == {"block"}
        xs, ys, zs = ([p[i] for p in blocks] for i in range(3))
        box = (max(xs) - min(xs) + 1) * (max(ys) - min(ys) + 1) * (max(zs) - min(zs) + 1)
        assert box == len(blocks) and min(ys) == 0, "a solid cuboid standing on the ground"
        assert gold(s) == str(len(blocks))
        assert 2 <= max(xs) - min(xs) + 1 <= 6 and 1 <= max(ys) + 1 <= 4 and 2 <= max(zs) - min(zs) + 1 <= 6


def land_parts(ground):
    """Land cells split into parts joined by sides, without crossing water."""
    parts, seen = [], set()
    for cell in sorted(c for c, k in ground.items() if land(k)):
        if cell in seen:
            continue
        part, stack = set(), [cell]
        while stack:
            c = stack.pop()
            if c not in part:
                part.add(c)
                stack += [n for n in sides(c) if land(ground.get(n))]
        seen |= part
        parts.append(part)
    return parts


def test_river_crossing():
    answers = set()
    for s in samples(3):
        ground, blocks, _ = read_scene(s["state"])
        assert not blocks
        player = tuple(s["state"]["player"])
        parts = land_parts(ground)
        assert len(parts) == 2, "the river cuts the whole ground in two"
        (far,) = [p for p in parts if player not in p]
        cost = cheapest_walk(ground, player)
        assert gold(s) == str(min(cost[c] for c in far))
        answers.add(gold(s))
    assert answers == {"1", "2", "3", "4"}


def test_stack_target():
    answers, ladders_seen = set(), 0
    for s in samples(4):
        ground, blocks, ladders = read_scene(s["state"])
        base, level, kind = the_stack(blocks)
        assert kind == TARGET_KINDS[s["state"]["target"]] and f"obtain the {s['state']['target']}?" in s["prompt"]
        assert all(land(ground[c]) for c in sides(base)), "the player can stand beside the stack"
        ladder_levels = {y for _, y, _ in ladders}
        assert not ladders or ladder_levels == set(range(level)), "ladders on every block under the target, or none"
        ladders_seen += bool(ladders)
        assert gold(s) == str(climb_cost(level, ladder_levels))
        answers.add(gold(s))
    assert answers == {"0", "1", "2", "3"} and 15 <= ladders_seen <= 60


def test_cross_and_climb():
    answers, same = set(), 0
    for s in samples(5):
        ground, blocks, ladders = read_scene(s["state"])
        base, level, kind = the_stack(blocks)
        assert kind == TARGET_KINDS[s["state"]["target"]] and f"obtain the {s['state']['target']}?" in s["prompt"]
        assert len(land_parts(ground)) == 2
        walk = cheapest_walk(ground, tuple(s["state"]["player"]), blocked={base})
        to_stack = min(walk[c] for c in sides(base) if c in walk)
        same += to_stack == 0
        ladder_levels = {y for _, y, _ in ladders}
        assert gold(s) == str(to_stack + climb_cost(level, ladder_levels))
        answers.add(int(gold(s)))
    assert answers == set(range(8)) and 15 <= same <= 60


# ---------------------------------------------------------------------------------------------------------
# The pictures hold what the states say: each scenery's colour (on a face turned to the light, drawn at full
# strength) appears exactly when the state has it, and task 5's red tile is in sight.

SHOWS = {"Brick": (168, 62, 46), "Gold Ore": (240, 200, 40), "Diamond Ore": (90, 230, 230), "TNT": (206, 40, 32),
         "Pumpkin": (228, 132, 22), "Ladder": (196, 146, 80), "River": (58, 132, 226), "Lava": (236, 104, 24)}
RED_TILE = (222, 28, 28)


def colour_counts(image):
    return {colour: n for n, colour in image.getcolors(image.width * image.height)}


def rebuilt(state, keep=lambda pos: True, water=True):
    """The record's scene as a World to draw (its renderer is the module's; what is drawn comes from the record),
    keeping only the blocks `keep` accepts, and the river only if `water`."""
    from gameqa_games import minecraft
    world = minecraft.World(state["look"], state["camera"])
    world.lay_ground(state["frame"]["x"], state["frame"]["z"])
    assert state["ground"] == {"x": [state["frame"]["x"][0] - 5, state["frame"]["x"][1] + 5],
                               "z": [state["frame"]["z"][0] - 5, state["frame"]["z"][1] + 5]}
    for x, z in state["water"] if water else []:
        world.ground[(x, z)] = "water"
    for x, z in state["lava"]:
        world.ground[(x, z)] = "lava"
    if state["player"]:
        world.ground[tuple(state["player"])] = "player"
    for b in state["blocks"]:
        if keep(tuple(b["at"])):
            colour = b.get("colour")
            world.put(tuple(b["at"]), b["kind"], "block", colour and tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5)),
                      b.get("ladder", False))
    return world


def test_pictures_show_the_state():
    from gameqa_games import minecraft
    for seed in range(12):
        s = sample(1, seed, render=True)
        counts = colour_counts(s["images"][0])
        assert counts == colour_counts(minecraft.render(rebuilt(s["state"])))  # the record redraws the picture
        found = sceneries_in(s["state"])
        for name, colour in SHOWS.items():
            assert (counts.get(colour, 0) >= 40) == (name in found), (seed, name, counts.get(colour, 0))
    for seed in range(12):
        s = sample(5, seed, render=True)
        counts = colour_counts(s["images"][0])
        assert counts.get(RED_TILE, 0) >= 150 and counts.get(SHOWS["River"], 0) >= 1000


def hull(points):
    """Convex hull, counterclockwise (Andrew's monotone chain)."""
    points = sorted(set(points))
    cross = lambda o, a, b: (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    lower, upper = [], []
    for p in points:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(points):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def shares_in_sight(camera, cubes, flats):
    """{name: share of its picture left in sight} for named unit cubes {(x, y, z): name} standing above named
    flat ground quads {name: [corners]}, seen along the camera's direction: each cube's outline is the hull of
    its 8 projected corners, painted far to near by the depth of its centre (right for unit cubes on a grid),
    after the flats, which lie below every cube; compared with each name painted alone."""
    a, e = math.radians(camera["azimuth"]), math.radians(camera["elevation"])
    right = (math.sin(a), 0, -math.cos(a))
    up = (-math.sin(e) * math.cos(a), math.cos(e), -math.sin(e) * math.sin(a))
    toward = (math.cos(e) * math.cos(a), math.sin(e), math.cos(e) * math.sin(a))
    dot = lambda p, q: sum(i * j for i, j in zip(p, q))
    px = lambda p: (200 + 20 * dot(p, right), 200 - 20 * dot(p, up))  # 20 pixels a block
    shapes = [(name, [px(c) for c in corners]) for name, quads in sorted(flats.items()) for corners in quads]
    for (x, y, z), name in sorted(cubes.items(), key=lambda item: dot([v + 0.5 for v in item[0]], toward)):
        shapes.append((name, hull([px((x + i, y + j, z + k)) for i in (0, 1) for j in (0, 1) for k in (0, 1)])))
    names = sorted({name for name, _ in shapes})
    ids = {name: k for k, name in enumerate(names, 1)}
    from PIL import Image, ImageDraw
    together = Image.new("L", (400, 400))
    for name, outline in shapes:
        ImageDraw.Draw(together).polygon(outline, fill=ids[name])
    seen = together.histogram()
    shares = {}
    for name in names:
        alone = Image.new("L", (400, 400))
        for who, outline in shapes:
            if who == name:
                ImageDraw.Draw(alone).polygon(outline, fill=1)
        shares[name] = seen[ids[name]] / alone.histogram()[1]
    return shares


def test_objects_are_in_sight():
    """Task 5's red tile and each scenery of task 1 (the river aside: it crosses the whole ground) keep at least
    45% of their picture in sight, by a projection written here (the module asks 50% on a half-size raster)."""
    tile = lambda x, z, y=0: [(x, y, z), (x + 1, y, z), (x + 1, y, z + 1), (x, y, z + 1)]
    for s in samples(5):
        state = s["state"]
        cubes = {tuple(b["at"]): "stack" for b in state["blocks"]}
        shares = shares_in_sight(state["camera"], cubes, {"player": [tile(*state["player"])]})
        assert shares["player"] >= 0.45, (s["id"], shares)
    for s in samples(1):
        state = s["state"]
        _, blocks, _ = read_scene(state)
        cubes = {}
        for k, group in enumerate(objects(blocks)):
            cubes.update({p: f"object {k}" for p in blocks if (p[0], p[2]) in group})
        lava = {"lava": [tile(x, z, -0.25) for x, z in state["lava"]]} if state["lava"] else {}
        shares = shares_in_sight(state["camera"], cubes, lava)
        assert min(shares.values()) >= 0.45, (s["id"], shares)


def test_placing_blocks_follows_the_rules():
    import random
    from gameqa_games import minecraft
    world = minecraft.new_state(random.Random(0), "Easy")
    world.lay_ground((0, 2), (0, 2))
    world.ground[(1, 1)] = "water"
    with pytest.raises(ValueError):
        world.move((0, 1, 0))  # floating in the air
    world.move((1, -1, 1))  # fills the water
    world.move((1, 0, 1))  # on the filled cell
    world.move((1, 1, 1))  # on that block
    assert world.ground[(1, 1)] == "placed" and {(1, 0, 1), (1, 1, 1)} <= set(world.blocks)
    with pytest.raises(ValueError):
        world.move((1, 1, 1))  # taken
