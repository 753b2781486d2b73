"""The sample record on disk: the one contract between the games, rewards, training and evaluation.

Every game (snake.py, rotation.py, the GameQA games) produces, and every loader returns, plain dicts with the
fields `id`, `game`, `images`, `prompt`, `answer`, `reward` (the scorer in rewards.py that grades it) and, where
they apply, `options`, `level`, `state` and `analysis`. A dataset on disk is a folder DIR with DIR/metadata.jsonl
(one record a line) and DIR/images/..., the paths in the records relative to DIR, so a dataset can be moved
without rewriting anything (ViGaL's released data needs a path-rewriting script first; ours does not).

This file has no game in it, so that no game has to import another to write its data: snake.py, rotation.py and
gameqa.py write through `write_dataset`; train.py and evaluate.py read through `read_dataset`.
"""
import json
import os

from PIL import Image

REQUIRED_FIELDS = ("id", "game", "images", "prompt", "answer", "reward")


class DatasetError(ValueError):
    """A dataset folder or record that cannot be used; the message names the file, line and value."""


def write_dataset(samples, out_dir, progress=None):
    """Write sample records (PIL images in memory) to `out_dir`/metadata.jsonl + `out_dir`/images/.

    Image k of sample `id` is saved as images/{id}-{k}.png. Output is byte-identical for identical samples
    (PNG written by Pillow carries no timestamp; JSON keys keep the record's order). `progress` is an
    optional callable wrapping the iterable (e.g. tqdm). Returns the number of records written.
    """
    os.makedirs(os.path.join(out_dir, "images"), exist_ok=True)
    tmp_path = os.path.join(out_dir, "metadata.jsonl.tmp")
    n = 0
    with open(tmp_path, "w", encoding="utf-8") as f:
        for sample in (progress(samples) if progress else samples):
            paths = []
            for k, image in enumerate(sample["images"]):
                rel = f"images/{sample['id']}-{k}.png"
                image.save(os.path.join(out_dir, rel))
                paths.append(rel)
            f.write(json.dumps({**sample, "images": paths}, ensure_ascii=False) + "\n")
            n += 1
    os.replace(tmp_path, os.path.join(out_dir, "metadata.jsonl"))  # a crash never leaves a half-written jsonl
    return n


def read_dataset(folder):
    """Read DIR/metadata.jsonl into sample records whose `images` are absolute paths (opened lazily by
    `load_images`, so a 36K-sample set does not sit in memory as pixels).

    Raises DatasetError naming the folder, or the file and line, of anything malformed.
    """
    path = os.path.join(folder, "metadata.jsonl")
    if not os.path.isdir(folder):
        raise DatasetError(f"dataset folder not found: {folder!r} (expected a folder holding metadata.jsonl and images/)")
    if not os.path.isfile(path):
        raise DatasetError(f"no metadata.jsonl in dataset folder {folder!r}")
    samples = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, start=1):
            if not line.strip():
                continue
            where = f"{path}, line {line_no}"
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise DatasetError(f"{where}: not valid JSON ({e.msg} at column {e.colno})") from None
            if not isinstance(record, dict):
                raise DatasetError(f"{where}: expected a JSON object, got {type(record).__name__}")
            missing = [k for k in REQUIRED_FIELDS if k not in record]
            if missing:
                raise DatasetError(f"{where}: missing field(s) {', '.join(missing)}")
            if not isinstance(record["images"], list):
                raise DatasetError(f"{where}: 'images' must be a list of paths, got {record['images']!r}")
            images = []
            for rel in record["images"]:
                full = os.path.join(folder, rel)
                if not os.path.isfile(full):
                    raise DatasetError(f"{where}: image {rel!r} not found in {folder!r}")
                images.append(os.path.abspath(full))
            samples.append({**record, "images": images})
    if not samples:
        raise DatasetError(f"{path} holds no records")
    return samples


def load_images(sample):
    """The sample's images as RGB PIL images, whether the record holds PIL images or paths."""
    return [im.convert("RGB") if isinstance(im, Image.Image) else Image.open(im).convert("RGB")
            for im in sample["images"]]


def with_images(sample):
    """The record with its images opened (what grpo.rollout takes); the stored record keeps its paths."""
    return {**sample, "images": load_images(sample)}
