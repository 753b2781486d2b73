"""Shared by the GameQA test files: the gold answer as text, checked against the option invariants."""

LETTERS = "ABCDEFGHIJ"


def gold(sample):
    """The gold as text (the option its letter points at, or the fill-in answer), checking the option invariants."""
    if "options" not in sample:
        return sample["answer"]
    options = sample["options"]
    assert len(set(options)) == len(options) and sample["answer"] in list(LETTERS[:len(options)])
    return options[LETTERS.index(sample["answer"])]
