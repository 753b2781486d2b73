"""Rotation (ViGaL, arXiv 2506.08011 §3.2): which in-plane rotation turns image 3 into image 4, 90° or 180°?

ViGaL ("Play to Generalize: Learning to Reason Through Game Play", Xie et al., 2025, arXiv 2506.08011) trains
Qwen2.5-VL with RL on two games; this is the second one. A sample shows four images in one user turn:
images 1-2 are a worked example (a 3D object and the same picture turned 180°), images 3-4 the test pair
(another object, and its picture turned by the angle to find). The gold is checked by rule (rewards.score_rotation).

This file makes those samples from nothing but numpy and Pillow, in the order the data flows:
objects (random unions of boxes) → a small z-buffer renderer → views and pairs → the prompt → sample
records → the CLI that writes them with records.write_dataset.

Where it deviates from the paper, and why:
1. Objects are procedural: connected unions of axis-aligned boxes ("parts", 1-4 units a side), each part in its
   own colour, instead of ViGaL's 540 Hunyuan3D meshes (not released). The colours make every part, and so the
   orientation, visible; an object whose view is (near-)unchanged by a 90° or 180° turn is rejected and
   resampled, because such a sample has no unique answer (`is_ambiguous`).
2. "90" means 90° clockwise as seen in the image. The paper's prompt lists "counter clockwise 90" while its
   appendix says clockwise; we chose clockwise (the README's "Where the sources disagree"). The "hard" level adds counter-clockwise 90 as a third
   class (the paper found three classes made training fail, so the default levels use two).
3. Image 4 is image 3 turned with PIL's lossless `transpose`, not rendered a second time. This is exact: the
   camera looks down the z-axis, the light shines along that axis, and the object is placed so that turning
   it about the z-axis by k·90° turns its projection about the image centre; a re-render of the turned object
   equals the turned picture except where a pixel centre falls exactly on an edge (tests check both).
4. Difficulty is object complexity (number of parts), which ViGaL did not vary; `--level mixed` (the default)
   draws easy and medium objects half and half and keeps the paper's two classes.

Images are Pillow palette ("P") images: flat shading leaves under 100 colours a picture, so the palette holds
them exactly and PNGs are written 5x faster than RGB. records.load_images hands them to a model as RGB.

Commands (512 px, 2 busy CPU cores: about 30 samples/s, so the 36K set takes about 20 minutes):
    python rotation.py --out data/rotation_train --n 36000 --seed 0                # the paper-sized train set
    python rotation.py --out data/rotation_test --n 1000 --seed 0 --split test
    python rotation.py --out /tmp/rot --n 8 --seed 0 --image-size 256 --level hard --workers 1
"""
import argparse
import collections
import math
import os
import random
import sys
from dataclasses import dataclass, replace

import numpy as np
from PIL import Image
from tqdm import tqdm

import records


@dataclass(frozen=True)
class RotationConfig:
    image_size: int = 512
    """side of every (square) image in pixels; the paper rendered 512×512"""
    level: str = "mixed"
    """"easy" (2-3 parts), "medium" (4-6 parts), "hard" (6-8 parts and a third class, counter-clockwise 90),
    or "mixed" (easy or medium, drawn per sample)"""
    symmetry_threshold: float = 20.0
    """a view whose object pixels change by less than this (mean |Δ| on 0-255, see `symmetry_score`) under a
    90° or 180° turn is too symmetric to have a unique answer, and is resampled"""
    min_part_share: float = 0.05
    """at least min(3, parts) parts must each cover this share of the object's pixels, so the colours that
    fix the orientation are in view, not hidden behind other parts as slivers"""
    max_tries: int = 200
    """give up (error) after this many rejected objects for one sample; real objects are rejected rarely"""


LEVELS = {  # difficulty -> (fewest parts, most parts, allowed answers)
    "easy": (2, 3, ("90", "180")),
    "medium": (4, 6, ("90", "180")),
    "hard": (6, 8, ("90", "180", "counter clockwise 90")),
}
MIXED = ("easy", "medium")  # what --level mixed draws from: the paper's two-class task

