"""What every GameQA game module shares: the contract with the engine, and small helpers for grid games.

A game module (one file in this folder) is Code2Logic's three steps for one game (Game-RL, arXiv 2505.13886, §3):
  1. the game: a state class with `move()` and `to_json()`, and `new_state(rng, plot_level)` that draws one;
  2. the renderer: `render(state)` -> PIL image, whose tick labels state the coordinate convention the text uses;
  3. the task templates: one function per task, `make(rng, state)` -> QA (or raise GiveUp), and `TASKS`, the
     list of Task rows the engine draws from.
The engine (gameqa.py: `make_sample`, the sample streams) does the rest: option shuffling and labels, the answer
request, the level fields, the image. It renders and records the state after the task has run, so a task may
set what the picture shows (the numbered cubes of 3D Maze, the pieces Tangram takes off the board). A game
imports this module and nothing else of the project, and no torch.
"""
from dataclasses import dataclass, field
from typing import Callable

from PIL import Image, ImageDraw, ImageFont

QA_TYPES = ("Target Perception", "State Prediction", "Strategy Optimization")
LEVELS = ("Easy", "Medium", "Hard")


# ---------------------------------------------------------------------------------------------------------
# The contract between a game and the engine

class GiveUp(Exception):
    """This state does not fit this task (no valid query, or a search ran past its budget): draw another."""


class Budget:
    """A per-question search budget counted in steps, not seconds: a wall-clock limit (Game-RL's engines use
    one) would make the data depend on how busy the machine is, and the same seed must give the same bytes."""

    def __init__(self, steps):
        self.left = steps

    def tick(self, n=1):
        self.left -= n
        if self.left < 0:
            raise GiveUp("search budget spent")


@dataclass
class QA:
    """What a task template returns. For multiple choice `answer` is the correct option's text and
    `distractors` the wrong ones, which the engine shuffles in with it. A task whose option list is fixed by
    the game (Yes / No, the colours of a palette) gives the whole list, in its order, as `options` instead.
    For fill-in both are None and `answer` is the gold text."""
    question: str
    analysis: str
    answer: str
    distractors: list = None
    given: dict = field(default_factory=dict)  # task parameters (a move list, a queried cell) added to `state`
    options: list = None  # a fixed option list, kept in this order; it contains `answer` once


@dataclass(frozen=True)
class Task:
    question_id: int
    description: str  # the released data's question_description
    qa_type: str      # one of QA_TYPES
    qa_level: str     # reasoning depth, one of LEVELS
    make: Callable    # make(rng, state) -> QA, or raises GiveUp


# ---------------------------------------------------------------------------------------------------------
# Distractors and coordinates

def numeric_distractors(rng, true, k=7, low=0):
    """k distinct integers >= low closest to `true` (ties broken at random), so the gold is not the outlier."""
    pool = [v for v in range(max(low, true - 2 * k), true + 2 * k + 1) if v != true]
    return [str(v) for v in sorted(pool, key=lambda v: (abs(v - true), rng.random()))[:k]]


def cell_distractors(rng, cell, rows, cols, k=7):
    """k distinct "(r, c)" cells on a rows×cols board nearest to `cell` (Chebyshev distance, random ties)."""
    r0, c0 = cell
    pool = [(r, c) for r in range(rows) for c in range(cols) if (r, c) != (r0, c0)]
    pool.sort(key=lambda rc: (max(abs(rc[0] - r0), abs(rc[1] - c0)), rng.random()))
    return [fmt_cell(rc) for rc in pool[:k]]


def fmt_cell(rc):
    return f"({rc[0]}, {rc[1]})"


MOVE_DELTAS = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}  # (row, column) steps

GRID_CONVENTION = ("Cells are written (row, column): rows are numbered from 0 at the top to {last_r} at the bottom, "
                   "columns from 0 on the left to {last_c} on the right, as the tick labels on the image show.")


# ---------------------------------------------------------------------------------------------------------
# Drawing: a board with its tick labels, so the picture states the convention the text uses

def font(size):
    return ImageFont.load_default(size=size)


def grid_canvas(rows, cols, cell):
    """A white canvas with a rows×cols board whose row ticks (0..rows-1, top to bottom) sit on the left and
    column ticks (0..cols-1, left to right) on top. Returns (image, draw, box) where box(r, c) is the cell's
    pixel rectangle."""
    pad = max(24, cell * 2 // 3)  # room for the tick labels
    image = Image.new("RGB", (pad + cols * cell + 10, pad + rows * cell + 10), "white")
    draw = ImageDraw.Draw(image)
    tick_font = font(max(10, min(18, cell // 2)))
    for c in range(cols):
        draw.text((pad + c * cell + cell / 2, pad / 2), str(c), fill="black", font=tick_font, anchor="mm")
    for r in range(rows):
        draw.text((pad / 2, pad + r * cell + cell / 2), str(r), fill="black", font=tick_font, anchor="mm")

    def box(r, c):
        return (pad + c * cell, pad + r * cell, pad + (c + 1) * cell, pad + (r + 1) * cell)
    return image, draw, box
