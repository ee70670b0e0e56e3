"""The big players: who built which image generator, what is public about it, and what is not.

Each `System` records open or closed weights, the architecture family, public facts with dates and
sources, what the maker has *not* published, and the course chapter where the learner built its core
idea. `players_table()` turns them into a Markdown table for the notebook.

    players_table()                      # Markdown
    by_maker("NVIDIA")                   # [System(...), ...]

Only what the makers published (papers, model cards, announcements) is stated as fact; anything
else is marked as not public. Notebook 11.
"""
from __future__ import annotations

from dataclasses import dataclass

WEIGHTS = ("open", "closed", "partly open")
FAMILIES = ("contrastive encoder", "autoregressive transformer", "diffusion", "latent diffusion", "GAN",
            "not public")


@dataclass(frozen=True)
class System:
    maker: str
    name: str
    date: str              # first public announcement or paper
    weights: str           # one of WEIGHTS
    family: str            # one of FAMILIES
    facts: str             # what the maker published
    not_public: str        # what it has not published
    source: str            # where the facts come from, with dates
    chapters: str          # course chapters where the learner built the core idea

    def __post_init__(self):
        if self.weights not in WEIGHTS:
            raise ValueError(f"weights must be one of {WEIGHTS}, got {self.weights!r}")
        if self.family not in FAMILIES:
            raise ValueError(f"family must be one of {FAMILIES}, got {self.family!r}")


