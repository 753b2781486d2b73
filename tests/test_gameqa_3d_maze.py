"""3D Maze: the task table against Game-RL's, the plot levels, and every task's gold re-derived from the record's
`state` by code written here: a graph of walks and ladders built from the cube list, an exhaustive search over
all simple routes (exactly one reaches the goal), and a walker that follows an option's choices."""
import io
import json
from itertools import product

import pytest

import gameqa
import rewards
from gameqa_testing import gold

SEEDS = range(120)  # spread over the three plot levels: seed % 3
BANDS = {"Easy": range(9, 15), "Medium": range(15, 25), "Hard": range(25, 31)}  # Game-RL's bands on the cube count
FORWARD = {"left-forward": (0, -1, 0), "right-forward": (-1, 0, 0), "up": (0, 0, 3)}  # as the rules name them

# question_id: (description, qa_type, qa_level, number of options)
TABLE = {0: ("path_finding", "State Prediction", "Hard", 8),
         1: ("sequence_finding", "State Prediction", "Medium", 6),
         2: ("height_comparison", "Target Perception", "Easy", 8),
         3: ("main_path", "State Prediction", "Medium", 8)}


def sample(qid, seed, render=False):
    return gameqa.sample_task("3d_maze", qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid):
    return [sample(qid, seed) for seed in SEEDS]


def read_world(state):
    """(graph, start, goal, labels) from the record: walks join cubes side by side at one height, a ladder its
    base to the cube 3 levels above."""
    cubes = {tuple(c) for c in state["cubes"]}
    graph = {c: set() for c in cubes}
    for a in cubes:
        for d in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            b = (a[0] + d[0], a[1] + d[1], a[2])
            if b in cubes:
                graph[a].add(b)
    for ladder in state["ladders"]:
        base = tuple(ladder["base"])
        top = (base[0], base[1], base[2] + ladder["height"])
        assert ladder["height"] == 3 and base in cubes and top in cubes
        graph[base].add(top)
        graph[top].add(base)
    labels = {int(n): tuple(c) for n, c in state["labels"].items()}
    return graph, tuple(state["start"]), tuple(state["goal"]), labels


def all_routes(graph, start, goal):
    """Every simple path from start to goal, by exhaustive depth-first search."""
    found = []

    def extend(path):
        if path[-1] == goal:
            found.append(list(path))
            return
        for nxt in sorted(graph[path[-1]]):
            if nxt not in path:
                path.append(nxt)
                extend(path)
                path.pop()
    extend([start])
    return found


def the_route(state):
    graph, start, goal, _ = read_world(state)
    routes = all_routes(graph, start, goal)
    assert len(routes) == 1, "the main path must be the one route from start to goal"
    return routes[0]


def move_name(a, b):
    names = [d for d, (dx, dy, dz) in FORWARD.items() if (a[0] + dx, a[1] + dy, a[2] + dz) == b]
    assert len(names) == 1, (a, b)
    return names[0]


def forward_exits(graph, cube):
    """The forward moves open from `cube`: {name: next cube}."""
    return {d: (cube[0] + dx, cube[1] + dy, cube[2] + dz) for d, (dx, dy, dz) in FORWARD.items()
            if (cube[0] + dx, cube[1] + dy, cube[2] + dz) in graph[cube]}


def chebyshev(a, b):
    return max(abs(p - q) for p, q in zip(a, b))


def spaced_out(cubes):
    return all(chebyshev(a, b) >= 2 for i, a in enumerate(cubes) for b in cubes[:i])


# ---------------------------------------------------------------------------------------------------------
# The table, the levels and the image

