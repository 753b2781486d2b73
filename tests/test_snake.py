"""Snake (snake.py, ViGaL §3.1): labels against an independent brute force, pixels against the state, seeded
determinism, the gold scoring 1.1 with rewards.score, and the state record's shape."""
import collections
import json
import os
import random

import pytest
from PIL import Image

import records
import rewards
import snake

STATE_KEYS = {"width", "height", "snakes", "you", "apples", "last_moves", "board_box"}
STEPS = {"UP": (0, 1), "DOWN": (0, -1), "LEFT": (-1, 0), "RIGHT": (1, 0)}  # written out again, not imported

# Small images keep the many-sample tests fast; the pixel tests use their own sizes.
CONFIGS = [
    snake.SnakeConfig(image_size=96),
    snake.SnakeConfig(width=5, height=5, num_apples=2, image_size=96),
    snake.SnakeConfig(width=7, height=4, num_apples=1, image_size=96, min_length=2, max_length=4),
]


@pytest.fixture(scope="module")
def samples():
    """600 samples through sample_at: 300 on the default board, 200 on 5x5, 100 on a non-square 7x4."""
    out = []
    for cfg, n in zip(CONFIGS, (300, 200, 100)):
        out += [(cfg, snake.sample_at(i, seed=7, split="train", cfg=cfg)) for i in range(n)]
    return out


# ---------------------------------------------------------------------------------------------------------
# (a) labels: an independent brute force, and hand-made states with known answers

def brute_force_labels(state):
    """Re-derive snake.labels another way: a wall-padded character grid for fatality, and a multi-source BFS
    from the apples on the open grid for the Manhattan distance to the nearest apple."""
    width, height = state["width"], state["height"]
    grid = [["#"] * (width + 2) for _ in range(height + 2)]  # grid[y + 1][x + 1]; the ring is the wall
    for y in range(height):
        for x in range(width):
            grid[y + 1][x + 1] = "."
    for body in state["snakes"]:
        for x, y in body:
            grid[y + 1][x + 1] = "S"
    distance = {tuple(a): 0 for a in state["apples"]}
    queue = collections.deque(distance)
    while queue:
        x, y = queue.popleft()
        for dx, dy in STEPS.values():
            nxt = (x + dx, y + dy)
            if 0 <= nxt[0] < width and 0 <= nxt[1] < height and nxt not in distance:
                distance[nxt] = distance[(x, y)] + 1
                queue.append(nxt)
    hx, hy = state["snakes"][state["you"]][0]
    worst, safe = [], {}
    for move in ("UP", "DOWN", "LEFT", "RIGHT"):
        dx, dy = STEPS[move]
        if grid[hy + dy + 1][hx + dx + 1] != ".":
            worst.append(move)
        else:
            safe[move] = distance[(hx + dx, hy + dy)]
    best = [m for m, d in safe.items() if d == min(safe.values())]
    return {"best": best, "worst": worst}


def test_labels_match_brute_force_on_sampled_states(samples):
    assert len(samples) >= 500
    for _, sample in samples:
        expected = brute_force_labels(sample["state"])
        assert sample["answer"] == expected, sample["id"]
        assert snake.labels(sample["state"]) == expected
    # the sampled states exercise every kind of answer, not just the easy ones
    answers = [s["answer"] for _, s in samples]
    assert any(not a["worst"] for a in answers) and any(len(a["worst"]) >= 2 for a in answers)
    assert any(len(a["best"]) >= 2 for a in answers)


def test_labels_match_brute_force_on_random_boards():
    """Boards not reachable by play (scattered cells, trapped heads) still get the same labels."""
    rng = random.Random(0)
    for _ in range(500):
        width, height = rng.randint(1, 8), rng.randint(3, 8)  # >= 3 cells: two snakes and an apple
        cells = [[x, y] for x in range(width) for y in range(height)]
        rng.shuffle(cells)
        k = rng.randint(2, len(cells) - 1)
        taken, apples = cells[:k], cells[k:k + rng.randint(1, 3)]
        cut = rng.randint(1, k - 1)
        state = {"width": width, "height": height, "snakes": [taken[:cut], taken[cut:]], "you": rng.randrange(2),
                 "apples": apples, "last_moves": ["UP", "UP"], "board_box": [0, 0, 1, 1]}
        assert snake.labels(state) == brute_force_labels(state), state


