"""The text-to-image model of chapter 07: a tokenizer, a text encoder and a text-conditioned UNet.

Training is chapter 06's denoising loss with one change: the UNet also reads the caption.
The network predicts v = sqrt(alpha_bar) eps - sqrt(1 - alpha_bar) x0 (Salimans & Ho 2022) rather
than eps: at the noisiest steps eps-prediction must be accurate to 1 part in 10^4 to give a usable
x0 (we measured garbage colours from it here), while v stays a sensible target at every t.
`predict_eps` turns v back into eps, so chapter 06's samplers run unchanged. Taught in notebook 07,
together with the files beside this one:

    config        TextToImageConfig, HELD_OUT
    loss          v_target, diffusion_loss (caption dropout: the unconditional model for guidance)
    training      training_data, train_text_to_image
    cache         load_or_train: train once, then load from cache_dir()
    sampling      guided_eps (classifier-free guidance), generate
    prompts       is_held_out, split_prompts: the captions seen and never seen in training
    evaluation    evaluate_prompts: the shapes judge checks each attribute the prompt asked for
"""
from __future__ import annotations

import torch.nn as nn

from ..diffusion import make_schedule
from ..diffusion.forward import per_sample
from .config import TextToImageConfig
from .encoder import TextEncoder, TextEncoderConfig, TextEncoding
from .text_unet import TextUNet, TextUNetConfig
from .tokenizer import Tokenizer


class TextToImage(nn.Module):
    """Tokenizer + text encoder + text-conditioned UNet. forward(xt, t, ids, mask) -> v;
    predict_eps(xt, t, v) -> eps for the samplers."""

    def __init__(self, tokenizer: Tokenizer, config: TextToImageConfig):
        super().__init__()
        self.tokenizer, self.config = tokenizer, config
        self.text_encoder = TextEncoder(TextEncoderConfig(vocab_size=len(tokenizer), max_length=tokenizer.max_length,
                                                          dim=config.text_dim, depth=config.text_depth))
        self.unet = TextUNet(TextUNetConfig(base_channels=config.base_channels, channel_mults=tuple(config.channel_mults),
                                            context_dim=config.text_dim, conditioning=config.conditioning))
        self.schedule = make_schedule(config.schedule, T=config.T)

    def forward(self, xt, t, ids, mask):
        """The network's raw output: the v prediction (B, C, H, W)."""
        return self.unet(xt, t, self.text_encoder(ids, mask))

    def predict_eps(self, xt, t, v):
        """eps = sqrt(1 - alpha_bar) xt + sqrt(alpha_bar) v (exact, from the definitions of xt and v)."""
        alpha_bar = per_sample(self.schedule.alpha_bar, t, xt)
        return (1 - alpha_bar).sqrt() * xt + alpha_bar.sqrt() * v

    def encode_prompts(self, prompts, *, unknown: str = "error") -> TextEncoding:
        """list of str -> TextEncoding; unknown words raise UnknownWordError (a ValueError)."""
        ids, mask = self.tokenizer(prompts, unknown=unknown)
        device = next(self.parameters()).device
        return self.text_encoder(ids.to(device), mask.to(device))
