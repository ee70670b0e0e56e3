"""Does the picture show what the prompt asked for? The shapes judge reads each generated image's
attributes and they are compared with the prompt's. Notebook 07."""
from __future__ import annotations

import torch

from ..data.shapes import ATTRIBUTES, parse_caption
from .sampling import generate
from .text_to_image import TextToImage

CAPTION_ATTRIBUTES = ("size", "colour", "shape", "position")


@torch.no_grad()
def evaluate_prompts(model: TextToImage, prompts, judge, *, guidance: float = 3.0, steps: int = 25,
                     seed: int = 0, batch_size: int = 100) -> dict[str, float]:
    """Generate one image per prompt, let the shapes judge read its attributes, compare with the
    prompt's. Returns accuracy per attribute (size, colour, shape, position) and "all" (every one right)."""
    prompts = list(prompts)
    images = torch.cat([generate(model, prompts[i:i + batch_size], guidance=guidance, steps=steps, seed=seed + i)
                        for i in range(0, len(prompts), batch_size)])
    predicted = judge.predict(images)
    hits = {name: [] for name in CAPTION_ATTRIBUTES}
    for row, prompt in enumerate(prompts):
        for name, value in parse_caption(prompt).items():
            hits[name].append(int(predicted[name][row]) == ATTRIBUTES[name].index(value))
    scores = {name: sum(v) / len(v) for name, v in hits.items()}
    scores["all"] = sum(all(hits[n][r] for n in CAPTION_ATTRIBUTES) for r in range(len(prompts))) / len(prompts)
    return scores
