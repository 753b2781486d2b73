"""Pyramid Chess: the task table against Game-RL's, and every task's gold re-derived from the record's `state` by
code written here: the pyramid read back into a slot map, support found by scanning every slot of the level
above, take-back by scanning the whole board for a same-colour 2×2 block (Game-RL's way), the supporting cone by
recursion over bases, and task 3 by trying every legal placement for both colours."""
import io
import json

import pytest

import gameqa
import rewards
from gameqa_games import pyramid_chess
from gameqa_testing import gold

GAME = "pyramid_chess"
SIZE = {"Easy": 3, "Medium": 4, "Hard": 5}
MAX_TURNS = {3: 13, 4: 29, 5: 54}
POOLS = {3: (7, 7), 4: (15, 15), 5: (28, 27)}
SEEDS = range(120)  # 40 per plot level
STATUS = ["PLAYER_0", "PLAYER_1", "Empty", "Index out of bound"]
PLACE = ["Can place and no balls taken", "Can place and then balls can be taken",
         "Cannot place, position already occupied", "Cannot place, ball not ready below"]
DETAIL = ["The coordinate is out of bound", "It contains a ball and the ball can't be taken",
          "It contains a ball and the ball can be taken",
          "It doesn't contain a ball and a ball can be put here this turn",
          "It doesn't contain a ball and a ball can't be put here this turn"]
# question_id: (qa_type, qa_level, the fixed option list, or "int" / "slot" for fill-in), as Game-RL's code has them
TABLE = {0: ("Target Perception", "Easy", STATUS), 1: ("State Prediction", "Medium", PLACE),
         2: ("State Prediction", "Hard", "int"), 3: ("Strategy Optimization", "Hard", "slot"),
         4: ("Target Perception", "Easy", "int"), 5: ("Target Perception", "Medium", DETAIL)}


def samples(qid, seeds=SEEDS, render=False):
    for seed in seeds:
        level = gameqa.LEVELS[seed % 3]
        yield level, gameqa.sample_task(GAME, qid, seed, level, render=render)


def board(state):
    """{(k, x, y): "P0" | "P1" | "--"} from state["levels"], checking each level's shape."""
    n, levels = state["size"], state["levels"]
    assert len(levels) == n
    out = {}
    for k, grid in enumerate(levels):
        assert len(grid) == n - k and all(len(column) == n - k for column in grid), (k, grid)
        for x, column in enumerate(grid):
            for y, value in enumerate(column):
                assert value in ("P0", "P1", "--")
                out[(k, x, y)] = value
    return out


def asked(state):
    return (state["query_level"], *state["query_coordinate"])


def bases(slot):
    k, x, y = slot
    return [] if k == 0 else [(k - 1, x + dx, y + dy) for dx in (0, 1) for dy in (0, 1)]


def resting_on(b, slot):
    """The slots of the next level up whose base includes `slot`, by scanning that whole level."""
    return [s for s in b if s[0] == slot[0] + 1 and slot in bases(s)]


def can_place(b, slot):
    return b[slot] == "--" and all(b[s] != "--" for s in bases(slot))


def full_blocks(b):
    """Every 2×2 block (on any level) whose four slots hold balls of one colour, found by scanning the board."""
    found = []
    for (k, x, y) in b:
        block = [(k, x + dx, y + dy) for dx in (0, 1) for dy in (0, 1)]
        if all(s in b for s in block) and b[block[0]] != "--" and len({b[s] for s in block}) == 1:
            found.append(block)
    return found


def check_legal_play(state):
    """A board random play can reach: supported balls, no same-colour block left whole, pools respected."""
    n, b = state["size"], board(state)
    for slot, value in b.items():
        if value != "--":
            assert all(b[s] != "--" for s in bases(slot)), slot
    assert full_blocks(b) == []
    assert b[(n - 1, 0, 0)] == "--"  # nobody has won within these turn counts
    blue, red = (sum(v == p for v in b.values()) for p in ("P0", "P1"))
    assert blue <= POOLS[n][0] and red <= POOLS[n][1] and blue + red <= MAX_TURNS[n] - 1


