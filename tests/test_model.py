"""The model folder: the tiny model's chat template is Qwen2.5-VL-Instruct's, and a saved model (the tiny one, a
checkpoint) loads through the stock transformers classes that scripts written for the hub's Qwen2.5-VL use.

torchvision is absent here (the README's pin notes), and the stock Qwen2_5_VLProcessor needs it for its video
processor, so AutoProcessor cannot finish building one on this machine. What is checked instead: every file
names the stock class, AutoProcessor gets as far as the video processor (it chose Qwen2_5_VLProcessor, not a
bare tokenizer), and the parts it would assemble (AutoImageProcessor, AutoTokenizer, the chat template) encode a
prompt exactly as training does.
"""
import json
import os

import pytest
import torch
from PIL import Image

import grpo
from config import Config
from data import make_sampler
from model import CHAT_TEMPLATE, load_model, load_processor

IMAGE = {"type": "image"}


def test_the_tiny_template_adds_qwens_default_system_turn(tiny_model_dir):
    processor = load_processor(tiny_model_dir)
    render = lambda messages, **kw: processor.apply_chat_template(messages, tokenize=False, **kw)
    user = {"role": "user", "content": [IMAGE, {"type": "text", "text": "Which move?"}]}
    assert render([user], add_generation_prompt=True) == (
        "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        "<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>Which move?<|im_end|>\n"
        "<|im_start|>assistant\n")
    # a system turn of one's own replaces the default; string content; no generation prompt
    assert render([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]) == (
        "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n")
    # Rotation's four images, numbered as Qwen's template numbers them when asked
    four = {"role": "user", "content": [IMAGE] * 4 + [{"type": "text", "text": "Angle?"}]}
    assert render([four], add_vision_id=True).count("Picture ") == 4
    assert "Picture 4: <|vision_start|><|image_pad|><|vision_end|>Angle?" in render([four], add_vision_id=True)


def test_training_prompts_carry_the_default_system_turn(tiny_model_dir):
    processor = load_processor(tiny_model_dir)
    sample = make_sampler(Config())(0)
    text = grpo.chat_text(processor, sample)
    assert text.startswith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
                           "<|vision_start|><|image_pad|><|vision_end|>")
    assert text.endswith(sample["prompt"] + "<|im_end|>\n<|im_start|>assistant\n")
    assert "helpful assistant" not in grpo.chat_text(processor, sample, system_prompt="Observe the image.")


@pytest.fixture(scope="module")
def checkpoint(tiny_model_dir, tmp_path_factory):
    """A model folder written as train.save_checkpoint writes one (model, then processor, save_pretrained), with
    the image bounds of a run that changed them."""
    path = str(tmp_path_factory.mktemp("ckpt"))
    load_model(tiny_model_dir).save_pretrained(path)
    load_processor(tiny_model_dir, min_pixels=8 * 28 * 28, max_pixels=20 * 28 * 28).save_pretrained(path)
    return path


def test_every_saved_file_names_the_stock_processor(checkpoint):
    read = lambda name: json.load(open(os.path.join(checkpoint, name)))
    for name in ("processor_config.json", "tokenizer_config.json", "preprocessor_config.json"):
        assert read(name)["processor_class"] == "Qwen2_5_VLProcessor", name
    image = read("preprocessor_config.json")  # the hub's own file, for readers before transformers 5 (vLLM, 4.x)
    assert image["image_processor_type"] == "Qwen2VLImageProcessor"
    assert (image["min_pixels"], image["max_pixels"]) == (8 * 28 * 28, 20 * 28 * 28)
    assert image["size"] == {"shortest_edge": 8 * 28 * 28, "longest_edge": 20 * 28 * 28}
    assert read("chat_template.json")["chat_template"] == CHAT_TEMPLATE
    assert open(os.path.join(checkpoint, "chat_template.jinja")).read() == CHAT_TEMPLATE


def test_auto_classes_load_the_checkpoint_as_training_encodes(checkpoint):
    from transformers import AutoImageProcessor, AutoModelForImageTextToText, AutoProcessor, AutoTokenizer
    ours = load_processor(checkpoint)
    sample = make_sampler(Config())(0)
    text = grpo.chat_text(ours, sample)
    image = Image.new("RGB", (300, 200), (200, 30, 30))

    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    assert tokenizer.chat_template == CHAT_TEMPLATE
    assert tokenizer(text)["input_ids"] == ours.tokenizer(text)["input_ids"]
    image_processor = AutoImageProcessor.from_pretrained(checkpoint)
    assert type(image_processor).__name__.startswith("Qwen2VLImageProcessor")
    stock, mine = image_processor(images=[image], return_tensors="pt"), ours.image_processor(images=[image], return_tensors="pt")
    assert torch.equal(stock["image_grid_thw"], mine["image_grid_thw"])
    assert torch.equal(stock["pixel_values"], mine["pixel_values"])
    assert int(mine["image_grid_thw"].prod()) * 14 * 14 <= 20 * 28 * 28      # the saved bounds were applied

    try:
        processor = AutoProcessor.from_pretrained(checkpoint)
    except ImportError as e:   # only torchvision, for the stock processor's video half, is missing here
        assert "torchvision" in str(e).lower(), e
    else:                      # where torchvision is installed: the stock processor itself
        assert type(processor).__name__ == "Qwen2_5_VLProcessor"

    model = AutoModelForImageTextToText.from_pretrained(checkpoint)
    assert type(model).__name__ == "Qwen2_5_VLForConditionalGeneration"
    inputs = grpo.encode_prompts(ours, [sample])
    with torch.no_grad():
        torch.testing.assert_close(model(**inputs).logits, load_model(checkpoint)(**inputs).logits, rtol=0, atol=0)
