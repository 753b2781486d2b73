"""The policy model: any Qwen2.5-VL by hub name or folder, and the tiny one the default run builds in code.

Every model, the 7B and the tiny one alike, loads through the same ordinary from_pretrained path: weights from
safetensors only, no remote code (Qwen2.5-VL is built into transformers). The processor is assembled from its
parts (tokenizer, PIL image processor, chat template) so that nothing here ever needs torchvision, whose broken
installs stop transformers from importing Qwen2.5-VL (the README's pin notes).

`build_tiny_model` makes the default run's model: Qwen2.5-VL's real architecture at toy sizes with random
weights, and a byte-level BPE tokenizer trained on the games' prompts, saved with save_pretrained. It needs no
download, so `accelerate launch train.py` runs anywhere.
"""
import json
import os
import re
import shutil

import torch
from transformers import (AutoTokenizer, Qwen2_5_VLForConditionalGeneration, Qwen2_5_VLProcessor,
                          Qwen2VLImageProcessorPil)

# ---------------------------------------------------------------------------------------------------------
# Model and processor, by hub name or folder (the same from_pretrained path for the 7B and the tiny model)


class ImageOnlyProcessor(Qwen2_5_VLProcessor):
    """Qwen2.5-VL's processor without its video processor, which needs torchvision (see the module docstring).

    Images and text are processed exactly as by the stock processor; videos are not supported.
    """

    def __init__(self, image_processor=None, tokenizer=None, chat_template=None, **kwargs):
        super().__init__(image_processor, tokenizer, None, chat_template=chat_template, **kwargs)

    def save_pretrained(self, save_directory, **kwargs):
        """Saved as the stock processor would be, so that a script written for the hub's Qwen2.5-VL checkpoints
        loads ours unchanged: `AutoProcessor.from_pretrained(folder)` builds Qwen2_5_VLProcessor (the class named
        in processor_config.json and tokenizer_config.json, never this subclass, which AutoProcessor does not
        know), and the hub's own files are there too for readers that predate transformers 5 (vLLM, 4.x):
        preprocessor_config.json, the image processor with its pixel bounds also as min_pixels / max_pixels
        (what 4.x's Qwen2VLImageProcessor resizes by), and chat_template.json."""
        files = super().save_pretrained(save_directory, **kwargs)
        stock = Qwen2_5_VLProcessor.__name__
        for name in ("processor_config.json", "tokenizer_config.json"):
            path = os.path.join(save_directory, name)
            with open(path) as f:
                config = json.load(f)
            with open(path, "w") as f:
                json.dump({**config, "processor_class": stock}, f, indent=2)
        image = self.image_processor.to_dict()
        image.update(min_pixels=image["size"]["shortest_edge"], max_pixels=image["size"]["longest_edge"],
                     processor_class=stock)
        with open(os.path.join(save_directory, "preprocessor_config.json"), "w") as f:
            json.dump(image, f, indent=2)
        with open(os.path.join(save_directory, "chat_template.json"), "w") as f:
            json.dump({"chat_template": self.chat_template}, f, indent=2)
        return files


def load_processor(name_or_path, min_pixels=None, max_pixels=None):
    """Tokenizer + PIL image processor + chat template from a folder or hub name, as one processor.

    Built from its parts rather than AutoProcessor so that no torchvision-backed class is ever chosen.
    min/max_pixels bound each image's area (Qwen2.5-VL resizes to multiples of 28 inside those bounds).
    """
    tokenizer = AutoTokenizer.from_pretrained(name_or_path)
    image_processor = Qwen2VLImageProcessorPil.from_pretrained(name_or_path)
    if min_pixels or max_pixels:
        image_processor.size = {"shortest_edge": min_pixels or image_processor.size["shortest_edge"],
                                "longest_edge": max_pixels or image_processor.size["longest_edge"]}
    template = tokenizer.chat_template
    if template is None and os.path.isdir(name_or_path):
        path = os.path.join(name_or_path, "chat_template.jinja")
        template = open(path).read() if os.path.isfile(path) else None
    return ImageOnlyProcessor(image_processor=image_processor, tokenizer=tokenizer, chat_template=template)


def load_model(name_or_path, dtype=torch.float32, attn_implementation=None):
    """The policy, from a folder or the hub, through the ordinary from_pretrained path.

    Weights load from safetensors only; trust_remote_code stays off (Qwen2.5-VL is built into transformers).
    """
    kwargs = {"attn_implementation": attn_implementation} if attn_implementation else {}
    return Qwen2_5_VLForConditionalGeneration.from_pretrained(name_or_path, dtype=dtype, use_safetensors=True, **kwargs)


class ModelError(ValueError):
    """A model that cannot load: no such folder or hub name, or a folder that is not a whole Qwen2.5-VL."""


