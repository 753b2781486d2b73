"""The sample record on disk: the one contract between the games, rewards, training and evaluation.

Every game (snake.py, rotation.py, the GameQA games) produces, and every loader returns, plain dicts with the
fields `id`, `game`, `images`, `prompt`, `answer`, `reward` (the scorer in rewards.py that grades it) and, where
they apply, `options`, `level`, `state` and `analysis`. A dataset on disk is a folder DIR with DIR/metadata.jsonl
(one record a line) and DIR/images/..., the paths in the records relative to DIR, so a dataset can be moved
without rewriting anything (ViGaL's released data needs a path-rewriting script first; ours does not).

This file has no game in it, so that no game has to import another to write its data: snake.py, rotation.py and
gameqa.py write through `write_dataset`. It also reads and writes ViGaL's released form of the same records
(MM-EUREKA / OpenRLHF jsonl), and `load_data` reads whatever `--data` points at for train.py and evaluate.py:

    our dataset folder            DIR (DIR/metadata.jsonl + DIR/images/)
    ViGaL's released data         the unzipped folder, or one of its jsonl files     (read_mmeureka)
    GameQA-140K                   games_data.json / games_data_test.json            (gameqa.load_gameqa)
    GameQA-5K (ms-swift)          GameQA_RL_5k.json, or our .jsonl export           (gameqa.load_gameqa5k)

Commands:
    python records.py --mmeureka data/vigal.jsonl data/snake data/rotation   # ViGaL's training format, both games
"""
import glob
import json
import os
import re
import tempfile

from PIL import Image

import rewards

REQUIRED_FIELDS = ("id", "game", "images", "prompt", "answer", "reward")


class DatasetError(ValueError):
    """A dataset folder or record that cannot be used; the message names the file, line and value."""


