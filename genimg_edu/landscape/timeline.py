"""The history of image generation, 1943 to today: dated events, each with its source and the course
chapter where the learner built the idea, and the entry for a year (events + a picture made by the
course's own code, where one fits) that the timeline widget (`landscape.widgets.timeline_widget`) shows.

    events_in(2014)                         # [Event(year=2014, title="Generative adversarial networks", ...)]
    entry = timeline_entry(2020, pictures)  # {"year", "events", "text" (Markdown), "picture" or None}
    timeline_widget(pictures)               # in landscape.widgets: a slider over the years

`pictures` maps a picture key (an Event's `picture`) to an image batch (N, C, H, W) in [0, 1] that the
notebook made: the 176 x 176 'A' of chapter 01, real digits, samples of the chapter 06 diffusion model.
Notebook 11.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Event:
    year: int
    title: str
    text: str
    source: str            # paper (authors, title, venue, year) or announcement (who, where, date)
    chapter: str = ""      # the course chapter where the learner builds the idea ("" if none)
    picture: str = ""      # key into the pictures dict the notebook supplies ("" if none)


EVENTS = (
    Event(1943, "The artificial neuron",
          "McCulloch and Pitts describe a neuron as a threshold unit that adds weighted inputs: the unit "
          "every network in this course is built from.",
          "W. S. McCulloch & W. Pitts, 'A logical calculus of the ideas immanent in nervous activity', "
          "Bulletin of Mathematical Biophysics 5:115-133, 1943", "02"),
    Event(1957, "The first digitised picture",
          "Russell Kirsch's team at the US National Bureau of Standards scans a photo of his infant son "
          "Walden on the SEAC computer: 176 x 176 pixels, black or white. Chapter 01 draws an 'A' at the "
          "same 176 x 176 resolution.",
          "NIST, 'Fiftieth anniversary of first digital image marked', NIST Tech Beat, 24 May 2007", "01",
          "letter_a"),
    Event(1958, "The perceptron",
          "Rosenblatt's perceptron learns its weights from examples.",
          "F. Rosenblatt, 'The perceptron: a probabilistic model for information storage and organization in "
          "the brain', Psychological Review 65(6):386-408, 1958", "02"),
    Event(1986, "Backpropagation",
          "Rumelhart, Hinton and Williams popularise training multi-layer networks by propagating the "
          "error gradient backwards, layer by layer: what loss.backward() does.",
          "D. E. Rumelhart, G. E. Hinton & R. J. Williams, 'Learning representations by back-propagating "
          "errors', Nature 323:533-536, 9 Oct 1986", "02"),
    Event(1989, "Convolutional networks read handwritten digits",
          "LeCun and colleagues train a convolutional network with backpropagation to read handwritten ZIP "
          "codes: the ancestor of the course's digit judges.",
          "Y. LeCun et al., 'Backpropagation applied to handwritten zip code recognition', Neural "
          "Computation 1(4):541-551, 1989", "03", "digits"),
    Event(2012, "AlexNet",
          "A deep convolutional network trained on two GPUs wins the ImageNet challenge by a wide margin; "
          "deep learning takes over computer vision.",
          "A. Krizhevsky, I. Sutskever & G. E. Hinton, 'ImageNet classification with deep convolutional "
          "neural networks', NeurIPS (NIPS) 2012", "03"),
    Event(2013, "Variational autoencoders",
          "Kingma and Welling give autoencoders a probabilistic latent space you can sample from.",
          "D. P. Kingma & M. Welling, 'Auto-encoding variational Bayes', arXiv:1312.6114, Dec 2013; ICLR 2014",
          "04"),
    Event(2014, "Generative adversarial networks",
          "Goodfellow and colleagues train a generator against a discriminator.",
          "I. Goodfellow et al., 'Generative adversarial nets', arXiv:1406.2661, June 2014; NeurIPS (NIPS) 2014",
          "05"),
    Event(2015, "Diffusion's first paper, U-Net, neural style transfer",
          "Sohl-Dickstein and colleagues learn to reverse a gradual noising process (the idea behind DDPM "
          "and Stable Diffusion); Ronneberger and colleagues publish the U-Net (for medical image "
          "segmentation); Gatys and colleagues repaint photos in the style of paintings with a CNN's features.",
          "J. Sohl-Dickstein et al., 'Deep unsupervised learning using nonequilibrium thermodynamics', ICML "
          "2015; O. Ronneberger, P. Fischer & T. Brox, 'U-Net', MICCAI 2015; L. A. Gatys, A. S. Ecker & "
          "M. Bethge, 'A neural algorithm of artistic style', arXiv:1508.06576, Aug 2015", "06"),
    Event(2016, "'The most interesting idea in the last 10 years in ML'",
          "Yann LeCun, answering 'What are some recent and potentially upcoming breakthroughs in deep "
          "learning?' in a Quora Q&A session, names adversarial training (GANs) 'and the variations that "
          "are now being proposed' as 'the most interesting idea in the last 10 years in ML, in my opinion'. (In a talk that "
          "November he reportedly called GANs 'the coolest idea in deep learning in the last twenty years'.)",
          "Y. LeCun, Quora Session, 28 July 2016; republished by Forbes, 5 Aug 2016 ('This is the cutting "
          "edge of deep learning research'); C. Metz, 'Genius Makers', Dutton, 2021", "05"),
    Event(2018, "A GAN portrait at auction",
          "Christie's sells 'Portrait of Edmond de Belamy', printed from a GAN by the collective Obvious, "
          "for $432,500.",
          "Christie's New York, Prints & Multiples sale, 25 Oct 2018 (Christie's sale results)", "05"),
    Event(2019, "StyleGAN",
          "NVIDIA's style-based GAN generates photorealistic faces at 1024 x 1024 and releases its code, "
          "weights and the FFHQ data set (70,000 face photos from Flickr).",
          "T. Karras, S. Laine & T. Aila (NVIDIA), 'A style-based generator architecture for generative "
          "adversarial networks', arXiv:1812.04948, Dec 2018; CVPR 2019", "05"),
    Event(2020, "DDPM",
          "Ho, Jain and Abbeel show that a network trained to predict the added noise generates "
          "images whose quality rivals GANs': the recipe of chapter 06 (the picture: the course's own model).",
          "J. Ho, A. Jain & P. Abbeel, 'Denoising diffusion probabilistic models', NeurIPS 2020 "
          "(arXiv:2006.11239, June 2020)", "06", "diffusion"),
    Event(2021, "CLIP and DALL-E",
          "OpenAI announces CLIP (images and captions in one embedding space, trained on 400 million "
          "image-text pairs from the internet) and DALL-E (a 12-billion-parameter autoregressive transformer "
          "over text and image tokens) on the same day.",
          "OpenAI blog, 5 Jan 2021; A. Radford et al., 'Learning transferable visual models from natural "
          "language supervision', ICML 2021; A. Ramesh et al., 'Zero-shot text-to-image generation', ICML 2021",
          "07"),
    Event(2022, "Latent diffusion, DALL-E 2, Midjourney, Stable Diffusion",
          "Rombach and colleagues run diffusion in an autoencoder's latent space (CVPR 2022). OpenAI announces "
          "DALL-E 2, a diffusion model conditioned on CLIP embeddings (6 Apr). Midjourney opens a public "
          "beta on Discord (July). Stability AI, CompVis and Runway release Stable Diffusion with open "
          "weights (22 Aug).",
          "R. Rombach et al., 'High-resolution image synthesis with latent diffusion models', CVPR 2022; "
          "A. Ramesh et al., arXiv:2204.06125, Apr 2022; The Register, interview with David Holz, 1 Aug 2022; "
          "Stability AI, 'Stable Diffusion public release', 22 Aug 2022", "08"),
    Event(2023, "SDXL, DiT, flow matching, DALL-E 3",
          "Diffusion backbones become transformers (DiT); flow matching and rectified flow train on "
          "straight noise-to-image paths (chapter 06's flow model); Stability AI releases SDXL with open "
          "weights; OpenAI's DALL-E 3 is trained on long synthetic captions.",
          "W. Peebles & S. Xie, 'Scalable diffusion models with transformers', ICCV 2023 (arXiv Dec 2022); "
          "Y. Lipman et al., 'Flow matching for generative modeling', ICLR 2023; X. Liu et al., 'Flow straight "
          "and fast', ICLR 2023; D. Podell et al., 'SDXL', arXiv:2307.01952, July 2023; J. Betker et al., "
          "'Improving image generation with better captions', OpenAI, Oct 2023", "06"),
    Event(2024, "Rectified-flow transformers at scale",
          "Stable Diffusion 3 combines a transformer backbone with a rectified-flow objective.",
          "P. Esser et al., 'Scaling rectified flow transformers for high-resolution image synthesis', ICML 2024 "
          "(arXiv:2403.03206, Mar 2024)", "06"),
    Event(2025, "Image generation inside a chat model",
          "OpenAI ships image generation in GPT-4o and states that, unlike DALL-E's diffusion, it is an "
          "autoregressive model native to GPT-4o; architecture details are not public.",
          "OpenAI, 'Introducing 4o image generation' and 'Addendum to GPT-4o system card: native image "
          "generation', 25 Mar 2025", "07"),
)

YEARS = tuple(sorted({event.year for event in EVENTS}))


def events_in(year: int) -> list[Event]:
    """The events of `year` (one of YEARS)."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise TypeError(f"year must be an int, got {type(year).__name__}")
    if year not in YEARS:
        raise ValueError(f"year {year}: no events in {year}; choose one of {list(YEARS)}")
    return [event for event in EVENTS if event.year == year]


