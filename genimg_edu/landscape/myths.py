"""Myths about AI image generation, corrected openly: myth -> what is true -> source.

Some come from popular write-ups of the field (including the material this course grew from, which
calls DALL-E a GAN); some are measured in this chapter. `myths_table()` renders them for the notebook.
Notebook 11.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Myth:
    myth: str
    truth: str
    source: str        # with dates
    chapter: str = ""  # where the course shows it


MYTHS = (
    Myth("DALL-E is a GAN.",
         "None of OpenAI's image generators is a GAN. DALL-E (2021) is an autoregressive transformer that "
         "predicts image tokens one after another, like text; DALL-E 2 (2022) and DALL-E 3 (2023) are "
         "diffusion models; GPT-4o's image generation (2025) is described by OpenAI as autoregressive.",
         "Ramesh et al., ICML 2021; Ramesh et al., arXiv:2204.06125, Apr 2022; Betker et al., OpenAI, Oct 2023; "
         "OpenAI, GPT-4o system card addendum, 25 Mar 2025", "05, 06, 07"),
    Myth("'GANs are the coolest idea in machine learning in the last twenty years' (Yann LeCun), quoted as "
         "if it were the field's settled verdict.",
         "LeCun did praise GANs in 2016, as his personal opinion, and the wording drifts as the quote travels. "
         "In writing, answering 'What are some recent and potentially upcoming breakthroughs in deep learning?' "
         "in a Quora Q&A, he called adversarial training 'and the variations that are now being proposed' "
         "'the most interesting idea in the last 10 years in ML, in my opinion', and explained why: the "
         "discriminator must learn a good representation of the data, and the generator maps a random vector "
         "onto the 'surface' of real data. In a talk at Carnegie Mellon that November he reportedly called "
         "GANs 'the coolest idea in deep learning in the last twenty years'. Enthusiasm about a two-year-old "
         "idea, not a verdict: most text-to-image systems today are diffusion or autoregressive models.",
         "Y. LeCun, Quora Session, 28 July 2016 (republished by Forbes, 5 Aug 2016); C. Metz, 'Genius Makers', "
         "Dutton, 2021 (on the CMU talk of Nov 2016)", "05"),
    Myth("An image generator stores its training images and glues pieces of them together.",
         "It stores weights, not images: Stable Diffusion v1's ~1 billion parameters (a few GB) were "
         "trained on billions of images, far too many to store. But models can memorise: Carlini et al. "
         "extracted over a thousand near-copies of training images (mostly ones duplicated many times in the "
         "data) from diffusion models. This chapter measures the same thing on a small scale: trained on 10 "
         "digits, the course's model mostly reproduces them (copying ratio far below 1).",
         "CompVis/stable-diffusion README and model card, Aug 2022; N. Carlini et al., 'Extracting training "
         "data from diffusion models', USENIX Security 2023 (arXiv:2301.13188, Jan 2023); this chapter's "
         "learning curve", "06, 11"),
    Myth("Stable Diffusion was trained on all 5 billion images of LAION-5B.",
         "LAION-5B has 5.85 billion image-text pairs in many languages (2.32 billion English). Stable "
         "Diffusion v1 was trained on LAION-2B-en and subsets of it filtered by resolution, estimated "
         "aesthetics and watermark probability.",
         "C. Schuhmann et al., 'LAION-5B', NeurIPS 2022 Datasets and Benchmarks; Stable Diffusion v1 model "
         "card, Aug 2022", "08"),
    Myth("Midjourney is Stable Diffusion (or DALL-E) under the hood.",
         "Not public. Midjourney has published no paper, model card or architecture description; claims "
         "about its internals are guesses or second-hand reports.",
         "Absence of any technical publication by Midjourney (checked 2026); The Register interview with "
         "David Holz, 1 Aug 2022", ""),
    Myth("You need a data centre to train an image generator.",
         "To train Stable Diffusion v1, yes: about 150,000 A100-hours were reported. To learn how it works, "
         "no: the course's digit diffusion model trains on a laptop CPU in well under a minute and reaches "
         "99 % judge agreement; this chapter measures what the big budget would mean on your machine.",
         "Stable Diffusion v1 model card, Aug 2022; docs/PERFORMANCE.md (chapter 06, measured)", "06, 11"),
    Myth("AI image generation began with DALL-E in 2021.",
         "Generative image models go back at least to GANs and VAEs (2013-2014), diffusion's first paper "
         "(2015) and StyleGAN's photorealistic faces (2018); DALL-E made text-to-image famous.",
         "Kingma & Welling, arXiv Dec 2013; Goodfellow et al., NeurIPS 2014; Sohl-Dickstein et al., ICML 2015; "
         "Karras et al., CVPR 2019", "04, 05, 06"),
    Myth("More data always makes a generator better ('data is the new oil').",
         "More data helps quality, but what it buys most clearly is *novelty*: with the same training budget, "
         "the course's model on 1 % of the digits still makes recognisable digits, because it copies its "
         "few training images. The slogan is usually credited to Clive Humby (2006) and was popularised by "
         "The Economist's cover story of 6 May 2017.",
         "The Economist, 'The world's most valuable resource is no longer oil, but data', 6 May 2017; this "
         "chapter's learning curve (measured)", "11"),
)


def myths_table(myths=MYTHS) -> str:
    """A Markdown table: myth | what is true | source."""
    lines = ["| myth | what is true | source |", "| --- | --- | --- |"]
    for m in myths:
        lines.append(f"| {m.myth} | {m.truth} | {m.source} |".replace("\n", " "))
    return "\n".join(lines)
