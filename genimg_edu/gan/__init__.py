"""Chapter 05: GANs, the creative duet of a generator and a discriminator.

    toy2d     2-D toy data (gaussian, ring, grid), tiny MLP G and D, modes_covered
    training  discriminator_loss, generator_loss, gan_step (one D then one G update), GANTrainer
    dcgan     DCGAN and conditional GAN for the digits
    session   ToyGANSession: watch a GAN train, GAN Lab style (step, state, render)
    widgets   ToyGANWidget: Play/Pause, Step and live learning rates over a ToyGANSession
    interpolate_latents: walk in latent space between two z's

Notebook 05.
"""
from .dcgan import DCGANDiscriminator, DCGANGenerator
from .latent import interpolate_latents, slerp
from .session import ToyGANSession
from .toy2d import (TOY_DATASETS, MinibatchStd, ToyDiscriminator, ToyGenerator, grid_centres,
                    high_quality_fraction, mixture_of_gaussians, mode_radius, modes_covered, ring_centres,
                    sample_toy, toy_centres)
from .training import (LOSSES, GANConfig, GANTrainer, discriminator_loss, gan_step, generator_loss,
                       sample_latent)
from .widgets import ToyGANWidget

__all__ = ["DCGANDiscriminator", "DCGANGenerator", "GANConfig", "GANTrainer", "LOSSES", "MinibatchStd",
           "TOY_DATASETS", "ToyDiscriminator", "ToyGANSession", "ToyGANWidget", "ToyGenerator",
           "discriminator_loss", "gan_step", "generator_loss", "grid_centres", "high_quality_fraction",
           "interpolate_latents", "mixture_of_gaussians", "mode_radius", "modes_covered", "ring_centres",
           "sample_latent", "sample_toy", "slerp", "toy_centres"]
