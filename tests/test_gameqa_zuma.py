"""Zuma: the task table against Game-RL's, the boards against the level table, and every task's answer
re-derived from the record's `state` by code written here: the track walk redone with numpy, sectors read off
an explicit table of angle ranges, and every shot simulated by marching the shot marble along its ray (sphere
tracing: step by the distance to the nearest marble surface until it touches one), never by the module's
closed-form contact formula."""
import io
import itertools
import json
import math

import numpy as np
import pytest

import gameqa
import rewards
from gameqa_games import zuma
from gameqa_testing import gold

SEEDS = range(120)  # 40 per plot level
R = 0.3
COLOURS = ["red", "yellow", "blue", "green"]

# question_id: (qa_type, qa_level, the fixed option list, or None for fill-in)
TABLE = {1: ("Target Perception", "Easy", COLOURS), 2: ("Target Perception", "Easy", None),
         3: ("Target Perception", "Medium", None), 4: ("Target Perception", "Medium", COLOURS + ["none"]),
         5: ("State Prediction", "Hard", None), 6: ("Strategy Optimization", "Hard", None)}
# requested marble count -> (lowest, highest) track length in turns, and the plot level it gives
BANDS = [(10, 15, 0.5, 1.0, "Easy"), (16, 30, 1.0, 1.5, "Easy"), (31, 55, 1.5, 2.0, "Medium"),
         (56, 75, 2.0, 2.5, "Medium"), (76, 100, 2.5, 3.0, "Hard"), (101, 134, 3.0, 3.0, "Hard")]


def sample(qid, seed, render=False):
    return gameqa.sample_task("zuma", qid, seed, gameqa.LEVELS[seed % 3], render=render)


def samples(qid):
    return [sample(qid, seed) for seed in SEEDS]


def board(state):
    """(frog position, marble centres as an (n, 2) array, marble colours) from the record's state."""
    frog = np.array([state["frog"]["x"], state["frog"]["y"]])
    centres = np.array([[b["x"], b["y"]] for b in state["balls"]])
    return frog, centres, [b["colour"] for b in state["balls"]]


def sector(dx, dy):
    """The sector of a direction, from the table of angle ranges the question states."""
    a = math.degrees(math.atan2(dy, dx))
    if -22.5 <= a < 22.5:
        return "right"
    if 22.5 <= a < 67.5:
        return "up-right"
    if 67.5 <= a < 112.5:
        return "up"
    if 112.5 <= a < 157.5:
        return "up-left"
    if a >= 157.5 or a < -157.5:
        return "left"
    if -157.5 <= a < -112.5:
        return "down-left"
    if -112.5 <= a < -67.5:
        return "down"
    return "down-right"


def groups(colours):
    """Maximal same-colour runs of 2 or more as (first, last, colour), by itertools.groupby."""
    out, i = [], 0
    for colour, run in itertools.groupby(colours):
        k = len(list(run))
        if k >= 2:
            out.append((i, i + k - 1, colour))
        i += k
    return out


def march(frog, centres, direction, touch=2 * R, far=40.0):
    """Move the shot's centre along `direction` from the frog, each step as long as the distance to the
    nearest marble surface (inflated by the shot's radius), until it touches a marble. Returns (index, point)
    or (None, None) once it is `far` away."""
    point = frog.astype(float).copy()
    for _ in range(20000):
        gaps = np.hypot(centres[:, 0] - point[0], centres[:, 1] - point[1]) - touch
        nearest = int(np.argmin(gaps))
        if gaps[nearest] < 1e-7:
            return nearest, point
        point = point + gaps[nearest] * direction
        if np.hypot(*(point - frog)) > far:
            return None, None
    raise AssertionError("the march did not settle")


def unit(angle_deg):
    return np.array([math.cos(math.radians(angle_deg)), math.sin(math.radians(angle_deg))])


def removed_after_insert(colours, position, colour):
    """Insert `colour` at `position` and measure the same-colour block around it (existing marbles only)."""
    chain = colours[:position] + [colour] + colours[position:]
    lo = hi = position
    while lo > 0 and chain[lo - 1] == colour:
        lo -= 1
    while hi + 1 < len(chain) and chain[hi + 1] == colour:
        hi += 1
    existing = hi - lo
    return existing if existing >= 2 else 0