def hand_state(you_cells, enemy_cells, apples, width=10, height=10):
    return {"width": width, "height": height, "snakes": [you_cells, enemy_cells], "you": 0, "apples": apples,
            "last_moves": ["UP", "DOWN"], "board_box": [0, 0, 1, 1]}


@pytest.mark.parametrize("state, best, worst", [
    # bottom-left corner: DOWN and LEFT leave the board; UP and RIGHT tie at distance 9 from (5, 5)
    (hand_state([[0, 0]], [[9, 9]], [[5, 5]]), ["UP", "RIGHT"], ["DOWN", "LEFT"]),
    # top-right corner: y = height-1 is the top, so UP is off the board
    (hand_state([[9, 9]], [[0, 0]], [[9, 0]]), ["DOWN"], ["UP", "RIGHT"]),
    # surrounded: own neck above, own TAIL to the right (fatal although it would move), enemy below;
    # LEFT is the only safe move even though it leads away from the apple
    (hand_state([[5, 5], [5, 6], [6, 6], [6, 5]], [[5, 4], [4, 4]], [[9, 5]]), ["LEFT"], ["UP", "DOWN", "RIGHT"]),
    # open board: no fatal move, so worst is empty
    (hand_state([[4, 4]], [[0, 0]], [[4, 7]]), ["UP"], []),
    # several tied best moves: LEFT and RIGHT both end 1 step from an apple
    (hand_state([[2, 2]], [[9, 9]], [[0, 2], [4, 2], [2, 5]]), ["LEFT", "RIGHT"], []),
    # the enemy's head is a snake cell too: the move toward the apple is fatal, the other three tie at 7
    (hand_state([[3, 3]], [[3, 4]], [[3, 9]]), ["DOWN", "LEFT", "RIGHT"], ["UP"]),
    # every move fatal: best is empty (samples never hold such a state)
    (hand_state([[0, 0], [1, 0]], [[0, 1]], [[5, 5]]), [], ["UP", "DOWN", "LEFT", "RIGHT"]),
])
def test_labels_on_hand_made_states(state, best, worst):
    assert snake.labels(state) == {"best": best, "worst": worst}
    assert brute_force_labels(state) == {"best": best, "worst": worst}  # the reference agrees too


# ---------------------------------------------------------------------------------------------------------
# The game rules behind the states (SnakeBench: simultaneous moves, growth, death)

def test_play_turn_rules():
    cfg = snake.SnakeConfig(width=5, height=5, num_apples=2)
    rng = random.Random(0)
    game = {"snakes": [[(1, 1)], [(3, 3), (3, 4)]], "apples": [(1, 2), (0, 4)], "last_moves": ["UP", "UP"]}
    nxt, alive = snake.play_turn(game, ["UP", "DOWN"], rng, cfg)
    assert alive == [True, True]
    assert nxt["snakes"] == [[(1, 2), (1, 1)], [(3, 2), (3, 3)]]  # red ate and grew; blue moved its tail
    assert len(nxt["apples"]) == 2 and (1, 2) not in nxt["apples"]  # eaten apple respawned elsewhere
    assert nxt["last_moves"] == ["UP", "DOWN"]
    _, alive = snake.play_turn(game, ["LEFT", "RIGHT"], rng, cfg)  # (0, 1) ok; blue's head leaves to (4, 3)
    assert alive == [True, True]
    _, alive = snake.play_turn({**game, "snakes": [[(0, 1)], [(3, 3)]]}, ["LEFT", "UP"], rng, cfg)
    assert alive == [False, True]  # off the left edge
    _, alive = snake.play_turn({**game, "snakes": [[(2, 2)], [(4, 2)]]}, ["RIGHT", "LEFT"], rng, cfg)
    assert alive == [False, False]  # head-on into the same cell
    _, alive = snake.play_turn({**game, "snakes": [[(2, 3)], [(3, 4), (3, 3), (3, 2)]]}, ["RIGHT", "LEFT"], rng, cfg)
    assert alive == [False, True]  # into the other's body
    coiled = [(2, 2), (2, 3), (3, 3), (3, 2), (3, 1)]
    _, alive = snake.play_turn({**game, "snakes": [coiled, [(0, 0)]]}, ["RIGHT", "UP"], rng, cfg)
    assert alive == [False, True]  # into its own body
    _, alive = snake.play_turn({**game, "snakes": [coiled[:4], [(0, 0)]]}, ["RIGHT", "UP"], rng, cfg)
    assert alive == [True, True]  # into its own tail, which moves away in the same turn (SnakeBench)