def check_pictures(pictures) -> dict:
    """None -> {}; else a dict key -> (N, C, H, W) image batch in [0, 1], returned as it is (TypeError/ValueError otherwise)."""
    if pictures is None:
        return {}
    if not isinstance(pictures, dict):
        raise TypeError(f"pictures must be a dict of key -> (N, C, H, W) tensor, got {type(pictures).__name__}")
    for key, x in pictures.items():
        if not isinstance(x, torch.Tensor) or x.ndim != 4 or x.shape[1] not in (1, 3):
            raise ValueError(f"pictures[{key!r}] must be an (N, C, H, W) tensor with C in (1, 3), got "
                             f"{getattr(x, 'shape', type(x).__name__)}")
        if x.numel() and (x.min() < 0 or x.max() > 1):
            raise ValueError(f"pictures[{key!r}] must lie in [0, 1]")
    return pictures


def timeline_entry(year: int, pictures: dict | None = None) -> dict:
    """Everything the widget shows for `year`: {"year", "events", "text" (Markdown: title, text,
    source and chapter of each event), "picture" ((N, C, H, W) in [0, 1] or None), "picture_key"}.
    The picture is the first event's picture found in `pictures`."""
    pictures = check_pictures(pictures)
    events = events_in(year)
    lines = []
    for event in events:
        chapter = f" — *you build this in chapter {event.chapter}*" if event.chapter else ""
        lines.append(f"**{event.year} · {event.title}**{chapter}\n\n{event.text}\n\n<small>Source: {event.source}</small>")
    key = next((e.picture for e in events if e.picture and e.picture in pictures), None)
    return {"year": year, "events": events, "text": "\n\n".join(lines),
            "picture": None if key is None else pictures[key], "picture_key": key}