def test_task_table_levels_and_answer_forms():
    tasks = {t.question_id: t for t in gameqa.REGISTRY[GAME].tasks}
    assert sorted(tasks) == sorted(TABLE) and gameqa.REGISTRY[GAME].split_group == "out-of-domain"
    assert tasks[0].description == "Choose a random coordinate and ask what status is the coordinate"
    assert tasks[4].description == "Calculate how many balls are there one the board."
    for qid, (qa_type, qa_level, form) in TABLE.items():
        assert (tasks[qid].qa_type, tasks[qid].qa_level) == (qa_type, qa_level), qid
        for level in gameqa.LEVELS:
            s = gameqa.sample_task(GAME, qid, 1, level, render=False)
            assert s["state"]["size"] == SIZE[level] and s["level"]["plot_level"] == level
            if isinstance(form, list):
                assert s["options"] == form  # Game-RL's fixed order, never shuffled
            else:
                assert "options" not in s
                assert s["answer"].isdigit() if form == "int" else s["answer"].endswith(" at level 0")


def test_random_play_boards_are_legal_and_reach_every_size_of_game():
    balls = {level: set() for level in gameqa.LEVELS}
    for level, s in samples(4):
        check_legal_play(s["state"])
        balls[level].add(sum(v != "--" for v in board(s["state"]).values()))
    for level in gameqa.LEVELS:  # t uniform in 0..M-1: near-empty boards and well-filled ones
        m = MAX_TURNS[SIZE[level]]
        assert min(balls[level]) <= m // 6 and max(balls[level]) >= m // 2, (level, balls[level])


def test_slot_status():
    seen, near = set(), 0
    for level, s in samples(0):
        b, slot = board(s["state"]), asked(s["state"])
        check_legal_play(s["state"])
        want = "Index out of bound" if slot not in b else {"P0": "PLAYER_0", "P1": "PLAYER_1", "--": "Empty"}[b[slot]]
        assert gold(s) == want, (level, slot)
        assert f"slot [{slot[1]}, {slot[2]}] on Level {slot[0]}?" in s["prompt"]
        seen.add(want)
        k, x, y = slot
        near += 0 <= k < SIZE[level] and max(x, y) == SIZE[level] - k  # one past the edge of a real level
    assert seen == set(STATUS) and near >= 5  # out-of-bounds questions include near misses, not only 5-15


def test_placement_result():
    seen = set()
    for level, s in samples(1):
        b, slot, colour = board(s["state"]), asked(s["state"]), s["state"]["colour"]
        player = {"blue": "P0", "red": "P1"}[colour]
        if b[slot] != "--":
            want = PLACE[2]
        elif not can_place(b, slot):
            want = PLACE[3]
        else:
            after = dict(b)
            after[slot] = player
            want = PLACE[1] if full_blocks(after) else PLACE[0]
        assert gold(s) == want, (level, slot, colour)
        assert f"If a {colour} ball is placed there" in s["prompt"]
        seen.add(want)
    assert seen == set(PLACE)


def needed(b, slot, memo):
    """The empty slots that must be filled before `slot` can take a ball: recursion over bases."""
    if slot not in memo:
        memo[slot] = set()
        for s in bases(slot):
            memo[slot] |= ({s} if b[s] == "--" else set()) | needed(b, s, memo)
    return memo[slot]


def test_steps_to_place():
    answers = set()
    for level, s in samples(2):
        b, slot = board(s["state"]), asked(s["state"])
        assert b[slot] == "--"
        missing = needed(b, slot, {})
        assert gold(s) == str(1 + len(missing)), (level, slot)
        board_now, turns = dict(b), 0  # and that many placements do reach it: fill the needed slots bottom-up
        for t in sorted(missing) + [slot]:
            assert can_place(board_now, t)
            board_now[t], turns = "P0", turns + 1
        assert turns == int(gold(s))
        answers.add(int(gold(s)))
    assert len(answers) >= 4