SYSTEMS = (
    System("OpenAI", "CLIP", "2021-01-05", "open", "contrastive encoder",
           "Image and text encoders trained so matching pairs have similar embeddings; 400 million image-text "
           "pairs collected from the internet; model code and several trained models released.",
           "The training data set (WIT) itself.",
           "A. Radford et al., 'Learning transferable visual models from natural language supervision', ICML 2021; "
           "github.com/openai/CLIP (Jan 2021)", "07"),
    System("OpenAI", "DALL-E", "2021-01-05", "partly open", "autoregressive transformer",
           "A 12-billion-parameter transformer predicts 256 text tokens followed by 32 x 32 image tokens; a "
           "discrete VAE turns 256 x 256 images into tokens (8192 codes); 250 million image-text pairs; "
           "trained on 1024 V100 GPUs. Only the discrete VAE was released.",
           "The transformer's weights; the data set.",
           "A. Ramesh et al., 'Zero-shot text-to-image generation', ICML 2021 (arXiv:2102.12092); "
           "github.com/openai/DALL-E (dVAE only)", "04 (tokens from an autoencoder), 07"),
    System("OpenAI", "DALL-E 2", "2022-04-06", "closed", "diffusion",
           "'unCLIP': a prior maps a caption's CLIP text embedding to a CLIP image embedding, a diffusion "
           "decoder turns it into a 64 x 64 image, two diffusion upsamplers reach 1024 x 1024.",
           "Weights; full training data.",
           "A. Ramesh et al., 'Hierarchical text-conditional image generation with CLIP latents', "
           "arXiv:2204.06125, Apr 2022; OpenAI announcement, 6 Apr 2022", "06, 07"),
    System("OpenAI", "DALL-E 3", "2023-09-20", "closed", "diffusion",
           "Trained on long, descriptive synthetic captions written by an image-captioning model, which "
           "improved prompt following; built into ChatGPT (Oct 2023).",
           "Architecture details beyond the caption study; weights; training data.",
           "J. Betker et al., 'Improving image generation with better captions', OpenAI, Oct 2023; "
           "OpenAI announcement, 20 Sep 2023", "06, 07"),
    System("OpenAI", "GPT-4o image generation", "2025-03-25", "closed", "autoregressive transformer",
           "OpenAI states that, unlike DALL-E (a diffusion model), 4o image generation is an autoregressive "
           "model natively embedded in ChatGPT.",
           "Architecture details, model size, training data and compute.",
           "OpenAI, 'Introducing 4o image generation' and 'Addendum to GPT-4o system card: native image "
           "generation', 25 Mar 2025", "07"),
    System("Midjourney", "Midjourney", "2022-07", "closed", "not public",
           "An independent lab founded by David Holz; image generation through a Discord bot, public beta "
           "in summer 2022; versions V1 to V7 since.",
           "No paper, model card or architecture description; training data and compute are not public. "
           "Secondary sources describe it as diffusion-based; the company has not documented that.",
           "The Register, interview with David Holz, 1 Aug 2022; no technical publication", "—"),
    System("Stability AI / CompVis / Runway", "Stable Diffusion v1", "2022-08-22", "open", "latent diffusion",
           "An 860M-parameter UNet denoises the 64 x 64 x 4 latents of an autoencoder (8x downsampling), "
           "conditioned on a frozen CLIP ViT-L/14 text encoder (123M); trained on subsets of LAION-2B-en "
           "(from LAION-5B); 150,000 A100-hours reported; weights under the CreativeML OpenRAIL-M licence.",
           "Little: architecture, data sources, hardware and hours are in the paper and model card.",
           "R. Rombach et al., 'High-resolution image synthesis with latent diffusion models', CVPR 2022; "
           "Stable Diffusion v1 model card and README (CompVis/stable-diffusion, Aug 2022); Stability AI, "
           "'Stable Diffusion public release', 22 Aug 2022", "04 (autoencoder), 06 (UNet, diffusion), 07 (text), 08"),
    System("Stability AI", "SDXL", "2023-07-26", "open", "latent diffusion",
           "A UNet about three times larger (2.6B parameters) with two text encoders and a refinement model; "
           "weights released.",
           "Full training data composition.",
           "D. Podell et al., 'SDXL: improving latent diffusion models for high-resolution image synthesis', "
           "arXiv:2307.01952, July 2023; Stability AI, SDXL 1.0 release, 26 July 2023", "06, 08"),
    System("NVIDIA", "StyleGAN", "2018-12-12", "open", "GAN",
           "A style-based generator: a mapping network turns z into a style that modulates every layer; "
           "photorealistic 1024 x 1024 faces; code, weights and the FFHQ data set (70,000 Flickr faces) "
           "released under a non-commercial licence.",
           "Little: the paper, code and data are public.",
           "T. Karras, S. Laine & T. Aila, 'A style-based generator architecture for generative adversarial "
           "networks', arXiv:1812.04948, Dec 2018; CVPR 2019", "05"),
    System("NVIDIA", "eDiff-I", "2022-11-02", "closed", "diffusion",
           "An ensemble of expert denoisers, each specialised in one range of noise levels, conditioned on "
           "T5 and CLIP text embeddings.",
           "Weights (not released); training data details.",
           "Y. Balaji et al., 'eDiff-I: text-to-image diffusion models with an ensemble of expert denoisers', "
           "arXiv:2211.01324, Nov 2022", "06, 07"),
)


def by_maker(maker: str) -> list[System]:
    """The systems whose maker contains `maker` (case-insensitive)."""
    if not isinstance(maker, str) or not maker.strip():
        raise ValueError(f"maker must be a non-empty string, got {maker!r}")
    found = [s for s in SYSTEMS if maker.lower() in s.maker.lower()]
    if not found:
        raise ValueError(f"no system by {maker!r}; makers: {sorted({s.maker for s in SYSTEMS})}")
    return found


def players_table(systems=SYSTEMS, *, columns=("maker", "name", "date", "weights", "family", "facts",
                                                "not_public", "chapters", "source")) -> str:
    """A Markdown table of `systems` with the given columns (System field names)."""
    fields = System.__dataclass_fields__
    unknown = [c for c in columns if c not in fields]
    if unknown:
        raise ValueError(f"unknown columns {unknown}; choose from {list(fields)}")
    headers = {"not_public": "not public", "chapters": "course chapter"}
    lines = ["| " + " | ".join(headers.get(c, c) for c in columns) + " |", "|" + " --- |" * len(columns)]
    for system in systems:
        lines.append("| " + " | ".join(str(getattr(system, c)).replace("|", "/") for c in columns) + " |")
    return "\n".join(lines)
