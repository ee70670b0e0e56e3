"""Chapter 10 — ethics, hands-on and measured. One idea per file:

    detector      can we tell generated images from real ones? (spectrum + logistic regression, small CNN)
    generators    the course's own generators (chapters 05, 06), trained once and cached
    faceswap      the 2017 deepfake architecture: one shared encoder, one decoder per identity
    bias          a model inherits (and guidance amplifies) the skew of its data; reweighting
    memorisation  near-copies (Gu et al.'s ratio) and the closed-form optimal denoiser
    membership    was this image in the training set? loss-threshold attack, ROC AUC
    anonymise     offline face detection, blur, pixelate;  depixelate: a network that undoes pixelation
    watermark     an invisible DWT+DCT watermark from scratch;  robustness: attacks and the measured table
    credentials   C2PA content credentials signed offline with a generated test chain (optional extra)
    metadata      PNG text chunks: the fragile baseline
    widgets       sliders over pure functions
"""
