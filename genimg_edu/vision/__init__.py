"""Chapter 03, computer vision: a small convolutional classifier and ways to look inside it. Notebook 03.

    models        SmallCNN: two conv blocks (3x3 conv, ReLU, 2x2 max-pool) and a linear layer; with an int
                  `num_classes` it returns (N, K) logits, with a dict {"shape": 4, "colour": 5, ...} one head
                  each; conv_output_size
    training      train_classifier (the course's generic `train()` with a cross-entropy loss), accuracy
    features      feature_maps, first_layer_filters: what each layer computes, as pictures
    saliency      saliency: which pixels the class score is most sensitive to (Simonyan et al. 2014)
    robustness    noise_robustness: accuracy as Gaussian noise grows

Images are (N, C, H, W) in [0, 1]. The course's judges (`genimg_edu.metrics`) are the same idea, a
little deeper and trained with augmentation.
"""
from .features import feature_maps, first_layer_filters
from .models import SmallCNN, check_input, conv_output_size, head_logits
from .robustness import noise_robustness
from .saliency import saliency
from .training import accuracy, classifier_loss, train_classifier

__all__ = ["SmallCNN", "accuracy", "check_input", "classifier_loss", "conv_output_size", "feature_maps",
           "first_layer_filters", "head_logits", "noise_robustness", "saliency", "train_classifier"]
