"""Chapter 04: autoencoders and VAEs on 8x8 digits; denoising, compression, latent spaces. Notebook 04."""
from .latent import decode, decode_grid, decode_point, encode, interpolate, latent_grid, neighbour_accuracy
from .models import VAE, Autoencoder, VAELoss, kl_to_standard_normal, reparameterise, vae_loss
from .training import (PCA, add_noise, autoencoder_loss, compression_curve, mse, psnr, reconstruct,
                       train_autoencoder, vae_batch_loss)
from .widgets import LatentExplorer, draw_point, interpolation_view, point_view

__all__ = ["add_noise", "Autoencoder", "autoencoder_loss", "compression_curve", "decode",
           "decode_grid", "decode_point", "draw_point", "encode", "interpolate",
           "interpolation_view", "kl_to_standard_normal", "latent_grid", "LatentExplorer", "mse",
           "neighbour_accuracy", "PCA", "point_view", "psnr", "reconstruct", "reparameterise",
           "train_autoencoder", "VAE", "vae_batch_loss", "vae_loss", "VAELoss"]
