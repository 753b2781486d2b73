"""Verifiable rewards: grade a model's completion against a sample's gold answer, by rule.

One entry point, `score(completion, sample) -> {"reward", "accuracy", "format"}` with reward = accuracy +
format, dispatching on `sample["reward"]` (SPEC §1). Model output is untrusted text: nothing here evaluates
it, nothing raises on it, and an answer that hedges between several options never earns accuracy.

Pure Python on strings: no torch, no images, so the scorers can be read, tested and reused anywhere.

    Snake (ViGaL, SPEC §2)   format 0.1: exactly <think>…</think><best_answer>…</best_answer><worst_answer>…</worst_answer>
                             accuracy 1: best move is one of the gold best moves AND the fatal moves named are exactly the gold list
    Snake, one word (tiny)   format 0.1: names exactly one move;  accuracy 1: that move is a gold best move
"""
import re

MOVES = ("UP", "DOWN", "LEFT", "RIGHT")
FORMAT_BONUS = 0.1  # ViGaL's combined script: accuracy in {0, 1} plus 0.1 for the format (SPEC §2, §3)


def _blocks(text, tag):
    """Contents of every complete <tag>…</tag> block, in order; each block ends at the first closing tag.

    A linear scan with str.find, not a regex: untrusted output full of unclosed tags must not make the
    scorer backtrack for minutes.
    """
    open_tag, close_tag, out, pos = f"<{tag}>", f"</{tag}>", [], 0
    while (start := text.find(open_tag, pos)) >= 0:
        end = text.find(close_tag, start + len(open_tag))
        if end < 0:
            break
        out.append(text[start + len(open_tag):end])
        pos = end + len(close_tag)
    return out


def _exact_layout(text, tags):
    """True when `text` is exactly the blocks <t>…</t> for t in `tags`, in that order, each once, with only
    white space around them (the format reward's definition, SPEC §2)."""
    if any(text.count(f"<{t}>") != 1 or text.count(f"</{t}>") != 1 for t in tags):
        return False
    pos = 0
    for t in tags:
        start, end = text.find(f"<{t}>"), text.find(f"</{t}>")
        if start < pos or end < start or text[pos:start].strip():
            return False
        pos = end + len(f"</{t}>")
    return not text[pos:].strip()


def _result(accuracy, fmt):
    return {"reward": accuracy + fmt, "accuracy": accuracy, "format": fmt}


# ---------------------------------------------------------------------------------------------------------
# Snake (SPEC §2)

def _parse_moves(text):
    """The set of moves a worst answer names, or None if it says anything but move names / 'None'.

    "UP, LEFT", "up and left", "None", "" all parse; "UP or maybe LEFT", "UPLEFT", "None, UP" do not: the
    answer must commit to a list, and anything else is unreadable rather than silently taken as empty.
    """
    tokens = [t for t in re.split(r"[\s,;/.]+|\bAND\b", text.upper()) if t]
    if tokens == ["NONE"] or not tokens:
        return set()
    if all(t in MOVES for t in tokens):
        return set(tokens)
    return None


def score_snake(completion, sample):
    fmt = FORMAT_BONUS if _exact_layout(completion, ("think", "best_answer", "worst_answer")) else 0.0
    best_blocks, worst_blocks = _blocks(completion, "best_answer"), _blocks(completion, "worst_answer")
    if len(best_blocks) != 1 or len(worst_blocks) != 1:  # two best blocks is a hedge, none is no answer
        return _result(0.0, fmt)
    best = re.sub(r"[\s.]", "", best_blocks[0].upper())  # SPEC §2: upper-cased, white space and '.' stripped
    worst = _parse_moves(worst_blocks[0])
    gold = sample["answer"]
    correct = best in gold["best"] and worst is not None and worst == set(gold["worst"])
    return _result(1.0 if correct else 0.0, fmt)


def score_snake_move(completion, sample):
    """The tiny demo's one-word answer (snake.py answer_format="move"): the completion must name exactly one
    move, as a word in any case; format 0.1 for that, accuracy 1 if the move is one of the gold best moves.
    Naming two different moves is a hedge and scores 0."""
    named = set(re.findall(r"\b(UP|DOWN|LEFT|RIGHT)\b", completion.upper()))
    if len(named) != 1:
        return _result(0.0, 0.0)
    return _result(1.0 if named.pop() in sample["answer"]["best"] else 0.0, FORMAT_BONUS)


# ---------------------------------------------------------------------------------------------------------
# Dispatch

SCORERS = {
    "snake": score_snake,
    "snake_move": score_snake_move,
}


def score(completion, sample):
    """Grade `completion` (a string) for `sample`; returns {"reward", "accuracy", "format"}.

    A non-string completion scores 0. An unknown `sample["reward"]` is a data error, not a model error, and
    raises ValueError naming it.
    """
    name = sample.get("reward")
    if name not in SCORERS:
        raise ValueError(f"sample {sample.get('id')!r}: unknown reward {name!r}; known: {', '.join(sorted(SCORERS))}")
    if not isinstance(completion, str):
        return _result(0.0, 0.0)
    return SCORERS[name](completion, sample)