class UndecodableImage(DatasetError):
    """An image that passed `check_image` but does not decode: found only when its sample is drawn."""


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

    Every record is checked here, before any model loads (`check_record`): its fields' types and shape for its
    scorer, and each image: inside DIR, present, and readable as an image. Raises DatasetError naming the folder,
    or the file and line, of anything malformed.
    """
    path = os.path.join(folder, "metadata.jsonl")
    if not os.path.isdir(folder):
        raise DatasetError(f"dataset folder not found: {folder!r} (expected a folder holding metadata.jsonl and images/)")
    if not os.path.isfile(path):
        raise DatasetError(f"no metadata.jsonl in dataset folder {folder!r}")
    samples = []
    for line_no, record in json_lines(path):
        where = f"{path}, line {line_no}"
        check_record(record, where)
        samples.append({**record, "images": [dataset_image(folder, rel, where) for rel in record["images"]]})
    if not samples:
        raise DatasetError(f"{path} holds no records")
    return samples


def json_lines(path):
    """(line number, value) for each non-blank line of a JSON-lines file; DatasetError naming the line that is
    not valid JSON (or not UTF-8, or the file that cannot be read)."""
    for line_no, line in enumerate(text_lines(path), start=1):
        if not line.strip():
            continue
        try:
            yield line_no, json.loads(line)
        except json.JSONDecodeError as e:
            raise DatasetError(f"{path}, line {line_no}: not valid JSON ({e.msg} at column {e.colno})") from None


def text_lines(path):
    """The lines of a UTF-8 text file, read one at a time; DatasetError naming the file, and the line, when it
    cannot be read or is not UTF-8 (a Latin-1 export, a binary file given by mistake)."""
    try:
        f = open(path, "rb")
    except OSError as e:
        raise DatasetError(f"{path}: cannot be read ({e.strerror})") from None
    with f:
        for line_no, raw in enumerate(f, start=1):
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as e:
                raise DatasetError(f"{path}, line {line_no}: not UTF-8 text (byte {e.start + 1} of the line is "
                                   f"{raw[e.start:e.start + 1]!r})") from None


# What each scorer in rewards.py reads as the gold, and how many images a record it grades shows (min, max).
# A gold of the wrong shape would not fail: `"best": "UP"` makes "U" a right move (a substring test), a
# number in a Snake gold scores every answer 0. So records are checked when they are read.
ANSWER_SHAPES = {
    "snake": '{"best": [moves], "worst": [moves]}, moves from UP, DOWN, LEFT, RIGHT',
    "snake_move": '{"best": [moves], "worst": [moves]}, moves from UP, DOWN, LEFT, RIGHT',
    "rotation": 'a string naming one turn: "90", "180" or "counter clockwise 90"',
    "gameqa": "a string (or a number)", "math": "a string (or a number)",
}
IMAGE_COUNTS = {"snake": (1, 1), "snake_move": (1, 1), "rotation": (2, None), "gameqa": (1, None), "math": (0, None)}


def check_record(record, where):
    """Raise DatasetError naming `where` when a record cannot be graded as it says: missing fields, a `reward`
    no scorer has, an `answer` not in that scorer's shape (ANSWER_SHAPES), `prompt` not text, `images` not a
    list of paths of the right length. Returns the record."""
    if not isinstance(record, dict):
        raise DatasetError(f"{where}: expected a JSON object, got {type(record).__name__}")
    missing = [k for k in REQUIRED_FIELDS if k not in record]
    if missing:
        raise DatasetError(f"{where}: missing field(s) {', '.join(missing)}")
    reward, answer, images = record["reward"], record["answer"], record["images"]
    if reward not in rewards.SCORERS:
        raise DatasetError(f"{where}: unknown reward {reward!r}; known: {', '.join(sorted(rewards.SCORERS))}")
    if not isinstance(record["prompt"], str) or not record["prompt"].strip():
        raise DatasetError(f"{where}: 'prompt' must be non-empty text, got {str(record['prompt'])[:80]!r}")
    if reward in ("snake", "snake_move"):
        right = isinstance(answer, dict) and all(
            isinstance(answer.get(key), list) and all(m in rewards.MOVES for m in answer[key])
            for key in ("best", "worst"))
    elif reward == "rotation":
        right = isinstance(answer, str) and rewards.parse_turn(answer) is not None
    else:
        right = isinstance(answer, (str, int, float)) and not isinstance(answer, bool)
    if not right:
        raise DatasetError(f"{where}: a {reward!r} answer must be {ANSWER_SHAPES[reward]}, got {str(answer)[:120]!r}")
    low, high = IMAGE_COUNTS[reward]
    if not isinstance(images, list) or not all(isinstance(im, str) and im for im in images):
        raise DatasetError(f"{where}: 'images' must be a list of paths, got {str(images)[:120]!r}")
    if not low <= len(images) <= (high or len(images)):
        expected = f"{low}" if low == high else f"at least {low}"
        raise DatasetError(f"{where}: a {reward!r} record shows {expected} image(s), got {len(images)}")
    if "options" in record and not isinstance(record["options"], list):
        raise DatasetError(f"{where}: 'options' must be a list, got {str(record['options'])[:120]!r}")
    return record


PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"  # every whole PNG ends with this empty IEND chunk


def dataset_image(folder, rel, where):
    """The absolute path of an image a record in `folder` names: relative to the folder and inside it (a path
    that leaves it would make the folder unmovable, or read files it does not own), and a readable image."""
    if os.path.isabs(rel) or os.path.normpath(rel).split(os.sep)[0] == os.pardir:
        raise DatasetError(f"{where}: image {rel!r} is outside the dataset folder (paths are relative to {folder!r} "
                           f"and stay inside it)")
    full = os.path.join(folder, rel)
    if not os.path.isfile(full):
        raise DatasetError(f"{where}: image {rel!r} not found in {folder!r}")
    check_image(full, where)
    return os.path.abspath(full)


def check_image(path, where):
    """Raise DatasetError when `path` is not an image Pillow recognises, or is a PNG cut short. Reads the header
    and the last 12 bytes only: 36K images are checked in seconds, before the model loads."""
    try:
        with Image.open(path) as image:
            kind = image.format
    except OSError as e:  # PIL.UnidentifiedImageError is an OSError
        raise DatasetError(f"{where}: {path!r} is not an image Pillow can read ({type(e).__name__})") from None
    if kind == "PNG":
        with open(path, "rb") as f:
            f.seek(max(0, os.path.getsize(path) - len(PNG_END)))
            if f.read() != PNG_END:
                raise DatasetError(f"{where}: image {path!r} is cut short (a PNG must end with its IEND chunk)")


def load_images(sample):
    """The sample's images as RGB PIL images, whether the record holds PIL images or paths. A file that passed
    `check_image` but does not decode (damaged inside) is named, with its sample."""
    images = []
    for image in sample["images"]:
        if isinstance(image, Image.Image):
            images.append(image.convert("RGB"))
            continue
        try:
            with Image.open(image) as opened:
                images.append(opened.convert("RGB"))
        except (OSError, SyntaxError) as e:  # Pillow reports some broken PNG chunks as SyntaxError
            raise UndecodableImage(f"sample {sample.get('id')!r}: image {image!r} cannot be decoded ({e})") from None
    return images


def with_images(sample):
    """The record with its images opened (what grpo.rollout takes); the stored record keeps its paths."""
    return {**sample, "images": load_images(sample)}


def output_folder_problem(path):
    """Why `path` cannot receive output, or None: it is a file, or it (or, when it does not exist yet, the folder
    it would be made in) cannot be written. Checked before work starts, so that hours of training or decoding
    are not lost to a typo found only when the results are saved. Writes and removes one small probe file."""
    if os.path.exists(path) and not os.path.isdir(path):
        return f"{path!r} is a file, not a folder"
    parent = os.path.abspath(path)
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        return f"{path!r} cannot be made: {parent!r} is a file"
    try:
        tempfile.TemporaryFile(dir=parent).close()
    except OSError as e:
        return f"{path!r} cannot be written ({e.strerror} in {parent!r})"
    return None


# ---------------------------------------------------------------------------------------------------------
# ViGaL's released data: MM-EUREKA / OpenRLHF jsonl, as the `qwen` branch reads it (--input_key message
# --label_key answer). One object a line: "message", a JSON string of a one-turn chat whose user content is the
# images ({"type": "image", "image": PATH}) then the text; "answer", the label string ViGaL's reward parses;
# usually "id". PATH is relative to the jsonl's folder, absolute, or file://…. Labels:
#     Snake      <pos_moves>['UP', 'LEFT']</pos_moves><neg_moves>[]</neg_moves>  (best moves, then fatal moves)
#     Rotation   <answer>90</answer><image_ini_path>…</image_ini_path><image_rot_path>…</image_rot_path>
# ViGaL's combined reward sends a label holding <image_ini_path> to the Rotation scorer and any other to Snake's,
# and compares fatal moves as a list in the order UP, DOWN, LEFT, RIGHT; the exporter writes both that way.
# The layout is read from ViGaL's code, not from a released file, so the reader takes variants: "message" already
# a list, a missing "id", extra fields, a label without the image paths.

SNAKE_LABEL = re.compile(r"<pos_moves>(.*?)</pos_moves>\s*<neg_moves>(.*?)</neg_moves>", re.DOTALL)
ROTATION_LABEL = re.compile(r"<answer>(.*?)</answer>", re.DOTALL)
LABELS_EXPECTED = ("ViGaL's Snake label <pos_moves>['UP']</pos_moves><neg_moves>['DOWN']</neg_moves> "
                   "or its Rotation label <answer>90</answer>")


def read_mmeureka(path):
    """ViGaL's released jsonl (or our export of it) as sample records: Snake (reward "snake", gold
    {"best", "worst"}) and Rotation (reward "rotation", gold "90" / "180" / "counter clockwise 90"), images as
    absolute paths. Raises DatasetError naming the file, the line and what was expected."""
    folder = os.path.dirname(os.path.abspath(path))
    stem = os.path.splitext(os.path.basename(path))[0]
    samples = []
    for line_no, raw in json_lines(path):
        where = f"{path}, line {line_no}"
        if not isinstance(raw, dict) or "message" not in raw or "answer" not in raw:
            raise DatasetError(f"{where}: expected an object with 'message' and 'answer' (MM-EUREKA jsonl)")
        game, answer = _vigal_gold(raw["answer"], where)
        refs, prompt = _user_turn(raw["message"], where)
        samples.append({"id": str(raw.get("id") or f"{game}-{stem}-{line_no:06d}"), "game": game,
                        "images": [_image_path(ref, folder, where) for ref in refs], "prompt": prompt,
                        "answer": answer, "reward": game})
    if not samples:
        raise DatasetError(f"{path} holds no records")
    return samples


def _vigal_gold(label, where):
    """(game, our gold) from a ViGaL label string."""
    if isinstance(label, str):
        snake_label = SNAKE_LABEL.search(label)
        if snake_label:
            best, worst = (_move_list(text, where) for text in snake_label.groups())
            return "snake", {"best": best, "worst": worst}
        rotation_label = ROTATION_LABEL.search(label)
        if rotation_label and rewards.parse_turn(rotation_label.group(1)) is not None:
            return "rotation", rotation_label.group(1).strip()
    shown = label[:120] if isinstance(label, str) else label
    raise DatasetError(f"{where}: answer {shown!r} fits no known game: expected {LABELS_EXPECTED}")


def _move_list(text, where):
    """"['UP', 'LEFT']" -> ["UP", "LEFT"]: the label's Python-list string, read without evaluating it."""
    words = re.findall(r"[A-Za-z]+", text)
    if any(w.upper() not in rewards.MOVES for w in words):
        raise DatasetError(f"{where}: move list {text!r} names something other than {', '.join(rewards.MOVES)}")
    return list(dict.fromkeys(w.upper() for w in words))


