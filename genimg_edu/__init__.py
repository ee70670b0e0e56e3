"""genimg_edu: the helper library of the genimg-edu course on how AI image generation works.

One package per chapter, found by the chapter's name (each re-exports its public names; its
ipywidgets front ends live in its `widgets.py`):

    pixels            images as numbers, colour spaces, resolution, convolution     (notebook 01)
    neural_nets       a neuron and an MLP from scratch, then torch.nn                (notebook 02)
    vision, metrics   a CNN and its saliency; the judges that grade images          (notebook 03)
    autoencoders      autoencoder, VAE, latent space                                 (notebook 04)
    gan               the adversarial game: toy 2-D, DCGAN, conditional GAN          (notebook 05)
    diffusion         schedules, DDPM/DDIM, guidance, flow matching, diffusers       (notebooks 06a, 06b)
    text              tokens, text encoder, mini-CLIP, text-to-image                  (notebook 07)
    stable_diffusion  a mini Stable Diffusion: VAE, text encoder, UNet, pipeline     (notebook 08)
    style             style transfer: Gatys, AdaIN, a feed-forward net               (notebook 09)
    ethics            detectors, bias, memorisation, watermarks, provenance          (notebook 10)
    landscape         learning curves, synthetic data, compute, players, timeline    (notebook 11)
    exercises         q1.check() / q1.hint() / q1.solution() for every chapter

Plumbing (no chapter of its own; every chapter uses it; see docs/ARCHITECTURE.md, "Plumbing"):

    device            pick_device, seed_everything, fast mode, caches, single_thread  (notebook 00)
    data              load_dataset: digits, shapes, photos, textures, faces, mnist...
    train, ema        the one generic training loop (checkpoint/resume); weight averaging
    checkpoint        safe, atomic, resumable safetensors checkpoints
    viz, widgets      image grids, animations, loss plots; widgets over pure functions
    notebook          mode_banner, fast_note, show_source
    cli, runner       genimg-edu doctor | run | student
    colab, presets    the Colab install cell; laptop / gpu training presets
"""
__version__ = "0.1.0"