def check_model_path(name_or_path):
    """Fail before anything loads, with one message naming the file and what is wrong, when the model is neither
    a folder nor a hub name ("org/name"), or is a folder that is not a whole Qwen2.5-VL: config.json of
    model_type qwen2_5_vl, readable JSON files, safetensors weights not cut short, tokenizer files. Without this,
    a folder missing its tokenizer fails deep inside transformers with a message about sentencepiece."""
    if not os.path.isdir(name_or_path):
        if os.path.exists(name_or_path):
            raise ModelError(f"model {name_or_path!r} is a file; expected a model folder or a hub name")
        if re.fullmatch(r"[\w.-]+/[\w.-]+", name_or_path) and not name_or_path.startswith("."):
            return  # a hub name: from_pretrained fetches it (or finds it in the local cache)
        raise ModelError(f"model not found: {name_or_path!r} is neither a folder nor a hub name like "
                         f"'Qwen/Qwen2.5-VL-7B-Instruct'")
    folder = name_or_path
    if not os.path.isfile(os.path.join(folder, "config.json")):
        raise ModelError(f"{folder!r} is not a model folder: it has no config.json (expected a Hugging Face model "
                         f"folder: config.json, model.safetensors, tokenizer.json, ...)")
    jsons = {name: read_json(os.path.join(folder, name)) for name in sorted(os.listdir(folder))
             if name.endswith(".json")}
    model_type = jsons["config.json"].get("model_type") if isinstance(jsons["config.json"], dict) else None
    if model_type != "qwen2_5_vl":
        inside = sorted(n for n in os.listdir(folder) if re.fullmatch(r"checkpoint-\d+", n))
        raise ModelError(f"{os.path.join(folder, 'config.json')}: model_type is {model_type!r}; this project trains "
                         f"and evaluates Qwen2.5-VL (model_type 'qwen2_5_vl')" + (
                             f". {folder!r} is a training run's folder: give one of its checkpoints, e.g. "
                             f"{os.path.join(folder, inside[-1])}" if inside else ""))
    index = jsons.get("model.safetensors.index.json")
    shards = sorted(set(index.get("weight_map", {}).values())) if isinstance(index, dict) else ["model.safetensors"]
    for shard in shards:
        if not os.path.isfile(os.path.join(folder, shard)):
            raise ModelError(f"{folder!r}: weights file {shard} is missing (weights load from safetensors only)")
        check_safetensors(os.path.join(folder, shard))
    if not os.path.isfile(os.path.join(folder, "tokenizer.json")) and not all(
            os.path.isfile(os.path.join(folder, f)) for f in ("vocab.json", "merges.txt")):
        raise ModelError(f"{folder!r}: no tokenizer (expected tokenizer.json, or vocab.json and merges.txt)")