# Gold answer -> (angle in degrees, direction as seen in the image, PIL transpose that turns image 3 into 4).
# PIL names its transposes by the counter-clockwise angle: ROTATE_270 is a quarter turn clockwise.
TURNS = {
    "90": (90, "clockwise", Image.Transpose.ROTATE_270),
    "180": (180, "either", Image.Transpose.ROTATE_180),
    "counter clockwise 90": (90, "counter clockwise", Image.Transpose.ROTATE_90),
}

# Distinct, saturated part colours, all far from the light-grey background.
PALETTE = [
    (215, 48, 39), (38, 110, 210), (46, 160, 67), (245, 190, 30), (150, 60, 190),
    (240, 120, 20), (30, 175, 175), (225, 80, 160), (120, 75, 40),
]
BACKGROUND = (225, 225, 225)
AMBIENT, DIFFUSE = 0.35, 0.65   # shade = AMBIENT + DIFFUSE * max(0, n·l), light from the camera (+z)
OUTLINE = 0.55                  # edge pixels between faces are darkened by this factor, so edges read as edges
CAMERA_DISTANCE = 3.5           # camera at z = CAMERA_DISTANCE × object radius: mild perspective
FILL = 0.8                      # the object's projection spans at most this fraction of the image side


# ---------------------------------------------------------------------------------------------------------
# Objects: connected unions of boxes, one colour per part

def make_object(rng, n_parts):
    """A connected object of `n_parts` non-overlapping boxes, each glued face to face onto an earlier one.

    Returns {"parts": [{"min": [x, y, z], "size": [sx, sy, sz], "color": [r, g, b]}, ...]} in integer units:
    everything the renderer needs, so `state` can re-render the sample.
    """
    colors = rng.sample(PALETTE, n_parts)
    boxes = [([0, 0, 0], _box_size(rng))]
    while len(boxes) < n_parts:
        base_min, base_size = rng.choice(boxes)
        size = _box_size(rng)
        axis, side = rng.randrange(3), rng.choice((-1, 1))
        lo = [0, 0, 0]
        for a in range(3):
            if a == axis:  # flush against the chosen face of the base box
                lo[a] = base_min[a] + base_size[a] if side > 0 else base_min[a] - size[a]
            else:          # any offset that keeps a shared area on that face
                lo[a] = rng.randint(base_min[a] - size[a] + 1, base_min[a] + base_size[a] - 1)
        if not any(_overlap(lo, size, m, s) for m, s in boxes):
            boxes.append((lo, size))
    return {"parts": [{"min": m, "size": s, "color": list(c)} for (m, s), c in zip(boxes, colors)]}


def _box_size(rng):
    """A bar (one long side) most of the time, else a block: bars give objects clear arms and axes."""
    if rng.random() < 0.7:
        size = [1, 1, 1]
        size[rng.randrange(3)] = rng.randint(2, 4)
        return size
    return [rng.randint(1, 2) for _ in range(3)]


def _overlap(min_a, size_a, min_b, size_b):
    """True when two boxes share interior volume (touching faces do not count)."""
    return all(min_a[k] < min_b[k] + size_b[k] and min_b[k] < min_a[k] + size_a[k] for k in range(3))


