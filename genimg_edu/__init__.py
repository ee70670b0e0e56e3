"""genimg_edu: the helper library of the genimg-edu course on how AI image generation works.

One module (or small folder) per chapter, plus plumbing:

    device          pick_device, seed_everything, fast mode, caches         (notebook 00)
    data            load_dataset: digits, shapes, photos, textures, faces, mnist...
    pixels          images as numbers, colour spaces, convolution          (notebook 01)
    neural_nets     a neuron and an MLP from scratch, then torch.nn         (notebook 02)
    vision, metrics a CNN and its saliency; the judges that grade images   (notebook 03)
    autoencoders    autoencoder, VAE, latent space                          (notebook 04)
    gan             the adversarial game: toy 2-D, DCGAN, conditional GAN   (notebook 05)
    diffusion       schedules, DDPM/DDIM, guidance, flow matching, diffusers (notebooks 06a, 06b)
    text            tokens, text encoder, mini-CLIP, text-to-image, SD anatomy (notebooks 07, 08)

    train, checkpoint   a small generic training loop with safe, resumable checkpoints
    viz, widgets        image grids, animations, loss plots; widgets over pure functions
    exercises           q1.check() / q1.hint() / q1.solution() for every chapter
"""
__version__ = "0.1.0"
