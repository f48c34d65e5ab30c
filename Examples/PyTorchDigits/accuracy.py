"""Prints the accuracy of a batch of digit scores against the test labels beside this file.

    python3 Examples/PyTorchDigits/accuracy.py SCORES.npy   # needs numpy
"""
import os
import sys

import numpy as np

scores = np.load(sys.argv[1])
labels = np.load(os.path.join(os.path.dirname(os.path.abspath(__file__)), "test_labels.npy"))
right = int((scores.argmax(axis=1) == labels).sum())
print(f"accuracy {right / len(labels):.4f} ({right} of {len(labels)})")
