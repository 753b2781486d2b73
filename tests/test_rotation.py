"""Rotation (rotation.py) and its reward (rewards.score_rotation): exact turns, symmetry rejection, the
renderer's framing and lighting, byte-identical CLI output, and the scorer on a table of answers + fuzz."""
import filecmp
import json
import math
import os
import random
import subprocess
import sys

import numpy as np
import pytest

import records
import rewards
import rotation
from rotation import RotationConfig

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SMALL = RotationConfig(image_size=64)
HARD = RotationConfig(image_size=64, level="hard")


def rgb(image):
    """(H, W, 3) uint8 pixels of a PIL image (the renderer makes palette images)."""
    return np.asarray(image.convert("RGB"))


def turned_by_index(a, answer):
    """The turn written out as index arithmetic (independent of PIL and np.rot90): out[r, c] = a[...]."""
    n = a.shape[0]
    r, c = np.indices((n, n))
    if answer == "90":                   # clockwise: the top-left corner goes to the top-right
        return a[n - 1 - c, r]
    if answer == "180":
        return a[n - 1 - r, n - 1 - c]
    if answer == "counter clockwise 90":  # the top-left corner goes to the bottom-left
        return a[c, n - 1 - r]
    raise AssertionError(answer)


def object_diff(a, b):
    """Mean |Δ| over pixels where either picture shows the object."""
    a, b = a.astype(int), b.astype(int)
    mask = np.any(a != rotation.BACKGROUND, axis=2) | np.any(b != rotation.BACKGROUND, axis=2)
    return np.abs(a - b)[mask].mean()


# ---------------------------------------------------------------------------------------------------------
# Pairs

def test_image4_is_image3_turned_by_the_gold_angle_and_not_by_the_others():
    seen = set()
    for cfg in (SMALL, HARD):
        for index in range(8):
            s = rotation.sample_at(index, seed=3, cfg=cfg)
            a3, a4 = (rgb(im) for im in s["images"][2:])
            assert np.array_equal(a4, turned_by_index(a3, s["answer"]))
            for other in rotation.TURNS:
                if other != s["answer"]:
                    assert object_diff(a4, turned_by_index(a3, other)) > 10
            seen.add(s["answer"])
    assert seen == {"90", "180", "counter clockwise 90"}


def test_example_pair_is_a_180_turn_of_a_different_object():
    for index in range(4):
        s = rotation.sample_at(index, seed=0, cfg=SMALL)
        a1, a2 = (rgb(im) for im in s["images"][:2])
        assert np.array_equal(a2, turned_by_index(a1, "180"))
        assert object_diff(a1, a2) > 10
        assert s["state"]["example"]["object"] != s["state"]["object"]
        assert "180" in s["prompt"] and "Images 1 and 2" in s["prompt"]


def test_state_re_renders_image3_and_a_re_render_of_the_turned_object_matches_image4():
    """The claim behind deviation 3: turning the object about the viewing axis = turning the picture."""
    for index in range(6):
        s = rotation.sample_at(index, seed=1, cfg=RotationConfig(image_size=96, level="hard"))
        state = json.loads(json.dumps(s["state"]))  # as read back from disk
        assert np.array_equal(rgb(rotation.render_view(state, 96)), rgb(s["images"][2]))
        ccw_degrees = {"90": -90, "180": 180, "counter clockwise 90": 90}[s["answer"]]
        rerendered = rgb(rotation.render_view({**state, "z_rotation": state["z_rotation"] + ccw_degrees}, 96))
        differ = np.any(rerendered != rgb(s["images"][3]), axis=2).mean()
        assert differ < 0.01  # only pixel centres lying exactly on an edge may fall either way