def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY["3d_maze"].tasks}
    assert sorted(tasks) == sorted(TABLE)
    assert gameqa.REGISTRY["3d_maze"].module == "maze_3d" and gameqa.REGISTRY["3d_maze"].split_group == "in-domain"
    for qid, (description, qa_type, qa_level, n_options) in TABLE.items():
        assert (tasks[qid].description, tasks[qid].qa_type, tasks[qid].qa_level) == (description, qa_type, qa_level)
        for seed in range(6):
            s = sample(qid, seed)
            assert len(s["options"]) == n_options, (qid, seed)
            assert s["level"] == {"plot_level": gameqa.LEVELS[seed % 3], "qa_level": qa_level, "qa_type": qa_type}


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_worlds_are_game_rl_side_path_puzzles_in_the_level_band(level):
    """The cube count is in the level's band; the start is (7, 7, 0); cubes sit at heights 0, 3, 6; the walk
    and ladder graph is a tree whose start-goal route moves only forward in 5-7 segments (2-cube walks,
    3-level ladders); 3-4 dead ends branch off it, each ending away from every other cube."""
    for seed in range(40):
        state = gameqa.sample_task("3d_maze", 3, seed, level, render=False)["state"]
        graph, start, goal, _ = read_world(state)
        assert len(graph) in BANDS[level] and start == (7, 7, 0) and state["grid"] == [8, 8, 7]
        assert all(0 <= x < 8 and 0 <= y < 8 and z in (0, 3, 6) for x, y, z in graph)
        reached, frontier = {start}, [start]
        while frontier:
            for nxt in graph[frontier.pop()]:
                if nxt not in reached:
                    reached.add(nxt)
                    frontier.append(nxt)
        assert reached == set(graph) and sum(map(len, graph.values())) == 2 * (len(graph) - 1)  # a tree
        route = the_route(state)
        assert route == [tuple(c) for c in state["main_path"]["cubes"]]
        moves = [move_name(a, b) for a, b in zip(route, route[1:])]
        assert moves.count("up") <= 2 and 5 <= moves.count("up") + (len(moves) - moves.count("up")) / 2 <= 7
        branches = [c for c in route if len(forward_exits(graph, c)) == 2]
        assert 3 <= len(branches) <= 4 and all(len(forward_exits(graph, c)) <= 2 for c in route)
        on_route = set(route)
        for leaf in (c for c in graph if len(graph[c]) == 1 and c not in (start, goal)):
            own, cube = {leaf}, leaf  # walk the dead end back to the route
            while True:
                cube = next(iter(graph[cube] - own))
                if cube in on_route:
                    break
                own.add(cube)
            assert not [c for c in graph if c not in own and chebyshev(c, leaf) <= 1], leaf


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_same_seed_same_bytes_and_the_image_shows_start_goal_and_numbers():
    for qid in TABLE:
        for seed in (qid, qid + 4):
            a, b = (sample(qid, seed, render=True) for _ in range(2))
            assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
            assert png(a["images"][0]) == png(b["images"][0])
            image = a["images"][0]
            assert image.size == (600, 600)
            colours = {colour for _, colour in image.getcolors(600 * 600)}
            # start blue, goal red, numbered green: each drawn at full strength on its top face
            assert {(68, 68, 255), (255, 68, 68)} <= colours
            numbered = set(read_world(a["state"])[3].values()) - {tuple(a["state"]["start"])}
            assert ((68, 255, 68) in colours) == bool(numbered)


