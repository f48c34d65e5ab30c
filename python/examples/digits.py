"""From Keras to Swift: a small CNN for scikit-learn's digits (8x8 grey images, 1,797 of them),
trained in Keras, exported with cnnc_keras, then run by `cnnc run` and by the Swift `cnnc build`
writes. The README's walkthrough ("From Keras to Swift") runs it:

    python python/examples/digits.py train digits    # train, export, write the test set
    ... cnnc run / cnnc build / swiftc on the files in digits/ ...
    python python/examples/digits.py score digits    # the accuracy of each path; they must agree

`train` fixes every seed, so the same machine gives the same model each time. `score` exits 1 when
cnnc's or the Swift program's predictions differ from Keras's by more than the contract's tolerance
(absolute 1e-4 + relative 1e-4), or when any test image gets a different class.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np


def train(folder: Path, epochs: int) -> None:
    import keras
    from keras import layers as L
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    import cnnc_keras

    keras.utils.set_random_seed(0)
    digits = load_digits()
    images = digits.images.astype(np.float32)[..., np.newaxis]  # [1797, 8, 8, 1], values 0 to 16
    x_train, x_test, y_train, y_test = train_test_split(images, digits.target, test_size=0.25, random_state=0,
                                                        stratify=digits.target)
    model = keras.Sequential([
        keras.Input((8, 8, 1)),
        L.Rescaling(1 / 16),
        L.Conv2D(16, 3, padding="same", activation="relu"),
        L.BatchNormalization(),
        L.MaxPooling2D(),
        L.Conv2D(32, 3, padding="same", activation="relu"),
        L.Flatten(),
        L.Dropout(0.2),
        L.Dense(10, activation="softmax"),
    ], name="DigitsClassifier")
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=epochs, batch_size=32, verbose=0)

    folder.mkdir(parents=True, exist_ok=True)
    cnnc_keras.export(model, folder / "digits.yaml", folder / "digits.safetensors")
    probabilities = model.predict(x_test, verbose=0)
    np.save(folder / "test_images.npy", x_test)
    np.save(folder / "test_labels.npy", y_test)
    np.save(folder / "keras.npy", probabilities)
    print(f"trained {epochs} epochs on {len(x_train)} images; wrote {folder}/digits.yaml, digits.safetensors and "
          f"the {len(x_test)} test images (test_images.npy)")
    print(f"Keras accuracy on the test set: {accuracy(probabilities, y_test):.2%}")


def accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.argmax(probabilities, axis=1) == labels))


def score(folder: Path) -> int:
    labels = np.load(folder / "test_labels.npy")
    keras_output = np.load(folder / "keras.npy")
    failures = 0
    for name, file in (("Keras", "keras.npy"), ("cnnc run", "cnnc.npy"), ("generated Swift", "swift.npy")):
        output = np.load(folder / file)
        difference = np.max(np.abs(output - keras_output))
        agrees = (output.shape == keras_output.shape
                  and bool(np.all(np.abs(output - keras_output) <= 1e-4 + 1e-4 * np.abs(keras_output)))
                  and np.array_equal(np.argmax(output, axis=1), np.argmax(keras_output, axis=1)))
        failures += not agrees
        print(f"{name:16} accuracy {accuracy(output, labels):.2%}  max |difference from Keras| {difference:.1e}"
              f"{'' if agrees else '  DIFFERS'}")
    return 1 if failures else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=["train", "score"])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("KERAS_BACKEND", "jax")
    if args.step == "train":
        train(args.folder, args.epochs)
        return 0
    return score(args.folder)


if __name__ == "__main__":
    sys.exit(main())
