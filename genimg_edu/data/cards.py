"""Data cards: where every data set of the course comes from, under what licence, how it was
collected, and whether the people in it agreed. `ImageSet.card` returns the card of its data set.

    from genimg_edu.data import load_dataset
    print(load_dataset("faces").card)

Cards follow the spirit of "Datasheets for Datasets" (Gebru et al., 2018/2021) and "Data Cards"
(Pushkarna et al., 2022), cut down to the four questions chapter 10 asks. Facts carry their source
and date; "not stated" means the distributor gives no licence, which is not the same as permission.
Photos and textures list each scikit-image file's own note, read from the installed scikit-image.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataCard:
    """The four questions, plus where the answers come from."""

    name: str
    source: str        # who made or distributes it
    licence: str       # the terms it comes under, as stated by the distributor
    collection: str    # how the images were made or gathered
    consent: str       # did the people in it (or who made it) agree to this use?
    sources: tuple     # dated references for the statements above

    def __str__(self) -> str:
        lines = [f"Data card: {self.name}", f"  source:     {self.source}", f"  licence:    {self.licence}",
                 f"  collection: {self.collection}", f"  consent:    {self.consent}", "  sources:"]
        lines += [f"    - {s}" for s in self.sources]
        return "\n".join(lines)

    def _repr_markdown_(self) -> str:
        rows = "\n".join(f"| {k} | {v} |" for k, v in (("source", self.source), ("licence", self.licence),
                                                       ("collection", self.collection), ("consent", self.consent)))
        refs = "\n".join(f"- {s}" for s in self.sources)
        return f"**Data card: {self.name}**\n\n| question | answer |\n|---|---|\n{rows}\n\n{refs}"


CARDS = {
    "digits": DataCard(
        name="digits (scikit-learn's 8x8 handwritten digits)",
        source="UCI Machine Learning Repository, 'Optical Recognition of Handwritten Digits' (E. Alpaydin, "
               "C. Kaynak, 1998); shipped inside scikit-learn as load_digits (the test part of that set).",
        licence="CC BY 4.0 as listed by the UCI repository (attribution required).",
        collection="Forms filled in by 43 people; scanned bitmaps of 32x32 were reduced to 8x8 counts of ink "
                   "(0..16) per 4x4 block by NIST's preprocessing programs.",
        consent="Written for the purpose of building the data set; no personal data beyond handwriting.",
        sources=("Alpaydin & Kaynak (1998), UCI Machine Learning Repository, dataset 80",
                 "scikit-learn documentation, 'Optical recognition of handwritten digits dataset' (2007-)")),
    "shapes": DataCard(
        name="shapes (rendered by this course)",
        source="genimg_edu.data.shapes: drawn procedurally from a seed, on your machine.",
        licence="MIT, like the rest of the course code; the images are outputs of that code.",
        collection="Five attributes (shape, colour, size, position, background) are drawn at random "
                   "(optionally skewed by `weights`) and rendered with anti-aliasing.",
        consent="No people, no authors' works: nothing to consent to. Its skews are the ones we choose.",
        sources=("genimg_edu/data/shapes.py (this repository)",)),
    "faces": DataCard(
        name="faces (scikit-image's LFW subset: 100 faces, 100 non-faces, 25x25)",
        source="Labeled Faces in the Wild (Huang, Ramesh, Berg & Learned-Miller, UMass Amherst, 2007); "
               "a 200-image subset is shipped inside scikit-image as data.lfw_subset.",
        licence="Not stated for the images by LFW; the photographs' copyrights belong to their news "
                "photographers or agencies. scikit-image (a BSD-3 project) ships the subset without a separate image licence.",
        collection="News photographs gathered from the web (the 'Faces in the News' collection, Berg et al. "
                   "2004, from Yahoo News 2002-2003), faces found with a detector and labelled with names.",
        consent="No: the people photographed (public figures in the news) were not asked. LFW's own page "
                "warns it should not be used to conclude that an algorithm is fit for commercial purposes.",
        sources=("Huang et al. (2007), 'Labeled Faces in the Wild', UMass Amherst technical report 07-49",
                 "Berg et al. (2004), 'Names and Faces in the News', CVPR 2004",
                 "scikit-image documentation, skimage.data.lfw_subset")),
    "mnist": DataCard(
        name="MNIST (online, torchvision)",
        source="LeCun, Cortes & Burges (1998), remixed from NIST Special Databases 1 and 3.",
        licence="Not stated by the original distributors; widely redistributed.",
        collection="Digits written by US Census Bureau employees (SD-3) and high-school students (SD-1).",
        consent="Collected by NIST for recognition research; no personal data beyond handwriting.",
        sources=("LeCun et al. (1998), 'Gradient-based learning applied to document recognition', Proc. IEEE",)),
    "fashion_mnist": DataCard(
        name="Fashion-MNIST (online, torchvision)",
        source="Zalando Research (Xiao, Rasul & Vollgraf, 2017).",
        licence="MIT (stated in the zalandoresearch/fashion-mnist repository).",
        collection="Product photos from Zalando's own catalogue, converted to 28x28 grey.",
        consent="The company's own product images; no people's faces.",
        sources=("Xiao et al. (2017), arXiv:1708.07747",)),
    "cifar10": DataCard(
        name="CIFAR-10 (online, torchvision)",
        source="Krizhevsky (2009), a labelled subset of the '80 Million Tiny Images' collection.",
        licence="Not stated for the images, which were found by web image searches.",
        collection="Images returned by search engines for WordNet nouns (Torralba, Fergus & Freeman 2008), "
                   "relabelled by paid students.",
        consent="No: photographers and people pictured were not asked. The parent 80 Million Tiny Images set "
                "was withdrawn by its authors in June 2020 after offensive labels and images were found in it.",
        sources=("Krizhevsky (2009), 'Learning Multiple Layers of Features from Tiny Images', tech. report",
                 "Torralba, Fergus & Freeman (2008), IEEE TPAMI 30(11)",
                 "Birhane & Prabhu (2021), 'Large image datasets: A pyrrhic win for computer vision?', WACV; "
                 "withdrawal notice by the authors, 29 June 2020")),
}


def _skimage_notes(names) -> str:
    """Each scikit-image file's copyright note, read from its loader's docstring."""
    import skimage
    import skimage.data

    from .images import _SKIMAGE_NAMES
    notes = []
    for name in names:
        doc = getattr(skimage.data, _SKIMAGE_NAMES[name]).__doc__ or ""
        lines = [line.strip() for line in doc.splitlines()
                 if any(word in line.lower() for word in ("copyright", "public domain", "cc0", "cc-by", "licen"))]
        notes.append(f"{name}: {' '.join(lines) if lines else 'no note in scikit-image ' + skimage.__version__}")
    return "; ".join(notes)


def card(name: str) -> DataCard:
    """The data card of a course data set (the names `load_dataset` takes)."""
    if name in ("photos", "textures"):
        from .images import PHOTOS, TEXTURES
        names = PHOTOS if name == "photos" else TEXTURES
        return DataCard(
            name=f"{name} (scikit-image's bundled images)",
            source="scikit-image's sample data (skimage.data), installed with scikit-image.",
            licence="Per image, as scikit-image documents it: " + _skimage_notes(names),
            collection="Gathered by the scikit-image developers from contributors and public-domain archives "
                       "(NASA, the Hubble telescope, photographers who released their pictures).",
            consent="Mostly objects and scenes; 'astronaut' shows Eileen Collins in an official NASA portrait. "
                    "The 'camera' image was replaced in scikit-image 0.18 (2020) because its copyright status "
                    "was unclear.",
            sources=("scikit-image documentation, skimage.data (read from the installed version)",
                     "scikit-image issue #3927 (2019): replacing the 'camera' image"))
    if name not in CARDS:
        raise ValueError(f"no data card for {name!r}; choose one of {sorted([*CARDS, 'photos', 'textures'])}")
    return CARDS[name]