def test_sampled_states_are_legal_positions(samples):
    for cfg, sample in samples:
        state = sample["state"]
        cells = [tuple(c) for body in state["snakes"] for c in body] + [tuple(a) for a in state["apples"]]
        assert len(cells) == len(set(cells)), sample["id"]  # nothing overlaps
        assert all(0 <= x < cfg.width and 0 <= y < cfg.height for x, y in cells)
        assert len(state["apples"]) == cfg.num_apples
        for body, move in zip(state["snakes"], state["last_moves"]):
            for (ax, ay), (bx, by) in zip(body, body[1:]):
                assert abs(ax - bx) + abs(ay - by) == 1, sample["id"]  # a body is a connected chain
            if len(body) > 1:  # the neck is where the head came from
                dx, dy = STEPS[move]
                assert (body[0][0] - dx, body[0][1] - dy) == tuple(body[1])


# ---------------------------------------------------------------------------------------------------------
# (b) pixels agree with the state

def classify(pixel):
    r, g, b = pixel[:3]
    if r > 180 and g < 90 and b < 90:
        return "red"
    if b > 180 and r < 90 and g < 130:
        return "blue"
    if g > 130 and r < 90 and b < 110:
        return "green"
    if min(r, g, b) > 240:
        return "white"
    return "other"


def region_kinds(image, x0, y0, x1, y1):
    return {classify(image.getpixel((x, y))) for x in range(int(x0), int(x1) + 1) for y in range(int(y0), int(y1) + 1)}


@pytest.mark.parametrize("cfg", [snake.SnakeConfig(), snake.SnakeConfig(width=5, height=5, num_apples=2, image_size=112),
                                 snake.SnakeConfig(width=8, height=5, num_apples=3, image_size=224)])