def test_symmetric_views_are_rejected_and_coloured_ones_kept():
    cube = [{"min": [0, 0, 0], "size": [1, 1, 1], "color": [200, 40, 40]}]
    cells = [(0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)]
    plus = [{"min": [x, y, 0], "size": [1, 1, 1], "color": [40, 90, 200]} for x, y in cells]
    bar = [{"min": [0, 0, 0], "size": [3, 1, 1], "color": [40, 160, 60]}]          # symmetric under 180° only
    plus_coloured = [{"min": [x, y, 0], "size": [1, 1, 1], "color": list(c)} for (x, y), c in zip(cells, rotation.PALETTE)]
    tilt = math.radians(2)                                                   # near-symmetric counts too
    slightly_tilted = [[1, 0, 0], [0, math.cos(tilt), -math.sin(tilt)], [0, math.sin(tilt), math.cos(tilt)]]
    for parts, matrix in ((cube, np.eye(3)), (plus, np.eye(3)), (bar, np.eye(3)), (cube, slightly_tilted)):
        image, _ = rotation.render(parts, matrix, 64)
        assert rotation.is_ambiguous(rgb(image), SMALL)
    image, _ = rotation.render(plus_coloured, np.eye(3), 64)
    assert not rotation.is_ambiguous(rgb(image), SMALL)
    for index in range(4):
        s = rotation.sample_at(index, seed=0, cfg=SMALL)
        assert not rotation.is_ambiguous(rgb(s["images"][0]), SMALL)
        assert not rotation.is_ambiguous(rgb(s["images"][2]), SMALL)


# ---------------------------------------------------------------------------------------------------------
# Renderer

def test_objects_are_connected_and_non_overlapping():
    rng = random.Random(0)
    for _ in range(30):
        parts = rotation.make_object(rng, rng.randint(2, 8))["parts"]
        boxes = [(p["min"], p["size"]) for p in parts]
        assert not any(rotation._overlap(*boxes[i], *boxes[j]) for i in range(len(boxes)) for j in range(i))
        cells = {(x, y, z) for (m, s) in boxes for x in range(m[0], m[0] + s[0])
                 for y in range(m[1], m[1] + s[1]) for z in range(m[2], m[2] + s[2])}
        start = next(iter(cells))
        reached, frontier = {start}, [start]
        while frontier:  # flood fill over face neighbours
            x, y, z = frontier.pop()
            for d in ((1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)):
                nxt = (x + d[0], y + d[1], z + d[2])
                if nxt in cells and nxt not in reached:
                    reached.add(nxt)
                    frontier.append(nxt)
        assert reached == cells
        assert len({tuple(p["color"]) for p in parts}) == len(parts)


def test_renderer_puts_a_non_empty_object_inside_the_frame():
    rng = random.Random(1)
    for _ in range(12):
        parts = rotation.make_object(rng, rng.randint(2, 8))["parts"]
        image, face_id = rotation.render(parts, rotation.random_rotation(rng), 64)
        pixels = rgb(image)
        assert pixels.shape == (64, 64, 3) and pixels.dtype == np.uint8
        border = np.concatenate([face_id[0], face_id[-1], face_id[:, 0], face_id[:, -1]])
        assert (border == 0).all()
        assert np.all(pixels[face_id == 0] == rotation.BACKGROUND)
        assert (face_id > 0).mean() > 0.05
        ys, xs = np.nonzero(face_id)
        assert abs((xs.min() + xs.max()) / 2 - 31.5) <= 2 and abs((ys.min() + ys.max()) / 2 - 31.5) <= 2


def ray_cast_face_ids(parts, rotation_matrix, size):
    """Independent reference for the rasteriser: shoot one ray per pixel centre from the camera, intersect
    it with every face rectangle in 3D, keep the nearest hit. Same camera (`place`), no edge functions,
    no z-buffer, no back-face culling."""
    corners, normals, _, distance, focal = rotation.place(parts, rotation_matrix, size)
    rows, cols = np.indices((size, size))
    u = (cols.ravel() + 0.5 - size / 2) / focal
    v = (size / 2 - (rows.ravel() + 0.5)) / focal
    direction = np.stack([u, v, -np.ones_like(u)], axis=1)                   # (P, 3): depth t at point C + t·d
    camera = np.array([0.0, 0.0, distance])
    p0, e1, e2 = corners[:, 0], corners[:, 1] - corners[:, 0], corners[:, 3] - corners[:, 0]  # (F, 3) each
    denom = direction @ normals.T                                            # (P, F)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.einsum("fk,fk->f", normals, p0 - camera)[None, :] / denom
    hit = camera[None, None, :] + t[:, :, None] * direction[:, None, :]     # (P, F, 3)
    rel = hit - p0[None]
    s = np.einsum("pfk,fk->pf", rel, e1) / np.einsum("fk,fk->f", e1, e1)
    r = np.einsum("pfk,fk->pf", rel, e2) / np.einsum("fk,fk->f", e2, e2)
    inside = (t > 0) & (s >= 0) & (s <= 1) & (r >= 0) & (r <= 1)
    t = np.where(inside, t, np.inf)
    ids = np.where(np.isfinite(t).any(axis=1), t.argmin(axis=1) + 1, 0)
    return ids.reshape(size, size)