def _user_turn(message, where):
    """(image references, text) of the chat's user turn; `message` is a JSON string or already a list."""
    if isinstance(message, str):
        try:
            message = json.loads(message)
        except json.JSONDecodeError as e:
            raise DatasetError(f"{where}: 'message' is not a JSON chat ({e.msg} at column {e.colno})") from None
    turns = [message] if isinstance(message, dict) else message
    user = next((t for t in turns if isinstance(t, dict) and t.get("role") == "user"), None) if isinstance(turns, list) else None
    if user is None:
        raise DatasetError(f"{where}: 'message' holds no user turn (expected [{{\"role\": \"user\", \"content\": [...]}}])")
    content = user.get("content")
    content = [{"type": "text", "text": content}] if isinstance(content, str) else content
    if not isinstance(content, list):
        raise DatasetError(f"{where}: the user turn's content must be a list of image and text parts")
    parts = [p for p in content if isinstance(p, dict)]
    refs = [p.get("image", p.get("image_url")) for p in parts if p.get("type") in ("image", "image_url")]
    refs = [r.get("url", r.get("path")) if isinstance(r, dict) else r for r in refs]
    text = "\n".join(str(p.get("text", "")) for p in parts if p.get("type") == "text")
    if not text.strip():
        raise DatasetError(f"{where}: the user turn has no text part")
    return refs, text