def test_pixels_match_state(cfg):
    for i in range(6):
        sample = snake.sample_at(i, seed=3, cfg=cfg)
        state, image = sample["state"], sample["images"][0]
        assert image.size == (cfg.image_size, cfg.image_size) and image.mode == "RGB"
        x0, y0, x1, y1 = state["board_box"]
        cw, ch = (x1 - x0) / state["width"], (y1 - y0) / state["height"]
        assert abs(cw - ch) < 1e-9 and cw >= 4  # square cells
        expected = {}
        for x in range(state["width"]):
            for y in range(state["height"]):
                expected[(x, y)] = "white"
        for x, y in state["apples"]:
            expected[(x, y)] = "green"
        for body, colour in zip(state["snakes"], ("red", "blue")):
            for x, y in body:
                expected[(x, y)] = colour
        for (x, y), kind in expected.items():
            cx, cy = x0 + (x + 0.5) * cw, y0 + (state["height"] - 1 - y + 0.5) * ch  # row height-1 on top
            r = max(1, 0.1 * cw)
            assert region_kinds(image, cx - r, cy - r, cx + r, cy + r) == {kind}, (sample["id"], x, y, kind)
        for body, move, colour in zip(state["snakes"], state["last_moves"], ("red", "blue")):
            check_head_points(image, state, body[0], move, colour)
        # the board's outline is drawn exactly on board_box
        assert classify(image.getpixel((x0, (y0 + y1) // 2))) == "other"
        assert classify(image.getpixel(((x0 + x1) // 2, y1))) == "other"


def check_head_points(image, state, head, move, colour):
    """The head triangle's apex is on the `move` side: the point 0.3 cell from the centre toward `move` is
    coloured, the two corners on that side are white, and the half behind holds more colour than the half ahead."""
    x0, y0, x1, _ = state["board_box"]
    c = (x1 - x0) / state["width"]
    left, top = x0 + head[0] * c, y0 + (state["height"] - 1 - head[1]) * c
    cx, cy = left + c / 2, top + c / 2
    dx, dy = STEPS[move][0], -STEPS[move][1]  # image y grows downward
    assert classify(image.getpixel((int(cx + 0.3 * c * dx), int(cy + 0.3 * c * dy)))) == colour
    side = 0.5 - 0.15  # a corner point, 0.15 cell in from both edges
    corners = [(dx * side + dy * side, dy * side + dx * side), (dx * side - dy * side, dy * side - dx * side)]
    for ox, oy in corners:
        assert classify(image.getpixel((int(cx + ox * c), int(cy + oy * c)))) == "white"
    ahead = behind = 0
    for px in range(int(left) + 1, int(left + c) - 1):
        for py in range(int(top) + 1, int(top + c) - 1):
            if classify(image.getpixel((px, py))) == colour:
                along = (px - cx) * dx + (py - cy) * dy
                ahead += along > 0
                behind += along < 0
    assert behind > 2 * ahead


def test_y_axis_points_up():
    """An apple at y = height-1 is drawn near the TOP of the image; a snake at y = 0 near the bottom."""
    state = {"width": 10, "height": 10, "snakes": [[[9, 0]], [[5, 5]]], "you": 0, "apples": [[0, 9]],
             "last_moves": ["RIGHT", "UP"], "board_box": snake.board_layout(10, 10, 200)[0]}
    image = snake.render(state, 200)
    where = collections.defaultdict(list)
    for x in range(200):
        for y in range(200):
            where[classify(image.getpixel((x, y)))].append((x, y))
    green_x = sum(p[0] for p in where["green"]) / len(where["green"])
    green_y = sum(p[1] for p in where["green"]) / len(where["green"])
    red_x = sum(p[0] for p in where["red"]) / len(where["red"])
    red_y = sum(p[1] for p in where["red"]) / len(where["red"])
    assert green_y < 200 / 4 and green_x < 200 / 4  # top-left
    assert red_y > 200 * 3 / 4 and red_x > 200 * 3 / 4  # bottom-right


def test_tick_labels_drawn_below_and_left_of_board():
    state = {"width": 10, "height": 10, "snakes": [[[9, 0]], [[5, 5]]], "you": 0, "apples": [[0, 9]],
             "last_moves": ["RIGHT", "UP"], "board_box": snake.board_layout(10, 10, 448)[0]}
    image = snake.render(state, 448).convert("L")
    x0, y0, x1, y1 = state["board_box"]
    c = (x1 - x0) / 10
    dark = lambda box: sum(1 for p in image.crop(box).tobytes() if p < 128)
    for i in range(10):  # one label under each column and left of each row
        assert dark((int(x0 + i * c + 2), y1 + 2, int(x0 + (i + 1) * c - 2), 448)) > 0, i
        assert dark((0, int(y0 + i * c + 2), x0 - 2, int(y0 + (i + 1) * c - 2))) > 0, i
    assert dark((x1 + 3, 0, 448, 448)) == 0  # nothing to the right of the board


# ---------------------------------------------------------------------------------------------------------
# (c) seeded determinism, through the real CLI

def cli_args(out, split="train"):
    return ["--out", str(out), "--n", "6", "--seed", "11", "--split", split, "--width", "6", "--height", "6",
            "--num-apples", "2", "--image-size", "96"]


def test_cli_same_seed_gives_identical_bytes(tmp_path, capsys):
    snake.main(cli_args(tmp_path / "a"))
    snake.main(cli_args(tmp_path / "b"))
    printed = capsys.readouterr().out
    assert "samples per difficulty" in printed and str(tmp_path / "a") in printed
    for name in ("metadata.jsonl", *(os.path.join("images", f) for f in os.listdir(tmp_path / "a" / "images"))):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    rows = records.read_dataset(str(tmp_path / "a"))
    assert [r["id"] for r in rows] == [f"snake-train-{i:06d}" for i in range(6)]
    assert sorted(os.listdir(tmp_path / "a" / "images")) == sorted(f"snake-train-{i:06d}-0.png" for i in range(6))
    on_disk = Image.open(rows[2]["images"][0]).convert("RGB")  # the PNG is the rendered state, losslessly
    cfg = snake.SnakeConfig(width=6, height=6, num_apples=2, image_size=96)
    assert on_disk.tobytes() == snake.render(rows[2]["state"], 96).tobytes()
    assert rows[2]["state"] == json.loads(json.dumps(snake.sample_at(2, 11, "train", cfg)["state"]))

    snake.main(cli_args(tmp_path / "t", split="test"))
    test_records = records.read_dataset(str(tmp_path / "t"))
    assert test_records[0]["id"] == "snake-test-000000"
    assert all(a["state"] != b["state"] for a, b in zip(rows, test_records))


def test_samples_are_independent_of_the_other_indices():
    cfg = snake.SnakeConfig(image_size=96)
    batch = snake.generate(5, seed=2, cfg=cfg)
    alone = snake.sample_at(3, seed=2, cfg=cfg)
    assert batch[3]["state"] == alone["state"] and batch[3]["prompt"] == alone["prompt"]
    assert batch[3]["images"][0].tobytes() == alone["images"][0].tobytes()
    other_seed = snake.sample_at(3, seed=3, cfg=cfg)
    assert other_seed["state"] != alone["state"]
    assert len({json.dumps(s["state"]) for s in batch}) == 5


def test_cli_rejects_impossible_config(tmp_path, capsys):
    with pytest.raises(SystemExit):
        snake.main(["--out", str(tmp_path), "--n", "2", "--seed", "0", "--width", "2", "--height", "2"])
    assert "too small" in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "metadata.jsonl")


def test_unreachable_length_raises_instead_of_looping():
    cfg = snake.SnakeConfig(min_length=5, max_length=5, max_turns=1, max_games=3, image_size=96)
    with pytest.raises(RuntimeError, match="length 5"):
        snake.sample_at(0, seed=0, cfg=cfg)


# ---------------------------------------------------------------------------------------------------------
# (d) the gold scores 1.1 with the project's reward; wrong answers do not

def completion(best, worst):
    return (f"<think> checked every move </think><best_answer> {best} </best_answer>"
            f"<worst_answer> {', '.join(worst) if worst else 'None'} </worst_answer>")


def test_gold_answers_score_full_reward(samples):
    for _, sample in samples[::5]:
        gold = sample["answer"]
        for best in gold["best"]:
            assert rewards.score(completion(best, gold["worst"]), sample)["reward"] == pytest.approx(1.1)
        for move in snake.MOVES:
            if move not in gold["best"]:  # a fatal or a farther move
                assert rewards.score(completion(move, gold["worst"]), sample)["reward"] == pytest.approx(0.1)
            flipped = [m for m in snake.MOVES if (m in gold["worst"]) != (m == move)]  # one move added or dropped
            assert rewards.score(completion(gold["best"][0], flipped), sample)["reward"] == pytest.approx(0.1)
        assert rewards.score(f"{gold['best'][0]}", sample)["reward"] == 0.0


# ---------------------------------------------------------------------------------------------------------
# (e) the record: its fields (README) and state, difficulty, no hopeless states; the prompt tells the truth

def test_record_shape_and_difficulty(samples):
    lengths = collections.defaultdict(set)
    for cfg, sample in samples:
        assert set(sample) == {"id", "game", "images", "prompt", "answer", "reward", "level", "state"}
        assert sample["game"] == "snake" and sample["reward"] == "snake"
        state = sample["state"]
        assert set(state) == STATE_KEYS
        assert len(state["snakes"]) == 2 and state["you"] in (0, 1)
        assert all(m in snake.MOVES for m in state["last_moves"]) and len(state["last_moves"]) == 2
        assert state["board_box"] == snake.board_layout(cfg.width, cfg.height, cfg.image_size)[0]
        difficulty = sample["level"]["difficulty"]
        assert sample["level"] == {"difficulty": len(state["snakes"][state["you"]])}
        assert cfg.min_length <= difficulty <= cfg.max_length
        lengths[cfg].add(difficulty)
        assert len(sample["answer"]["worst"]) < 4 and sample["answer"]["best"]
        json.dumps({**sample, "images": []})  # everything but the image is plain JSON
    for cfg in CONFIGS:  # every difficulty occurs
        assert lengths[cfg] == set(range(cfg.min_length, cfg.max_length + 1))


def test_prompt_states_colours_cells_and_format(samples):
    for _, sample in samples[:40]:
        state, prompt = sample["state"], sample["prompt"]
        you, enemy = state["you"], 1 - state["you"]
        colour, enemy_colour = ("red", "blue")[you], ("red", "blue")[enemy]
        assert f"You are the {colour} snake" in prompt and f"the {enemy_colour} snake is your opponent" in prompt
        hx, hy = state["snakes"][you][0]
        assert f"Your snake ({colour}): head at ({hx}, {hy})" in prompt
        ex, ey = state["snakes"][enemy][0]
        assert f"Enemy snake ({enemy_colour}): head at ({ex}, {ey})" in prompt
        assert all(f"({x}, {y})" in prompt for x, y in state["apples"])
        assert f"Your last move was {state['last_moves'][you]}." in prompt
        assert f"on a {state['width']}x{state['height']} grid" in prompt
        assert "(0, 0) is the bottom-left cell" in prompt and "UP means y+1, DOWN y-1, LEFT x-1, RIGHT x+1" in prompt
        assert "<best_answer>" in prompt and "<worst_answer>" in prompt and "None" in prompt
    assert {s["state"]["you"] for _, s in samples[:40]} == {0, 1}  # questions about both snakes