def test_rasteriser_agrees_with_a_ray_caster():
    rng = random.Random(4)
    for _ in range(4):
        parts = rotation.make_object(rng, rng.randint(3, 8))["parts"]
        matrix = rotation.random_rotation(rng)
        _, face_id = rotation.render(parts, matrix, 48)
        reference = ray_cast_face_ids(parts, matrix, 48)
        assert (face_id > 0).sum() > 100
        disagree = face_id != reference
        # only pixel centres within a hair of an edge may differ (ties between touching faces)
        padded = np.pad(reference, 1, mode="edge")
        near_edge = ((padded[:-2, 1:-1] != reference) | (padded[2:, 1:-1] != reference)
                     | (padded[1:-1, :-2] != reference) | (padded[1:-1, 2:] != reference))
        assert disagree.mean() < 0.01 and not (disagree & ~near_edge).any()


def test_views_show_at_least_three_parts_clearly():
    face_id = np.zeros((10, 12), dtype=np.int32)
    face_id[:, :9] = 1       # part 0 (faces 1-6): 90 pixels
    face_id[:6, 9] = 8       # part 1 (faces 7-12): 6 pixels, 6% of the object
    face_id[:4, 10] = 18     # part 2 (faces 13-18): 4 pixels, 4%
    assert rotation.parts_in_view(face_id, 3, 0.05) == 2
    assert rotation.parts_in_view(face_id, 3, 0.04) == 3
    easy = RotationConfig(image_size=64, level="easy")
    for index in range(10):
        state = rotation.sample_at(index, seed=6, cfg=easy)["state"]
        for view in (state, state["example"]):
            matrix = rotation.z_rotation(view["z_rotation"]) @ np.array(view["base_rotation"])
            n = len(view["object"]["parts"])
            _, face_id = rotation.render(view["object"]["parts"], matrix, 64)
            assert rotation.parts_in_view(face_id, n, easy.min_part_share) >= min(3, n)


def test_make_view_resamples_a_symmetric_view(monkeypatch):
    cube = {"parts": [{"min": [0, 0, 0], "size": [1, 1, 1], "color": [200, 40, 40]}]}
    objects = iter([cube, {"parts": [dict(p, color=list(rotation.PALETTE[i])) for i, p in enumerate(
        [{"min": [0, 0, 0], "size": [3, 1, 1]}, {"min": [0, 1, 0], "size": [1, 2, 1]}, {"min": [0, 0, 1], "size": [1, 1, 2]}])]}])
    rotations = iter([np.eye(3).tolist(), rotation.random_rotation(random.Random(0))])
    monkeypatch.setattr(rotation, "make_object", lambda rng, n: next(objects))
    monkeypatch.setattr(rotation, "random_rotation", lambda rng: next(rotations))
    view, image = rotation.make_view(random.Random(0), 1, SMALL)
    assert view["object"] is not cube and len(view["object"]["parts"]) == 3
    assert not rotation.is_ambiguous(rgb(image), SMALL)


def test_faces_turned_to_the_light_are_brighter_by_lambert():
    color = [200, 120, 40]
    cube = [{"min": [0, 0, 0], "size": [1, 1, 1], "color": color}]
    front = 6  # face id of the +z face (part 0, axis z, far side): 2 * 2 + 1, plus 1 for the background
    brightness = {}
    for tilt in (0, 50):
        t = math.radians(tilt)
        about_x = np.array([[1, 0, 0], [0, math.cos(t), -math.sin(t)], [0, math.sin(t), math.cos(t)]])
        image, face_id = rotation.render(cube, about_x, 128)
        pixels = rgb(image)
        face = face_id == front
        assert face.sum() > 200
        brightness[tilt] = np.median(pixels[face], axis=0)  # median: ignores the darkened outline
        expected = np.array(color) * (rotation.AMBIENT + rotation.DIFFUSE * math.cos(t))
        assert np.allclose(brightness[tilt], expected, atol=1)
    assert brightness[0].sum() > brightness[50].sum() + 30


# ---------------------------------------------------------------------------------------------------------
# Records, determinism, CLI