# ---------------------------------------------------------------------------------------------------------
# The table, the levels and the picture

def test_task_table_matches_game_rl():
    tasks = {t.question_id: t for t in gameqa.REGISTRY["zuma"].tasks}
    assert sorted(tasks) == sorted(TABLE)
    for qid, (qa_type, qa_level, options) in TABLE.items():
        assert (tasks[qid].qa_type, tasks[qid].qa_level) == (qa_type, qa_level), qid
        for seed in range(6):
            s = sample(qid, seed)
            assert s.get("options") == options, (qid, seed)  # fixed lists keep Game-RL's order


@pytest.mark.parametrize("level", gameqa.LEVELS)
def test_boards_follow_the_level_table_and_the_track_walk(level):
    """Requested count in the level's range, track length in its band, hole and frog in their boxes, and the
    marbles where the walk from the outer end puts them: redone here with numpy on 2,000 track points."""
    for seed in range(30):
        st = gameqa.sample_task("zuma", 2, seed, level, render=False)["state"]
        n = st["requested_balls"]
        _, _, lo_turns, hi_turns, band_level = next(b for b in BANDS if b[0] <= n <= b[1])
        assert band_level == level and lo_turns <= st["turns"] <= hi_turns
        hx, hy = st["hole"]
        assert 1.5 <= abs(hx) <= 3 and 1.5 <= abs(hy) <= 3
        frog = st["frog"]
        assert -1 <= frog["x"] <= 1 and -1 <= frog["y"] <= 1 and -179 <= frog["angle"] <= 179
        assert isinstance(frog["angle"], int) and frog["colour"] in COLOURS
        t = np.linspace(0.0, 2 * np.pi * st["turns"], 2000)
        radius = math.hypot(hx, hy) + 0.2 * t
        theta = math.atan2(hy, hx) + t
        pts = np.stack([radius * np.cos(theta), radius * np.sin(theta)], axis=1)
        placed = [pts[-1]]
        for p in pts[-2::-1]:
            if len(placed) == n:
                break
            if np.hypot(*(p - placed[-1])) >= 2 * R:
                placed.append(p)
        _, centres, colours = board(st)
        assert len(centres) == len(placed) and set(colours) <= set(COLOURS)
        assert np.abs(centres - np.array(placed)).max() < 2e-4
        # neighbours along the track touch (2r apart, up to one track step), marbles never overlap
        steps = np.hypot(*(centres[1:] - centres[:-1]).T)
        assert steps.min() >= 2 * R - 1e-3 and steps.max() < 2 * R + 0.1
        pair = np.hypot(centres[:, None, 0] - centres[None, :, 0], centres[:, None, 1] - centres[None, :, 1])
        assert pair[~np.eye(len(centres), dtype=bool)].min() >= 2 * R - 1e-3


def png(image):
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_same_seed_same_bytes_and_the_picture_shows_the_state():
    for qid, level in [(1, "Easy"), (3, "Medium"), (5, "Hard"), (6, "Hard")]:
        a, b = (gameqa.sample_task("zuma", qid, 4, level) for _ in range(2))
        assert png(a["images"][0]) == png(b["images"][0])
        assert json.dumps({**a, "images": []}) == json.dumps({**b, "images": []})
        image = a["images"][0]
        assert max(image.size) <= 900
        # Every marble and the frog's disk are disks of one size in their colour, so each colour covers a share
        # of the coloured pixels in proportion to how many disks have it.
        _, _, colours = board(a["state"])
        disks = {c: colours.count(c) + (a["state"]["frog"]["colour"] == c) for c in COLOURS}
        counts = dict.fromkeys(COLOURS, 0)
        by_rgb = {rgb: c for c, rgb in zuma.FILL.items()}
        for rgb_count, rgb in image.getcolors(maxcolors=1 << 16):
            if rgb in by_rgb:
                counts[by_rgb[rgb]] += rgb_count
        per_disk = sum(counts.values()) / sum(disks.values())
        for c in COLOURS:
            assert abs(counts[c] / per_disk - disks[c]) <= 0.6 + 0.05 * disks[c], (qid, c, counts, disks)