def test_best_placement_is_the_only_one_that_completes_or_blocks():
    owner_counts = {"complete": 0, "block": 0}
    for level, s in samples(3):
        b, n = board(s["state"]), s["state"]["size"]
        assert all(v == "--" for (k, _, _), v in b.items() if k > 0) and full_blocks(b) == []
        player = {"PLAYER_0": "P0", "PLAYER_1": "P1"}[s["state"]["player"]]
        opponent = "P1" if player == "P0" else "P0"
        good = []
        for slot in b:
            if not can_place(b, slot):
                continue
            mine, theirs = dict(b), dict(b)
            mine[slot], theirs[slot] = player, opponent
            completes, blocks = bool(full_blocks(mine)), bool(full_blocks(theirs))
            if completes or blocks:
                good.append((slot, completes))
        assert len(good) == 1, (level, good)
        (k, x, y), completes = good[0]
        assert gold(s) == f"[{x}, {y}] at level {k}" and k == 0
        owner_counts["complete" if completes else "block"] += 1
        assert f"it is {s['state']['player']}'s turn" in s["prompt"]
    assert min(owner_counts.values()) >= 25  # both kinds, about half each


def test_ball_count():
    for level, s in samples(4):
        assert gold(s) == str(sum(v != "--" for v in board(s["state"]).values()))


def test_slot_detail():
    seen = set()
    for level, s in samples(5):
        b, slot = board(s["state"]), asked(s["state"])
        if slot not in b:
            want = DETAIL[0]
        elif b[slot] != "--":
            want = DETAIL[1] if any(b[t] != "--" for t in resting_on(b, slot)) else DETAIL[2]
        else:
            want = DETAIL[3] if can_place(b, slot) else DETAIL[4]
        assert gold(s) == want, (level, slot)
        seen.add(want)
    assert seen == set(DETAIL)


@pytest.mark.parametrize("qid", [2, 3, 4])
def test_fill_in_gold_scores_and_a_wrong_answer_does_not(qid):
    for level, s in samples(qid, seeds=range(6)):
        assert rewards.score_gameqa(f"Working it out as above. The answer is {s['answer']}", s)["accuracy"] == 1
        if qid == 3:
            x, y = json.loads(s["answer"].split(" at ")[0])
            assert rewards.score_gameqa(f"The answer is [{x},{y}] at level 0", s)["accuracy"] == 1
            assert rewards.score_gameqa(f"The answer is [{y + 1}, {x}] at level 0", s)["accuracy"] == 0
            assert rewards.score_gameqa(f"The answer is [{x}, {y}] at level 1", s)["accuracy"] == 0
        else:
            assert rewards.score_gameqa(f"The answer is {int(s['answer']) + 1}", s)["accuracy"] == 0


def test_image_shows_each_slot_where_the_axes_say():
    blue, red = pyramid_chess.BALL_RGB["P0"], pyramid_chess.BALL_RGB["P1"]
    for level, s in samples(4, seeds=range(9), render=True):
        (image,) = s["images"]
        n, b = s["state"]["size"], board(s["state"])
        assert max(image.size) <= 900
        for slot, value in b.items():
            px = image.getpixel(tuple(round(v) for v in pyramid_chess.slot_centre(n, slot)))
            assert px == {"P0": blue, "P1": red}.get(value, px) and (value != "--" or px not in (blue, red)), slot
        # Game-RL's axes: x grows to the left from 0 at the right, y grows upwards from 0 at the bottom
        for k in range(n - 1):
            centre = {(x, y): pyramid_chess.slot_centre(n, (k, x, y)) for x, y in ((0, 0), (1, 0), (0, 1))}
            assert centre[(1, 0)][0] < centre[(0, 0)][0] and centre[(0, 1)][1] < centre[(0, 0)][1]


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("qid", sorted(TABLE))
def test_same_seed_same_record_and_image_bytes(qid):
    level = gameqa.LEVELS[qid % 3]
    a, b = (gameqa.sample_task(GAME, qid, 11, level) for _ in range(2))
    assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
    assert png(a["images"][0]) == png(b["images"][0])


def test_move_rejects_an_illegal_placement_with_a_clear_message():
    state = pyramid_chess.Pyramid(3)
    with pytest.raises(ValueError, match=r"no ball can be put in \(1, 0, 0\)"):
        state.move((1, 0, 0), "P0")  # its base is empty