def test_record_shape_and_state():
    for cfg in (SMALL, HARD):
        s = rotation.sample_at(7, seed=2, split="test", cfg=cfg)
        assert s["id"] == "rotation-test-000007" and s["game"] == "rotation" and s["reward"] == "rotation"
        assert len(s["images"]) == 4 and all(im.size == (64, 64) for im in s["images"])
        allowed = s["level"]["answers"]
        assert s["answer"] in allowed and all(a in s["prompt"] for a in allowed)
        assert "<think>" in s["prompt"] and "<answer>" in s["prompt"]
        state = s["state"]
        assert state["angle"] == rotation.TURNS[s["answer"]][0]
        assert state["z_rotation"] in range(0, 360, 30) and len(state["base_rotation"]) == 3
        assert len(state["object"]["parts"]) == s["level"]["parts"]
        assert ("direction" in state) == (cfg.level == "hard")
        json.dumps(s["state"]), json.dumps(s["level"])
    s = rotation.sample_at(0, seed=2, cfg=HARD)
    assert s["level"]["difficulty"] == "hard" and "counter clockwise 90" in s["prompt"]


def test_samples_are_deterministic_and_independent_of_other_indices():
    def key(s):
        return [rgb(im).tobytes() for im in s["images"]], json.dumps(s["state"]), s["answer"]
    batch = rotation.generate(3, seed=5, cfg=SMALL)
    assert key(rotation.sample_at(2, seed=5, cfg=SMALL)) == key(batch[2])
    assert key(batch[1]) != key(batch[2])
    assert key(rotation.sample_at(2, seed=5, split="test", cfg=SMALL)) != key(batch[2])


def run_cli(out, *extra):
    return subprocess.run([sys.executable, os.path.join(ROOT, "rotation.py"), "--out", str(out), "--n", "5",
                           "--seed", "4", "--image-size", "48", *extra],
                          capture_output=True, text=True, check=True, cwd=ROOT)


def test_cli_same_seed_gives_identical_files_serial_or_parallel(tmp_path):
    first = run_cli(tmp_path / "a", "--workers", "1")
    run_cli(tmp_path / "b", "--workers", "1")
    run_cli(tmp_path / "c", "--workers", "2")
    assert "wrote 5 rotation samples" in first.stdout and "per angle:" in first.stdout
    names = sorted(os.listdir(tmp_path / "a" / "images")) + ["metadata.jsonl"]
    assert len(names) == 5 * 4 + 1
    for other in ("b", "c"):
        assert sorted(os.listdir(tmp_path / other / "images")) == names[:-1]
        match, mismatch, errors = filecmp.cmpfiles(tmp_path / "a", tmp_path / other,
                                                   ["metadata.jsonl"] + [f"images/{n}" for n in names[:-1]],
                                                   shallow=False)
        assert not mismatch and not errors
    rows = records.read_dataset(str(tmp_path / "a"))
    assert [r["id"] for r in rows] == [f"rotation-train-{i:06d}" for i in range(5)]
    back = records.load_images(rows[0])
    assert np.array_equal(rgb(back[3]), turned_by_index(rgb(back[2]), rows[0]["answer"]))


# ---------------------------------------------------------------------------------------------------------
# Reward

NINETY = {"answer": "90", "reward": "rotation", "id": "t-90"}
HALF = {"answer": "180", "reward": "rotation", "id": "t-180"}
COUNTER = {"answer": "counter clockwise 90", "reward": "rotation", "id": "t-ccw"}