def test_option_texts_grade_as_their_letters():
    for qid in TABLE:
        s = sample(qid, 1)
        wrong = next(o for o in s["options"] if o != gold(s))
        assert rewards.score_gameqa(f"So.\nThe answer is {s['answer']}", s)["accuracy"] == 1
        assert rewards.score_gameqa(f"The answer is {gold(s)}", s)["accuracy"] == 1
        assert rewards.score_gameqa(f"The answer is {wrong}", s)["accuracy"] == 0


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_path_finding():
    """The numbered cubes are exactly the route's branch points. An option is followed by a walker that must
    make the option's choice at each numbered cube (a legal move there) and the only possible move elsewhere:
    only the gold reaches the goal. With 4 branch points the gold must not be the only option that sends
    branch point 4 along the main path (Game-RL's giveaway)."""
    giveaways, four = 0, 0
    for s in samples(0):
        graph, start, goal, labels = read_world(s["state"])
        route = the_route(s["state"])
        k = len(labels)
        assert sorted(labels) == list(range(1, k + 1)) and k in (3, 4)
        assert set(labels.values()) == {c for c in route if len(forward_exits(graph, c)) == 2}
        expected = ", ".join(f"{n}-{move_name(labels[n], route[route.index(labels[n]) + 1])}" for n in sorted(labels))
        assert gold(s) == expected
        for option in s["options"]:
            choice = {}
            for part in option.split(", "):
                n, way = part.split("-", 1)
                choice[int(n)] = way
            assert list(choice) == list(range(1, k + 1))
            number = {c: n for n, c in labels.items()}
            cube = start
            while forward_exits(graph, cube):
                exits = forward_exits(graph, cube)
                if cube in number:
                    assert choice[number[cube]] in exits, "every choice must be a way that exists there"
                    cube = exits[choice[number[cube]]]
                else:
                    (cube,) = exits.values()
            assert (cube == goal) == (option == gold(s))
        for n, c in labels.items():
            branch = s["state"]["branches"][str(n)]
            assert {branch["main_dir"], branch["side_dir"]} == set(forward_exits(graph, c))
        if k == 4:
            four += 1
            main_four = [o for o in s["options"] if o.split(", ")[3] == gold(s).split(", ")[3]]
            giveaways += main_four == [gold(s)]
    assert four >= 20 and giveaways <= 0.1 * four


def test_sequence_finding():
    for s in samples(1):
        route = the_route(s["state"])
        labels = read_world(s["state"])[3]
        assert len(labels) in (3, 4) and spaced_out(list(labels.values()))
        assert all(c in route[1:-1] for c in labels.values())
        order = sorted(labels, key=lambda n: route.index(labels[n]))
        assert gold(s) == "Start -> " + " -> ".join(map(str, order)) + " -> Goal"
        for option in s["options"]:
            middle = option.split(" -> ")
            assert middle[0] == "Start" and middle[-1] == "Goal" and sorted(map(int, middle[1:-1])) == sorted(labels)


def weak_order_text(heights):
    """{label: height} -> "1 = 3 < 2": labels by height, then number; '=' between equal heights."""
    ranked = sorted(heights, key=lambda n: (heights[n], n))
    text = str(ranked[0])
    for a, b in zip(ranked, ranked[1:]):
        text += (" = " if heights[a] == heights[b] else " < ") + str(b)
    return text


def test_height_comparison():
    all_relations = {weak_order_text(dict(zip((1, 2, 3), h))) for h in product(range(3), repeat=3)}
    assert len(all_relations) == 13
    for s in samples(2):
        route = the_route(s["state"])
        labels = read_world(s["state"])[3]
        assert sorted(labels) == [1, 2, 3] and spaced_out(list(labels.values()))
        assert all(c in route[1:-1] for c in labels.values())
        assert gold(s) == weak_order_text({n: c[2] for n, c in labels.items()})
        assert set(s["options"]) <= all_relations


def test_main_path():
    golds = set()
    for s in samples(3):
        route = the_route(s["state"])
        labels = read_world(s["state"])[3]
        k = len(labels)
        assert k in (3, 4) and spaced_out(list(labels.values()))
        assert not {tuple(s["state"]["start"]), tuple(s["state"]["goal"])} & set(labels.values())
        on = [n for n in sorted(labels) if labels[n] in route]
        assert gold(s) == (", ".join(map(str, on)) or "None")
        golds.add(gold(s))
        subsets = {", ".join(str(n) for n, keep in zip(range(1, k + 1), bits) if keep) or "None"
                   for bits in product((0, 1), repeat=k)}
        assert set(s["options"]) <= subsets
    assert len(golds) >= 8  # the gold is not always "all of them" or "None"