def test_a_hand_built_board_hits_the_first_contact_not_the_nearest_centre():
    """Frog at the origin shooting at 0°: B at (1.9, 0.59) has the nearer centre (1.99 < 2.05) but the shot's
    centre would touch it only after 1.9 - sqrt(0.36 - 0.59²) = 1.79, while it touches A at (2.05, 0) after
    2.05 - 0.6 = 1.45. The strike vector (-0.6, 0) against the chain direction A - B = (0.15, -0.59) has a
    negative dot product, so the shot goes in between B and A."""
    state = zuma.Zuma((2.0, 2.0), 1.0, {"x": 0.0, "y": 0.0, "angle": 0, "colour": "red"},
                      [(1.9, 0.59, "red"), (2.05, 0.0, "blue")], 12)
    hit, travel = state.first_hit(0)
    assert hit == 1 and travel == pytest.approx(1.45)
    assert march(np.zeros(2), np.array([[1.9, 0.59], [2.05, 0.0]]), unit(0))[0] == 1
    assert state.shoot(0)[:3] == (1, 1, 0)  # one red neighbour only: it stays
    after = state.move(0)
    assert [c for _, _, c in after.balls] == ["red", "red", "blue"]
    two_reds = zuma.Zuma(state.hole, 1.0, state.frog, [(1.9, 0.59, "red"), (2.05, 0.0, "red")], 12)
    assert two_reds.shoot(0)[:3] == (1, 1, 2) and two_reds.move(0).balls == []


# ---------------------------------------------------------------------------------------------------------
# Every task's gold, re-derived

def test_shot_colour():
    for s in samples(1):
        assert gold(s) == s["state"]["frog"]["colour"]


def test_colour_count():
    for s in samples(2):
        colour = s["state"]["colour"]
        expected = sum(b["colour"] == colour for b in s["state"]["balls"])
        assert gold(s) == str(expected)
        assert rewards.score_gameqa(f"I count them.\nThe answer is {expected}", s)["accuracy"] == 1


def off_border(frog, point, name, margin=R):
    """Is the point more than `margin` from both dashed borders of sector `name` (no border cuts its marble)?"""
    first = {"right": -22.5, "up-right": 22.5, "up": 67.5, "up-left": 112.5, "left": 157.5, "down-left": -157.5,
             "down": -112.5, "down-right": -67.5}[name]
    for border in (first, first + 45):
        u = unit(border)
        v = point - frog
        along = v @ u
        dist = abs(v[0] * u[1] - v[1] * u[0]) if along > 0 else np.hypot(*v)
        if dist < margin:
            return False
    return True


def test_groups_in_a_sector_count_any_marble_and_do_not_hang_on_a_border():
    answers = set()
    for s in samples(3):
        frog, centres, colours = board(s["state"])
        name = s["state"]["direction"]
        inside = [sector(*(c - frog)) == name for c in centres]
        expected = sum(any(inside[a:b + 1]) for a, b, _ in groups(colours))
        assert gold(s) == str(expected)
        assert rewards.score_gameqa(f"The answer is {expected}", s)["accuracy"] == 1
        # Readable: no group is counted or left out only because of a marble centre on a dashed border.
        clear_in = [inside[k] and off_border(frog, centres[k], name) for k in range(len(centres))]
        maybe_in = [inside[k] or not off_border(frog, centres[k], name) for k in range(len(centres))]
        assert sum(any(clear_in[a:b + 1]) for a, b, _ in groups(colours)) == expected
        assert sum(any(maybe_in[a:b + 1]) for a, b, _ in groups(colours)) == expected
        answers.add(expected)
    assert len(answers) >= 4


def test_a_group_counts_in_a_sector_when_any_marble_is_in_it():
    """Three red marbles in a row above the frog, at 121°, 90° and 59°: only the middle one is in the up sector
    (67.5° to 112.5°), so Game-RL's code, which looks at the first and last marble only, would miss the group."""
    state = zuma.Zuma((2.0, 2.0), 1.0, {"x": 0.0, "y": 0.0, "angle": 0, "colour": "red"},
                      [(-0.6, 1.0, "red"), (0.0, 1.0, "red"), (0.6, 1.0, "red"), (1.2, 1.0, "blue")], 12)
    assert [sector(x, y) for x, y, _ in state.balls[:3]] == ["up-left", "up", "up-right"]
    for unsure in (False, True):
        assert zuma.sector_groups(state, "up", unsure) == [(0, 2, "red")]
        assert zuma.sector_groups(state, "down", unsure) == []