@pytest.mark.parametrize("completion, sample, accuracy, fmt", [
    ("<think>the red arm moved from top to right</think><answer>90</answer>", NINETY, 1.0, 0.1),
    ("  <think> a </think>\n<answer> 180 </answer>\n", HALF, 1.0, 0.1),
    ("<think>a</think><answer>180</answer>", NINETY, 0.0, 0.1),           # wrong
    ("<think>a</think><answer>90</answer>", HALF, 0.0, 0.1),
    ("<think>a</think><answer>90 or 180</answer>", NINETY, 0.0, 0.1),    # both angles
    ("<think>a</think><answer>180, 90</answer>", HALF, 0.0, 0.1),
    ("<think>a</think><answer>90°</answer>", NINETY, 1.0, 0.1),           # degree variants
    ("<think>a</think><answer>90 degrees</answer>", NINETY, 1.0, 0.1),
    ("<think>a</think><answer>clockwise 90</answer>", NINETY, 1.0, 0.1),
    ("<think>a</think><answer>90 clockwise</answer>", NINETY, 1.0, 0.1),
    ("<think>a</think><answer>Rotated by 90 degrees clockwise.</answer>", NINETY, 1.0, 0.1),
    ("<think>a</think><answer>$180^\\circ$</answer>", HALF, 1.0, 0.1),
    ("<think>a</think><answer>\\boxed{90}</answer>", NINETY, 1.0, 0.1),
    ("<think>a</think><answer>180 degrees counter-clockwise</answer>", HALF, 1.0, 0.1),  # 180 has no direction
    ("<think>a</think><answer>counter clockwise 90</answer>", NINETY, 0.0, 0.1),      # a different turn
    ("<think>a</think><answer>anticlockwise 90</answer>", NINETY, 0.0, 0.1),
    ("<think>a</think><answer>-90</answer>", NINETY, 1.0, 0.1),            # the prompt's sign: t < 0 is clockwise
    ("<think>a</think><answer>counter clockwise 90</answer>", COUNTER, 1.0, 0.1),
    ("<think>a</think><answer>counterclockwise 90°</answer>", COUNTER, 1.0, 0.1),
    ("<think>a</think><answer>+90</answer>", COUNTER, 1.0, 0.1),           # t > 0 is counter-clockwise
    ("<think>a</think><answer>-90</answer>", COUNTER, 0.0, 0.1),
    ("<think>a</think><answer>90</answer>", COUNTER, 0.0, 0.1),
    ("<think>a</think><answer>clockwise counterclockwise 90</answer>", COUNTER, 0.0, 0.1),
    ("<think>a</think><answer>45</answer>", NINETY, 0.0, 0.1),
    ("<think>a</think><answer>90, I think</answer>", NINETY, 0.0, 0.1),   # unreadable commitment
    ("<answer>90</answer>", NINETY, 1.0, 0.0),                            # missing think
    ("<think>  </think><answer>90</answer>", NINETY, 1.0, 0.0),           # empty think
    ("<think>a</think>", NINETY, 0.0, 0.0),                               # no answer block
    ("<think>a</think><answer>90</answer><answer>90</answer>", NINETY, 0.0, 0.0),  # repeated answer blocks
    ("<think>a</think><answer>90</answer><answer>180</answer>", HALF, 0.0, 0.0),
    ("<think>a</think><answer>90</answer><answer>", NINETY, 0.0, 0.0),            # dangling second block
    ("<think>a</think><think>b</think><answer>90</answer>", NINETY, 1.0, 0.0),
    ("I think 90 <answer>90</answer>", NINETY, 1.0, 0.0),
    ("<answer>90", NINETY, 0.0, 0.0),                                     # garbage
    ("\x00<<answer>>§¶ 90 </answer", NINETY, 0.0, 0.0),
    ("", NINETY, 0.0, 0.0),                                               # empty string
])
def test_score_rotation_table(completion, sample, accuracy, fmt):
    result = rewards.score(completion, sample)
    assert result == {"reward": pytest.approx(accuracy + fmt), "accuracy": accuracy, "format": fmt}


def test_score_rotation_never_raises_on_random_strings():
    rng = random.Random(0)
    pieces = ["<think>", "</think>", "<answer>", "</answer>", "90", "180", "-", "°", "²", "٩٠", "1" * 400,
              "counter", "clockwise", "anti", " ", "\n", "{", "}", "\\boxed", "$", "^\\circ", ".", "e", "inf", "nan"]
    for _ in range(1500):
        if rng.random() < 0.5:
            text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        else:
            text = "".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(0, 40)))
        for sample in (NINETY, HALF, COUNTER):
            result = rewards.score(text, sample)
            assert result["accuracy"] in (0.0, 1.0) and result["format"] in (0.0, 0.1)


def test_score_rotation_is_fast_on_adversarial_tag_runs():
    """Lazy tag patterns go quadratic on runs of unclosed tags (19 s for this input before the count guard)."""
    import time
    start = time.perf_counter()
    for text in ("<answer>" * 20000, "<think>a" + "</think><answer>x" * 5000 + "</answer>" * 5000):
        assert rewards.score(text, NINETY)["reward"] == 0.0
    assert time.perf_counter() - start < 2.0