def random_rotation(rng):
    """A uniformly random 3D rotation matrix (from a normalised Gaussian quaternion), as nested lists."""
    w, x, y, z = (rng.gauss(0.0, 1.0) for _ in range(4))
    n = math.sqrt(w * w + x * x + y * y + z * z)
    w, x, y, z = w / n, x / n, y / n, z / n
    return [[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
            [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
            [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]]


def z_rotation(degrees):
    """Rotation about the viewing axis (+z points at the viewer): counter-clockwise as seen in the image."""
    c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


# ---------------------------------------------------------------------------------------------------------
# Renderer: perspective camera on the z-axis, z-buffer, ambient + Lambert light from the camera

def _faces(parts):
    """Every box face as a quad: corners (F, 4, 3), outward normals (F, 3), base colours (F, 3)."""
    corners, normals, colors = [], [], []
    square = np.array([[0, 0], [1, 0], [1, 1], [0, 1]], dtype=float)
    for part in parts:
        lo, size = np.array(part["min"], float), np.array(part["size"], float)
        for axis in range(3):
            b, c = (axis + 1) % 3, (axis + 2) % 3
            for side in (0.0, 1.0):
                quad = np.zeros((4, 3))
                quad[:, axis] = lo[axis] + side * size[axis]
                quad[:, b] = lo[b] + square[:, 0] * size[b]
                quad[:, c] = lo[c] + square[:, 1] * size[c]
                normal = np.zeros(3)
                normal[axis] = 1.0 if side else -1.0
                corners.append(quad)
                normals.append(normal)
                colors.append(part["color"])
    return np.array(corners), np.array(normals), np.array(colors, dtype=float)


def place(parts, rotation, image_size):
    """Turn the object and put it in front of the camera: (corners (F, 4, 3), normals (F, 3), colours (F, 3),
    camera distance, focal length in pixels). The camera sits at (0, 0, distance) looking down -z; a point
    (x, y, z) lands at column half + focal·x/(distance - z), row half - focal·y/(distance - z).
    """
    corners, normals, colors = _faces(parts)
    rotation = np.asarray(rotation, dtype=float)
    points = corners.reshape(-1, 3)
    centre = (points.min(0) + points.max(0)) / 2
    points = (points - centre) @ rotation.T                        # (4F, 3), object turned about its centre
    normals = normals @ rotation.T                                 # (F, 3)
    distance = CAMERA_DISTANCE * np.linalg.norm(points, axis=1).max()

    # Shift the object across the view (x, y only) until its projection's bounding box is centred: a shift
    # that turns with the object, so turning the scene about the z-axis turns the picture about its centre.
    for _ in range(3):
        depth = distance - points[:, 2]
        u, v = points[:, 0] / depth, points[:, 1] / depth
        mid_u, mid_v = (u.min() + u.max()) / 2, (v.min() + v.max()) / 2
        points[:, 0] -= mid_u * depth.mean()
        points[:, 1] -= mid_v * depth.mean()
    depth = distance - points[:, 2]                                # (4F,) > 0: the object is in front
    u, v = points[:, 0] / depth, points[:, 1] / depth
    focal = FILL * (image_size / 2) / max(np.abs(u).max(), np.abs(v).max())
    return points.reshape(-1, 4, 3), normals, colors, distance, focal


def render(parts, rotation, image_size):
    """Render `parts` turned by the 3×3 `rotation`; returns (PIL palette image, face id map (H, W) int32).

    The object is centred (`place`), so its projection fills FILL of the frame around the image centre.
    Faces are convex quads rasterised one at a time over their bounding boxes: a pixel centre is inside
    when it is on the inner side of all four edges, and its depth is exact because 1/depth is an affine
    function of screen position on a plane. Face id f + 1 is face f of `_faces`; 0 is background.
    """
    corners, normals, colors, distance, focal = place(parts, rotation, image_size)
    points = corners.reshape(-1, 3)
    depth = distance - points[:, 2]
    u, v = points[:, 0] / depth, points[:, 1] / depth
    half = image_size / 2
    px = (half + focal * u).reshape(-1, 4)                         # (F, 4) column, pixel centres at i + 0.5
    py = (half - focal * v).reshape(-1, 4)                         # (F, 4) row: image y grows downwards
    inv_depth = (1.0 / depth).reshape(-1, 4)

    # Back faces (turned away from the camera) are skipped; light and camera share the +z axis.
    to_camera = np.array([0.0, 0.0, distance]) - corners[:, 0]
    front = np.einsum("fk,fk->f", normals, to_camera) > 1e-9
    shade = AMBIENT + DIFFUSE * np.clip(normals[:, 2], 0.0, 1.0)   # Lambert with l = (0, 0, 1)

    zbuffer = np.zeros((image_size, image_size))                   # holds 1/depth; 0 = infinitely far
    face_id = np.zeros((image_size, image_size), dtype=np.int32)
    centres = np.arange(image_size) + 0.5
    for f in np.flatnonzero(front):
        x, y, w = px[f], py[f], inv_depth[f]
        x0, x1 = max(int(x.min()), 0), min(int(math.ceil(x.max())), image_size)
        y0, y1 = max(int(y.min()), 0), min(int(math.ceil(y.max())), image_size)
        area = (x[1] - x[0]) * (y[2] - y[0]) - (x[2] - x[0]) * (y[1] - y[0])
        if x1 <= x0 or y1 <= y0 or abs(area) < 1e-9:
            continue
        cx, cy = centres[x0:x1][None, :], centres[y0:y1][:, None]  # (1, w), (h, 1)
        inside = np.ones((y1 - y0, x1 - x0), dtype=bool)
        for k in range(4):                                         # edge functions, signed by the winding
            a, b = k, (k + 1) % 4
            edge = (x[b] - x[a]) * (cy - y[a]) - (y[b] - y[a]) * (cx - x[a])
            inside &= edge * np.sign(area) >= 0
        # 1/depth = p·x + q·y + r through three corners (exact for a planar face under perspective)
        p, q, r = np.linalg.solve(np.array([[x[0], y[0], 1], [x[1], y[1], 1], [x[2], y[2], 1]]), w[:3])
        plane = p * cx + q * cy + r
        zb, ids = zbuffer[y0:y1, x0:x1], face_id[y0:y1, x0:x1]    # views: writes land in the buffers
        closer = inside & (plane > zb)
        zb[closer] = plane[closer]
        ids[closer] = f + 1

    # Darken object pixels whose 4-neighbourhood crosses a face boundary; the test is the same in all four
    # directions, so it commutes with quarter turns of the image.
    padded = np.pad(face_id, 1, mode="edge")
    boundary = ((padded[:-2, 1:-1] != face_id) | (padded[2:, 1:-1] != face_id)
                | (padded[1:-1, :-2] != face_id) | (padded[1:-1, 2:] != face_id)) & (face_id > 0)
    # A palette image: one colour per face, plus its outline shade. Flat shading gives so few colours that
    # they fit a PNG palette exactly, which Pillow writes 5x faster than RGB (half the cost of a sample).
    colors = np.vstack([BACKGROUND, colors * shade[:, None]])      # (F + 1, 3), row 0 = background
    palette = np.rint(np.vstack([colors, colors * OUTLINE])).astype(np.uint8)
    assert len(palette) <= 256, "more faces than a PNG palette holds"
    image = Image.fromarray((face_id + boundary * len(colors)).astype(np.uint8))
    image.putpalette(palette.ravel().tolist())                     # mode "L" -> "P"
    return image, face_id


def render_view(view, image_size):
    """Render a view record {"object", "base_rotation", "z_rotation"} (as stored in `state`) to a PIL image."""
    rotation = z_rotation(view["z_rotation"]) @ np.array(view["base_rotation"])
    return render(view["object"]["parts"], rotation, image_size)[0]


# ---------------------------------------------------------------------------------------------------------
# Views and pairs: random object and orientation, symmetric views rejected, image 4 = image 3 turned

def symmetry_score(pixels):
    """How much a picture changes under a quarter or half turn: the smaller of the two mean |Δ| (0-255,
    over the pixels where either picture shows the object). 0 means the turn leaves it unchanged.
    (A three-quarter turn changes it exactly as much as a quarter turn, so two turns cover all three.)

    Measured on a copy averaged over f×f blocks (f divides the side, so the block grid is itself symmetric
    under quarter turns) about 128 px across: five times cheaper than the full picture, and enough to tell
    a symmetric object from an asymmetric one.
    """
    side = pixels.shape[0]
    f = max(d for d in range(1, max(side // 128, 1) + 1) if side % d == 0)
    m = side // f                                                  # block sums, one axis at a time (fast)
    small = pixels.reshape(m, f, m, f * 3).sum(axis=1, dtype=np.uint32).reshape(m, m, f, 3).sum(axis=2) / (f * f)
    is_object = np.any(small != np.array(BACKGROUND), axis=2)
    scores = []
    for k in (1, 2):
        mask = is_object | np.rot90(is_object, k)
        diff = np.abs(small - np.rot90(small, k)).mean(axis=2)
        scores.append(float(diff[mask].mean()) if mask.any() else 0.0)
    return min(scores)


def is_ambiguous(pixels, cfg):
    """True when a 90° or 180° turn leaves the picture (near-)unchanged: no unique answer, resample."""
    return symmetry_score(pixels) < cfg.symmetry_threshold


def parts_in_view(face_id, n_parts, min_share):
    """How many parts cover at least `min_share` of the object's pixels (6 faces a part, id 0 = background)."""
    pixels = np.bincount(face_id.ravel(), minlength=6 * n_parts + 1)[1:].reshape(n_parts, 6).sum(axis=1)
    return int((pixels >= min_share * max(pixels.sum(), 1)).sum())


def make_view(rng, n_parts, cfg):
    """A random object in a random orientation, seen well and not symmetric: (view record, PIL image)."""
    for _ in range(cfg.max_tries):
        view = {"object": make_object(rng, n_parts),
                "base_rotation": random_rotation(rng),
                "z_rotation": 30 * rng.randrange(12)}          # extra turn about the viewing axis: 0°, 30°, …, 330°
        rotation = z_rotation(view["z_rotation"]) @ np.array(view["base_rotation"])
        image, face_id = render(view["object"]["parts"], rotation, cfg.image_size)
        parts = len(view["object"]["parts"])
        if (parts_in_view(face_id, parts, cfg.min_part_share) >= min(3, parts)
                and not is_ambiguous(np.asarray(image.convert("RGB")), cfg)):
            return view, image
    raise RuntimeError(f"no well-seen asymmetric {n_parts}-part object in {cfg.max_tries} tries; "
                       f"lower symmetry_threshold ({cfg.symmetry_threshold}) or min_part_share ({cfg.min_part_share})")


def turn(image, answer):
    """Image 3 -> image 4: the exact in-plane turn named by the gold answer (lossless pixel permutation)."""
    return image.transpose(TURNS[answer][2])


# ---------------------------------------------------------------------------------------------------------
# Prompt (our wording of ViGaL's: the task, a 180° worked example, five reasoning aids, the output format)

def make_prompt(answers):
    choices = "\n".join(f"- {a}: {_MEANING[a]}" for a in answers)
    return f"""You are shown four images of 3D objects made of coloured blocks.
Images 1 and 2 are a worked example: image 2 is image 1 rotated by 180 degrees in the image plane (about the \
axis that points out of the picture toward you). Use them to see what such a turn does to an object's picture.
Images 3 and 4 show a different object: image 4 is image 3 rotated in the image plane about its centre. \
Determine the angle of the rotation that takes image 3 to image 4.

The allowed answers are:
{choices}

Ways to work it out (use the coordinates of the picture, origin at the image centre, x to the right, y up):
1. Rotation matrix: pick a few distinctive points in image 3 (a coloured block, the end of an arm), apply the \
rotation matrix [[cos t, -sin t], [sin t, cos t]] of each candidate angle to their coordinates (t > 0 turns \
counter-clockwise, so a clockwise quarter turn is t = -90 degrees), and check which candidate puts them where \
they appear in image 4.
2. Angular displacement: measure the direction from the centre to one feature in image 3 and in image 4; the \
change in that direction is the rotation.
3. Axis tracking: find a characteristic axis of the object (its longest arm, or the line through two coloured \
blocks) and follow where each end of that axis points in image 4.
4. Triangle orientation: take three features A, B, C and the cross product (B - A) x (C - A); an in-plane \
rotation keeps its sign, so match the triangle in both images, then compare the directions its sides point.
5. Polar coordinates: write features as (radius, angle) around the centre; a rotation keeps each radius and \
adds the same amount to every angle.

Think it through inside <think> </think>, then give exactly one allowed answer inside <answer> </answer>, in \
this form: <think> ... </think><answer> one allowed answer </answer>"""


_MEANING = {
    "90": "image 4 is image 3 turned a quarter turn (90 degrees) clockwise, as seen on the screen",
    "180": "image 4 is image 3 turned a half turn (180 degrees)",
    "counter clockwise 90": "image 4 is image 3 turned a quarter turn (90 degrees) counter-clockwise",
}


# ---------------------------------------------------------------------------------------------------------
# Samples

def sample_at(index, seed, split="train", cfg=RotationConfig()):
    """Sample `index` of the (seed, split) stream: deterministic and independent of every other index."""
    rng = random.Random(f"rotation:{split}:{seed}:{index}")
    difficulty = rng.choice(MIXED) if cfg.level == "mixed" else cfg.level
    if difficulty not in LEVELS:
        raise ValueError(f"unknown rotation level {cfg.level!r}; expected mixed, {', '.join(LEVELS)}")
    low, high, answers = LEVELS[difficulty]

    example, image1 = make_view(rng, rng.randint(low, high), cfg)
    test, image3 = make_view(rng, rng.randint(low, high), cfg)
    answer = rng.choice(answers)
    angle, direction, _ = TURNS[answer]
    state = {"image_size": cfg.image_size,
             "example": {**example, "angle": 180},
             **test,
             "angle": angle}
    if len(answers) > 2:
        state["direction"] = direction
    return {
        "id": f"rotation-{split}-{index:06d}",
        "game": "rotation",
        "images": [image1, turn(image1, "180"), image3, turn(image3, answer)],
        "prompt": make_prompt(answers),
        "answer": answer,
        "reward": "rotation",
        "level": {"difficulty": difficulty, "parts": len(test["object"]["parts"]), "answers": list(answers)},
        "state": state,
    }


def generate(n, seed, split="train", cfg=RotationConfig()):
    return [sample_at(i, seed, split, cfg) for i in range(n)]


# ---------------------------------------------------------------------------------------------------------
# CLI

def _sample_job(args):  # top level so worker processes can unpickle it
    return sample_at(*args)


def _in_parallel(jobs, workers):
    """Samples for `jobs` from a process pool, in job order (so the files equal the serial path's), with at
    most 8 per worker in flight: the pixels of a 36K-sample run never pile up in memory."""
    import multiprocessing
    with multiprocessing.Pool(workers) as pool:
        pending = collections.deque()
        for job in jobs:
            pending.append(pool.apply_async(_sample_job, (job,)))
            if len(pending) >= 8 * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def main(argv=None):
    parser = argparse.ArgumentParser(description="Write Rotation (ViGaL) samples to DIR/metadata.jsonl + DIR/images/.")
    parser.add_argument("--out", required=True, help="output dataset folder")
    parser.add_argument("--n", type=int, required=True, help="number of samples")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--split", choices=("train", "test"), default="train")
    parser.add_argument("--image-size", type=int, default=RotationConfig.image_size)
    parser.add_argument("--level", choices=("mixed", *LEVELS), default=RotationConfig.level)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes that render samples; the output is identical for any number")
    args = parser.parse_args(argv)
    for name, low in (("n", 1), ("workers", 1), ("image_size", 16)):
        if getattr(args, name) < low:
            parser.error(f"--{name.replace('_', '-')} must be at least {low}, got {getattr(args, name)}")
    if records.output_folder_problem(args.out):
        parser.error(f"--out: {records.output_folder_problem(args.out)}")
    cfg = replace(RotationConfig(), image_size=args.image_size, level=args.level)

    jobs = [(i, args.seed, args.split, cfg) for i in range(args.n)]
    levels, angles = collections.Counter(), collections.Counter()

    def counted(samples):
        for sample in samples:
            levels[sample["level"]["difficulty"]] += 1
            angles[sample["answer"]] += 1
            yield sample

    progress = lambda it: tqdm(it, total=args.n, desc="rotation", unit="sample")
    samples = map(_sample_job, jobs) if args.workers == 1 else _in_parallel(jobs, args.workers)
    records.write_dataset(counted(samples), args.out, progress=progress)  # PNGs are encoded here, in order
    print(f"wrote {args.n} rotation samples to {os.path.join(args.out, 'metadata.jsonl')}")
    print("per level: " + ", ".join(f"{k} {v}" for k, v in sorted(levels.items())))
    print("per angle: " + ", ".join(f"{k} {v}" for k, v in sorted(angles.items())))


if __name__ == "__main__":
    main(sys.argv[1:])