def traced_hit(state, angle, touch=2 * R):
    frog, centres, _ = board(state)
    return march(frog, centres, unit(angle), touch)


WOBBLES = [(da, k) for da in (-1, 0, 1) for k in (0.8, 1.0, 1.2)]  # angle ± 1°, contact distance ± 20 %


def test_hit_colour_is_the_first_marble_touched_and_the_picture_decides_it():
    answers = set()
    for s in (sample(4, seed) for seed in range(150)):
        st = s["state"]
        seen = set()
        for da, k in WOBBLES:  # the same colour (or none) whichever way the shot wobbles
            hit, _ = traced_hit(st, st["frog"]["angle"] + da, k * 2 * R)
            seen.add("none" if hit is None else st["balls"][hit]["colour"])
        assert seen == {gold(s)}
        answers |= seen
    assert answers == set(COLOURS) | {"none"}


def simulated_outcome(st, angle, touch=2 * R):
    """The sentence for a shot, by marching the shot, taking the side from the strike vector against the chain
    at the hit marble, and inserting into the colour list; None when a head-on strike leaves the side open."""
    frog, centres, colours = board(st)
    colour = st["frog"]["colour"]
    hit, point = traced_hit(st, angle, touch)
    if hit is None:
        return "The marble left the field."
    chain = centres[hit + 1] - centres[hit] if hit + 1 < len(centres) else centres[hit] - centres[hit - 1]
    strike = point - centres[hit]
    position = hit + 1 if strike @ chain > 0 else hit
    removed = removed_after_insert(colours, position, colour)
    if abs(strike @ chain) < 0.25 * np.hypot(*strike) * np.hypot(*chain):  # nearly head-on: must not matter
        other = hit if position == hit + 1 else hit + 1
        if removed_after_insert(colours, other, colour) != removed:
            return None
    return f"{removed} marbles on the track were removed." if removed else "The marble stayed on the track."


def test_shot_outcome_by_simulation():
    outcomes = set()
    for s in samples(5):
        st = s["state"]
        angle = st["frog"]["angle"]
        expected = simulated_outcome(st, angle)
        assert gold(s) == expected
        assert {simulated_outcome(st, angle + da, k * 2 * R) for da, k in WOBBLES} == {expected}
        assert rewards.score_gameqa(f"So it goes.\nThe answer is {expected}", s)["accuracy"] == 1
        balls = [(b["x"], b["y"], b["colour"]) for b in st["balls"]]  # and the move: the chain after the shot
        after = zuma.Zuma(st["hole"], st["turns"], st["frog"], balls, st["requested_balls"]).move(angle)
        removed = int(expected.split()[0]) if expected[0].isdigit() else 0
        hit = "left" not in expected
        assert len(after.balls) == len(balls) + hit - (removed + 1 if removed else 0)
        outcomes.add(expected.split()[0] if expected[0].isdigit() else expected)
    assert {"The marble left the field.", "The marble stayed on the track."} <= outcomes and len(outcomes) >= 4


def test_best_shot_by_aiming_at_every_marble():
    kinds = set()
    for s in samples(6):
        st = s["state"]
        frog, centres, colours = board(st)
        colour = st["frog"]["colour"]
        removable = []
        for a, b, c in groups(colours):
            if c != colour:
                continue
            for k in range(a, b + 1):
                hit, _ = march(frog, centres, (centres[k] - frog) / np.hypot(*(centres[k] - frog)))
                if a <= hit <= b:
                    removable.append(b - a + 1)
                    break
        best = max(removable, default=0)
        expected = f"Yes, {best}, {removable.count(best)}" if removable else "No, 0, 0"
        assert gold(s) == expected
        assert rewards.score_gameqa(f"The answer is {expected}", s)["accuracy"] == 1
        kinds.add(expected.split(",")[0])
    assert kinds == {"Yes", "No"}