def read_json(path):
    """A JSON file's content; ModelError naming the file when it is unreadable or cut short."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ModelError(f"{path}: not readable JSON ({e})") from None


def check_safetensors(path):
    """A safetensors file whose header parses and whose size covers every tensor the header lists: a file cut short
    by a full disk or an interrupted copy is named here, not inside the loader."""
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little") if size >= 8 else size
        try:
            header = json.loads(f.read(n)) if 8 + n <= size else None
        except (UnicodeDecodeError, json.JSONDecodeError):
            header = None
    if not isinstance(header, dict):
        raise ModelError(f"{path}: not a safetensors file, or cut short in its header ({size} bytes)")
    end = 8 + n + max((t["data_offsets"][1] for k, t in header.items() if k != "__metadata__"), default=0)
    if size < end:
        raise ModelError(f"{path}: cut short: {size} bytes, its header describes {end} (an interrupted save or copy)")


# ---------------------------------------------------------------------------------------------------------
# The tiny Qwen2.5-VL: the real architecture at toy sizes, random weights, a tokenizer trained here

QWEN_SPECIAL_TOKENS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|vision_start|>", "<|vision_end|>",
                       "<|image_pad|>", "<|video_pad|>"]
# Qwen2.5-VL-Instruct's own chat template (its chat_template.json on the hub), written out here so the tiny model's
# prompts are token for token the kind a real run sees: <|im_start|>role\n ... <|im_end|>\n per turn, each image as
# <|vision_start|><|image_pad|><|vision_end|> (with add_vision_id, "Picture k: " before it), and, when the first turn is
# not a system turn, the default system turn "You are a helpful assistant." in front.
DEFAULT_SYSTEM_PROMPT = "You are a helpful assistant."
CHAT_TEMPLATE = (
    "{% set image_count = namespace(value=0) %}{% set video_count = namespace(value=0) %}"
    "{% for message in messages %}"
    "{% if loop.first and message['role'] != 'system' %}<|im_start|>system\n" + DEFAULT_SYSTEM_PROMPT + "<|im_end|>\n{% endif %}"
    "<|im_start|>{{ message['role'] }}\n"
    "{% if message['content'] is string %}{{ message['content'] }}<|im_end|>\n"
    "{% else %}{% for content in message['content'] %}"
    "{% if content['type'] == 'image' or 'image' in content or 'image_url' in content %}"
    "{% set image_count.value = image_count.value + 1 %}{% if add_vision_id %}Picture {{ image_count.value }}: {% endif %}"
    "<|vision_start|><|image_pad|><|vision_end|>"
    "{% elif content['type'] == 'video' or 'video' in content %}"
    "{% set video_count.value = video_count.value + 1 %}{% if add_vision_id %}Video {{ video_count.value }}: {% endif %}"
    "<|vision_start|><|video_pad|><|vision_end|>"
    "{% elif 'text' in content %}{{ content['text'] }}{% endif %}"
    "{% endfor %}<|im_end|>\n{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")


def build_tiny_model(path, corpus, seed=0, vocab_size=1024, hidden_size=64, num_layers=2, vision_depth=2, rope_theta=10.0,
                     initializer_range=0.2):
    """Build a tiny random Qwen2.5-VL and save it to `path` in Hugging Face form.

    The tokenizer is a byte-level BPE trained on `corpus` (the games' prompts and answer formats) and the chat
    template's default system turn, with Qwen's special tokens, so prompts are a few hundred tokens, not
    thousands of bytes. The chat template is Qwen2.5-VL-Instruct's own (CHAT_TEMPLATE).

    Two settings differ from Qwen's because, measured, the tiny model cannot learn to read the board without
    them (a supervised probe on the tiny preset's boards, 400 steps x 32, held-out best-move accuracy from 0.35:
    0.55 with both and the vision tower trained, 0.42 with it frozen, 0.35 blind; 0.38 with rope_theta 10000;
    0.34 with initializer_range 0.1 or 0.02). initializer_range 0.2, not 0.02: at 0.02 attention is uniform
    over the ~90 prompt tokens and the board's few changed tokens are drowned. rope_theta 10, not 10000: at
    10000 M-RoPE's width frequencies are <= 0.003 rad per cell, so a 4x4 grid of image tokens has no column.
    """
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import Qwen2_5_VLConfig, Qwen2Tokenizer
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    corpus = list(corpus) + [DEFAULT_SYSTEM_PROMPT] * 64  # the chat template puts it in front of every prompt
    bpe.train_from_iterator(corpus, trainers.BpeTrainer(
        vocab_size=vocab_size, special_tokens=QWEN_SPECIAL_TOKENS, show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    trained = json.loads(bpe.to_str())["model"]
    tokenizer = Qwen2Tokenizer(vocab=trained["vocab"], merges=[tuple(m) for m in trained["merges"]],
                               unk_token=None, bos_token=None, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    tokenizer.add_special_tokens({"additional_special_tokens": QWEN_SPECIAL_TOKENS[1:]})
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in QWEN_SPECIAL_TOKENS}
    special = dict(bos_token_id=None, eos_token_id=ids["<|im_end|>"], pad_token_id=ids["<|endoftext|>"])
    config = Qwen2_5_VLConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=hidden_size, intermediate_size=2 * hidden_size,
                         num_hidden_layers=num_layers, num_attention_heads=hidden_size // 16,
                         num_key_value_heads=hidden_size // 32, max_position_embeddings=4096,
                         # head_dim 16: M-RoPE splits its 8 frequency pairs into (time, height, width) = 2+3+3
                         rope_parameters={"rope_type": "default", "rope_theta": rope_theta, "mrope_section": [2, 3, 3]},
                         tie_word_embeddings=True, initializer_range=initializer_range, **special),
        vision_config=dict(depth=vision_depth, hidden_size=hidden_size, intermediate_size=2 * hidden_size, num_heads=4,
                           out_hidden_size=hidden_size, initializer_range=initializer_range, patch_size=14,
                           spatial_merge_size=2, temporal_patch_size=2, window_size=112, fullatt_block_indexes=[1]),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"],
        tie_word_embeddings=True, initializer_range=initializer_range, **special)
    torch.manual_seed(seed)
    model = Qwen2_5_VLForConditionalGeneration(config)
    model.generation_config.eos_token_id = [ids["<|im_end|>"], ids["<|endoftext|>"]]
    image_processor = Qwen2VLImageProcessorPil(patch_size=14, merge_size=2, temporal_patch_size=2)
    tmp = path + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    ImageOnlyProcessor(image_processor=image_processor, tokenizer=tokenizer, chat_template=CHAT_TEMPLATE).save_pretrained(tmp)
    os.replace(tmp, path)