def _image_path(ref, folder, where):
    """An image reference as an absolute path: file://…, absolute, or relative to the jsonl's folder. A path
    from another machine is looked for under the jsonl's folder too, by its trailing parts, so an unzipped folder
    needs no path-rewriting script (ViGaL's model card asks for one)."""
    if not isinstance(ref, str) or not ref:
        raise DatasetError(f"{where}: image reference {ref!r} is not a path")
    path = ref[len("file://"):] if ref.startswith("file://") else ref
    parts = [p for p in path.replace("\\", "/").split("/") if p]
    candidates = [path if os.path.isabs(path) else os.path.join(folder, path)]
    candidates += [os.path.join(folder, *parts[k:]) for k in range(1, len(parts))]
    found = next((c for c in candidates if os.path.isfile(c)), None)
    if found is None:
        raise DatasetError(f"{where}: image {ref!r} not found (relative paths are read from {folder!r})")
    check_image(found, where)
    return os.path.abspath(found)


def mmeureka_label(sample):
    """The label string ViGaL's reward parses, for one of our Snake or Rotation records."""
    gold = sample["answer"]
    if sample.get("reward") == "snake":
        worst = [m for m in rewards.MOVES if m in gold["worst"]]  # ViGaL compares fatal moves in this order
        return f"<pos_moves>{list(gold['best'])}</pos_moves><neg_moves>{worst}</neg_moves>"
    if sample.get("reward") == "rotation":
        *_, before, after = sample["images"]  # the test pair: the last two images
        return f"<answer>{gold}</answer><image_ini_path>{before}</image_ini_path><image_rot_path>{after}</image_rot_path>"
    raise DatasetError(f"sample {sample.get('id')!r}: the MM-EUREKA export is ViGaL's format, for its games (reward "
                       f"snake or rotation), not {sample.get('reward')!r}; GameQA has gameqa.export_gameqa5k")


