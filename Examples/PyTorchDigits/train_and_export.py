"""How digits.onnx was made: a small CNN trained in PyTorch on scikit-learn's bundled digits
(8×8 grey images, 1,797 of them), exported with torch.onnx.export as any PyTorch user would.

    pip install torch onnx onnxscript scikit-learn
    python3 Examples/PyTorchDigits/train_and_export.py

It writes digits.onnx, test_images.npy (the held-out quarter, channels-last [N, 8, 8, 1] float32,
as `cnnc run` reads it) and test_labels.npy beside this file, and prints PyTorch's test accuracy.
The README's walkthrough goes on from there with cnnc alone.
"""
import os

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

here = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(0)
digits = load_digits()
images = (digits.images / 16.0).astype(np.float32)[:, None]  # [N, 1, 8, 8], PyTorch's layout
train_x, test_x, train_y, test_y = train_test_split(images, digits.target, test_size=0.25, random_state=0)

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(32 * 2 * 2, 64), nn.ReLU(), nn.Dropout(0.25), nn.Linear(64, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
x, y = torch.from_numpy(train_x), torch.from_numpy(train_y).long()
for epoch in range(30):
    model.train()
    for batch in torch.randperm(len(x)).split(64):
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
        optimizer.step()

model.eval()
with torch.no_grad():
    accuracy = (model(torch.from_numpy(test_x)).argmax(1).numpy() == test_y).mean()
print(f"PyTorch test accuracy: {accuracy:.4f} on {len(test_y)} images")

torch.onnx.export(model, (torch.from_numpy(test_x[:1]),), os.path.join(here, "digits.onnx"), input_names=["input"],
                  output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}}, dynamo=False)
np.save(os.path.join(here, "test_images.npy"), np.ascontiguousarray(test_x.transpose(0, 2, 3, 1)))
np.save(os.path.join(here, "test_labels.npy"), test_y.astype(np.int64))
