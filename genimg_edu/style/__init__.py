"""Chapter 09: neural style transfer -- content loss, style loss, total loss; offline and measured.

    losses.py      gram_matrix, content_loss, style_loss, total_variation_loss, total_loss
    features.py    RandomFeatures (offline default), VGG19Features (opt-in download), PixelPatches
    optimise.py    StyleConfig, stylise (Gatys: Adam or L-BFGS, pixels through a sigmoid)
    feedforward.py StyleNet, train_feedforward, stylise_fast (Johnson et al.: one pass, one style)
    adain.py       adain (Huang & Belongie: match channel mean and std)
    images.py      style_image (procedural styles), texture_image, content_image
    judge.py       load_style_judge (an independent classifier of the procedural styles)
    widgets.py     StyleSession, StyleTransferWidget, UploadWidget, image_from_bytes
"""
from .adain import adain, grey_ssim
from .features import (FEATURE_NETS, IMAGENET_MEAN, IMAGENET_STD, VGG19_CONVS, PixelPatches, RandomFeatures,
                       VGG19Features, check_image, feature_net)
from .feedforward import FeedForwardConfig, StyleNet, stylise_fast, train_feedforward
from .images import CONTENT_PHOTOS, STYLES, content_image, style_image, texture_image
from .judge import STYLE_TEST_SEEDS, STYLE_TRAIN_SEEDS, StyleJudge, load_style_judge, train_style_judge
from .losses import content_loss, gram_matrix, style_loss, total_loss, total_variation_loss
from .optimise import StyleConfig, StyleProblem, StyleResult, stylise

__all__ = ["CONTENT_PHOTOS", "FEATURE_NETS", "IMAGENET_MEAN", "IMAGENET_STD", "STYLES", "STYLE_TEST_SEEDS",
           "STYLE_TRAIN_SEEDS", "VGG19_CONVS", "FeedForwardConfig", "PixelPatches", "RandomFeatures", "StyleConfig",
           "StyleJudge", "StyleNet", "StyleProblem", "StyleResult", "VGG19Features", "adain", "check_image",
           "content_image", "content_loss", "feature_net", "gram_matrix", "grey_ssim", "load_style_judge",
           "style_image", "style_loss", "stylise", "stylise_fast", "texture_image", "total_loss",
           "total_variation_loss", "train_feedforward", "train_style_judge"]