def export_mmeureka(samples, out_path):
    """ViGaL's training jsonl: {"id", "message", "answer"}, all three strings, so that a file mixing Snake and
    Rotation loads as one table (datasets.load_dataset("json", ...)) and batches through a DataLoader's default
    collate. Images are file:// absolute paths (what qwen_vl_utils opens); images in memory are written to
    images/ beside the jsonl. Returns out_path."""
    folder = os.path.dirname(os.path.abspath(out_path))
    with open(out_path, "w", encoding="utf-8") as f:
        for sample in samples:
            if all(isinstance(im, str) for im in sample["images"]):
                paths = [os.path.abspath(im) for im in sample["images"]]
            else:
                paths = []
                for k, image in enumerate(sample["images"]):
                    paths.append(os.path.join(folder, "images", f"{sample['id']}-{k}.png"))
                    os.makedirs(os.path.dirname(paths[-1]), exist_ok=True)
                    image.save(paths[-1])
            on_disk = {**sample, "images": paths}
            content = [{"type": "image", "image": f"file://{p}"} for p in paths]
            content.append({"type": "text", "text": sample["prompt"]})
            message = json.dumps([{"role": "user", "content": content}], ensure_ascii=False)
            row = {"id": str(sample["id"]), "message": message, "answer": mmeureka_label(on_disk)}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    return out_path


# ---------------------------------------------------------------------------------------------------------
# --data: one path in, sample records out, whichever of the forms above it has

DATA_FORMS = ("a dataset folder (metadata.jsonl + images/), ViGaL's unzipped data folder or one of its jsonl files, "
              "games_data.json / games_data_test.json (GameQA-140K) or GameQA_RL_5k.json (GameQA-5K)")


def load_data(path):
    """The sample records at `path`, the value of train.py's and evaluate.py's --data (the forms in DATA_FORMS).

    A file is recognised by its first record's fields: "message" (MM-EUREKA), "query" and "solution" (ms-swift
    GameQA-5K), "question" and "image" (GameQA-140K), "prompt" and "reward" (our metadata.jsonl). A folder is ours
    when its metadata.jsonl holds our records; else its MM-EUREKA jsonl files are read (the folder's own, or
    those one level down, e.g. snake/metadata.jsonl and rotation/metadata.jsonl), mixed into one list; else its
    one GameQA json file.
    """
    if not os.path.exists(path):
        kind = "file" if os.path.splitext(path)[1] in (".json", ".jsonl") else "folder"
        raise DatasetError(f"dataset {kind} not found: {path!r} (expected {DATA_FORMS})")
    if os.path.isdir(path):
        return _load_folder(path)
    first = _first_record(path)
    if "message" in first:
        return read_mmeureka(path)
    if "prompt" in first and "reward" in first and os.path.basename(path) == "metadata.jsonl":
        return read_dataset(os.path.dirname(os.path.abspath(path)))
    import gameqa  # gameqa imports this file, so its release readers are imported only when a GameQA file is given
    if "query" in first and "solution" in first:
        return gameqa.load_gameqa5k(path)
    if "question" in first and "image" in first:
        return gameqa.load_gameqa(path)
    raise DatasetError(f"{path}, first record: fields {', '.join(sorted(first)) or 'none'} fit no known format: "
                       f"expected {DATA_FORMS}")


def _load_folder(folder):
    meta = os.path.join(folder, "metadata.jsonl")
    if os.path.isfile(meta) and "message" not in _first_record(meta):
        return read_dataset(folder)
    found = sorted(glob.glob(os.path.join(folder, "*.jsonl"))) or sorted(glob.glob(os.path.join(folder, "*", "*.jsonl")))
    vigal = [f for f in found if "message" in _first_record(f)]
    if vigal:
        return [sample for f in vigal for sample in read_mmeureka(f)]
    release = sorted(glob.glob(os.path.join(folder, "games_data*.json")) + glob.glob(os.path.join(folder, "*5k*.json")))
    if len(release) == 1:
        return load_data(release[0])
    if release:
        raise DatasetError(f"dataset folder {folder!r} holds {', '.join(map(os.path.basename, release))}: point --data "
                           "at one of them")
    raise DatasetError(f"no metadata.jsonl in dataset folder {folder!r} (expected {DATA_FORMS})")


def _first_record(path):
    """The first record of a JSON-lines file or a JSON list, read from the file's head (a 140K-record list is
    not parsed twice); {} when it is not an object."""
    try:
        with open(path, "rb") as f:
            raw = f.read(1 << 20)
    except OSError as e:
        raise DatasetError(f"{path}: cannot be read ({e.strerror})") from None
    try:
        head = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        if e.start < len(raw) - 3:  # not merely a character cut in two at the 1 MB mark
            line_no = raw[:e.start].count(b"\n") + 1
            raise DatasetError(f"{path}, line {line_no}: not UTF-8 text ({e.reason} at byte {e.start + 1} of the "
                               f"file)") from None
        head = raw[:e.start].decode("utf-8")
    text = head.lstrip()
    try:
        if text.startswith("["):
            record = json.JSONDecoder().raw_decode(text[1:].lstrip())[0] if text[1:].strip() else {}
        else:
            record = json.loads(next((line for line in head.splitlines() if line.strip()), "{}"))
    except json.JSONDecodeError as e:
        raise DatasetError(f"{path}: the first record is not valid JSON ({e.msg} at column {e.colno})") from None
    return record if isinstance(record, dict) else {}


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(description="Write ViGaL's training jsonl (MM-EUREKA / OpenRLHF) from our data.")
    parser.add_argument("data", nargs="+", help=f"what to convert: {DATA_FORMS} (Snake and Rotation records)")
    parser.add_argument("--mmeureka", required=True, help="output jsonl; images in memory go to images/ beside it")
    args = parser.parse_args(argv)
    problem = output_folder_problem(os.path.dirname(os.path.abspath(args.mmeureka)))
    if problem or os.path.isdir(args.mmeureka):
        parser.error(f"--mmeureka {args.mmeureka}: {problem or 'is a folder; expected a .jsonl file name'}")
    try:
        samples = [sample for path in args.data for sample in load_data(path)]
        export_mmeureka(samples, args.mmeureka)
    except DatasetError as e:
        raise SystemExit(f"records.py: error: {e}")
    print(f"wrote {len(samples)} records to {args.mmeureka}")


if __name__ == "__main__":
    main()
