"""ONNX models for `cnnc import`'s tests, with inputs and ONNX Runtime's outputs.

The PyTorch models are exported by torch.onnx.export as users call it; the older forms of the ONNX
model zoo (operator sets 7 to 9: Sum, Unsqueeze, Upsample, Reshape by an initializer, scales and
shifts after a batch norm) are written with onnx.helper, since current exporters no longer write
them. Everything is seeded, so the files are the same on every run.

Made with torch 2.15.0, onnx 1.23.2 and onnxruntime 1.32.0 (pip install torch onnx onnxscript
onnxruntime), and committed, so the tests need none of them:

    python3 Tests/OnnxFixtures/make_fixtures.py Tests/cnncTests/Fixtures/onnx

Each model NAME gets NAME.onnx (and NAME.onnx.data for the dynamo exporter's weights), NAME.input.npy (channels-last, as `cnnc run` reads it) and
NAME.expected.npy (ONNX Runtime's output; a feature map's is made channels-last too).
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime
from onnx import TensorProto, helper, numpy_helper


def torch_models():
    import torch
    from torch import nn

    class Digits(nn.Module):
        """A small classifier for 8×8 digits: the flatten after a 2×2×16 map permutes the dense rows."""
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
            self.classifier = nn.Sequential(
                nn.Flatten(), nn.Linear(16 * 2 * 2, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 10), nn.Softmax(dim=1))

        def forward(self, x):
            return self.classifier(self.features(x))

    class BasicBlock(nn.Module):
        def __init__(self, inputs, outputs, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(inputs, outputs, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(outputs)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(outputs, outputs, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(outputs)
            self.downsample = nn.Sequential(nn.Conv2d(inputs, outputs, 1, stride, bias=False), nn.BatchNorm2d(outputs)) \
                if stride != 1 or inputs != outputs else None

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return self.relu(out + identity)

    class TinyResNet(nn.Module):
        """torchvision's ResNet layout at a small size: a 7×7 stem padded by 3, a max pool padded by 1."""
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 16, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(16)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            self.layer1 = nn.Sequential(BasicBlock(16, 16, 1), BasicBlock(16, 16, 1))
            self.layer2 = nn.Sequential(BasicBlock(16, 32, 2))
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(32, 7)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer2(self.layer1(x))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    class SqueezeExcite(nn.Module):
        def __init__(self, channels):
            super().__init__()
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc1 = nn.Conv2d(channels, channels // 4, 1)
            self.relu = nn.ReLU()
            self.fc2 = nn.Conv2d(channels // 4, channels, 1)
            self.gate = nn.Hardsigmoid()

        def forward(self, x):
            return x * self.gate(self.fc2(self.relu(self.fc1(self.pool(x)))))

    class Mobile(nn.Module):
        """MobileNet and EfficientNet pieces: depthwise convolutions, relu6, hardswish, SiLU,
        squeeze-and-excitation, a grouped stride-2 depthwise with asymmetric needs, leaky relu,
        average pooling that counts its padding."""
        def __init__(self):
            super().__init__()
            self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.Hardswish())
            self.dw = nn.Sequential(nn.Conv2d(16, 16, 3, 1, 1, groups=16, bias=False), nn.BatchNorm2d(16), nn.ReLU6())
            self.se = SqueezeExcite(16)
            self.project = nn.Sequential(nn.Conv2d(16, 24, 1, bias=False), nn.BatchNorm2d(24))
            self.expand = nn.Sequential(nn.Conv2d(24, 48, 1), nn.SiLU())
            self.dw2 = nn.Sequential(nn.Conv2d(48, 96, 5, 2, 2, groups=48), nn.LeakyReLU(0.1))
            self.pool = nn.AvgPool2d(3, 1, 1, count_include_pad=True)
            self.head = nn.Sequential(nn.AdaptiveMaxPool2d(1), nn.Flatten(), nn.Linear(96, 5), nn.Tanh())

        def forward(self, x):
            x = self.stem(x)
            x = self.se(self.dw(x))
            x = self.project(x)
            x = x + x * 0.5
            return self.head(self.pool(self.dw2(self.expand(x))))

    class Decoder(nn.Module):
        """A U-Net's upward path: transposed convolutions (k4 s2 p1, and k3 s2 p1 with output
        padding), nearest and bilinear upsampling, concatenation, zero padding, a sigmoid map out."""
        def __init__(self):
            super().__init__()
            self.down = nn.Sequential(nn.Conv2d(2, 8, 3, 2, 1), nn.ReLU())
            self.up1 = nn.ConvTranspose2d(8, 8, 4, 2, 1)
            self.up2 = nn.ConvTranspose2d(8, 4, 3, 2, 1, output_padding=1)
            self.nearest = nn.Upsample(scale_factor=4, mode="nearest")
            self.bilinear = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
            self.pad = nn.ZeroPad2d((1, 0, 2, 1))
            self.out = nn.Conv2d(4 + 8 + 8, 3, 3)

        def forward(self, x):
            d = self.down(x)
            u = self.up2(torch.relu(self.up1(d)))
            n = self.nearest(d)
            b = self.bilinear(torch.relu(self.up1(d)) * 1.0)
            b = nn.functional.avg_pool2d(b, 2)
            m = torch.cat([u, n, nn.functional.interpolate(b, scale_factor=2, mode="bilinear", align_corners=False)], 1)
            return torch.sigmoid(self.out(self.pad(m)))

    return [
        ("torch_digits", Digits(), (1, 8, 8)),
        ("torch_resnet", TinyResNet(), (3, 32, 32)),
        ("torch_mobile", Mobile(), (3, 24, 24)),
        ("torch_decoder", Decoder(), (2, 12, 10)),
    ]


def export_torch(directory):
    import torch
    torch.manual_seed(7)
    for name, model, shape in torch_models():
        # Trained-looking batch norms: statistics and affine parameters away from 0 and 1.
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                with torch.no_grad():
                    module.running_mean.uniform_(-0.5, 0.5)
                    module.running_var.uniform_(0.5, 2.0)
                    module.weight.uniform_(0.5, 1.5)
                    module.bias.uniform_(-0.3, 0.3)
        model.eval()
        example = torch.randn(3, *shape)
        path = os.path.join(directory, name + ".onnx")
        # The exporter most users have met (TorchScript-based), with a symbolic batch axis.
        torch.onnx.export(model, (example,), path, input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, opset_version=17, dynamo=False)
        save_reference(directory, name, example.numpy())


def export_dynamo(directory):
    """torch.onnx.export's default since torch 2.9 (the dynamo exporter): operator set 20, nodes
    named node_Conv_12 with their modules in metadata, batch norms folded by its optimizer, and the
    weights in NAME.onnx.data beside the model."""
    import torch
    torch.manual_seed(11)
    name, model, shape = [entry for entry in torch_models() if entry[0] == "torch_resnet"][0]
    for module in model.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            with torch.no_grad():
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
    model.eval()
    example = torch.randn(2, *shape)
    path = os.path.join(directory, "dynamo_resnet.onnx")
    torch.onnx.export(model, (example,), path, input_names=["input"], output_names=["output"],
                      dynamic_shapes=({0: torch.export.Dim("N")},), external_data=True)
    save_reference(directory, "dynamo_resnet", example.numpy())


def export_gelu(directory):
    """GELU as the TorchScript exporter writes it before operator set 20: Div by √2, Erf, Add 1,
    Mul by x, Mul by 0.5; the importer reads the pattern back as one gelu."""
    import torch
    from torch import nn
    torch.manual_seed(13)
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.GELU(), nn.Conv2d(8, 8, 3, stride=2), nn.GELU(),
                          nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4))
    model.eval()
    example = torch.randn(2, 3, 9, 9) * 2
    torch.onnx.export(model, (example,), os.path.join(directory, "torch_gelu.onnx"), input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, opset_version=17,
                      dynamo=False)
    save_reference(directory, "torch_gelu", example.numpy())


def zoo_model(directory):
    """The forms of the ONNX model zoo's opset 7–9 CNNs (ResNet-50 v1, SqueezeNet, VGG-19,
    DenseNet-121): BatchNormalization with spatial, Mul and Add constants after it, Sum of three,
    Unsqueeze, Upsample, Reshape by an initializer, Pad with attribute pads, Gemm with transB."""
    rng = np.random.default_rng(3)

    def tensor(name, array):
        return numpy_helper.from_array(np.asarray(array, dtype=np.float32), name)

    c = 6
    initializers = [
        tensor("conv0_w", rng.normal(0, 0.4, (c, 3, 3, 3))), tensor("conv0_b", rng.normal(0, 0.1, c)),
        tensor("bn_scale", rng.uniform(0.5, 1.5, c)), tensor("bn_bias", rng.normal(0, 0.2, c)),
        tensor("bn_mean", rng.normal(0, 0.2, c)), tensor("bn_var", rng.uniform(0.5, 2, c)),
        tensor("mul_c", rng.uniform(0.5, 1.5, (c, 1, 1))), tensor("add_c", rng.normal(0, 0.3, (c, 1, 1))),
        tensor("conv1_w", rng.normal(0, 0.3, (c, c, 1, 1))),
        tensor("conv2_w", rng.normal(0, 0.3, (c, c, 3, 3))), tensor("conv2_b", rng.normal(0, 0.1, c)),
        tensor("fc_w", rng.normal(0, 0.2, (4, c * 4 * 4))), tensor("fc_b", rng.normal(0, 0.1, 4)),
        numpy_helper.from_array(np.array([0, -1], dtype=np.int64), "flat_shape"),
        tensor("scales", [1, 1, 2, 2]),
    ]
    nodes = [
        helper.make_node("Pad", ["input"], ["padded"], pads=[0, 0, 1, 1, 0, 0, 1, 1], mode="constant", value=0.0),
        helper.make_node("Conv", ["padded", "conv0_w", "conv0_b"], ["conv0"], kernel_shape=[3, 3], strides=[2, 2]),
        helper.make_node("BatchNormalization", ["conv0", "bn_scale", "bn_bias", "bn_mean", "bn_var"], ["bn"],
                         epsilon=1e-5),
        helper.make_node("Mul", ["bn", "mul_c"], ["scaled"]),
        helper.make_node("Add", ["scaled", "add_c"], ["shifted"]),
        helper.make_node("Relu", ["shifted"], ["relu0"]),
        helper.make_node("Conv", ["relu0", "conv1_w"], ["conv1"], kernel_shape=[1, 1]),
        helper.make_node("Conv", ["relu0", "conv2_w", "conv2_b"], ["conv2"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Sum", ["relu0", "conv1", "conv2"], ["sum"]),
        helper.make_node("Relu", ["sum"], ["relu1"]),
        helper.make_node("MaxPool", ["relu1"], ["pool"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Upsample", ["pool", "scales"], ["up"], mode="nearest"),
        helper.make_node("AveragePool", ["up"], ["avg"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Reshape", ["avg", "flat_shape"], ["flat"]),
        helper.make_node("Gemm", ["flat", "fc_w", "fc_b"], ["logits"], transB=1),
        helper.make_node("Softmax", ["logits"], ["output"]),
    ]
    graph = helper.make_graph(
        nodes, "zoo_opset9", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 16, 16])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 4])], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9)], producer_name="onnx.helper")
    model.ir_version = 4
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, os.path.join(directory, "zoo_opset9.onnx"))
    save_reference(directory, "zoo_opset9", rng.normal(0, 1, (1, 3, 16, 16)).astype(np.float32))


def unsupported_model(directory):
    """Three nodes no spec expresses, after one that is fine: the error names all three."""
    rng = np.random.default_rng(5)
    initializers = [
        numpy_helper.from_array(rng.normal(0, 1, (4, 2, 3, 3)).astype(np.float32), "grouped_w"),
        numpy_helper.from_array(rng.normal(0, 1, (4, 4, 3, 3)).astype(np.float32), "w"),
    ]
    nodes = [
        helper.make_node("Conv", ["input", "w"], ["c0"], name="stem", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Conv", ["c0", "grouped_w"], ["c1"], name="grouped", kernel_shape=[3, 3], group=2),
        helper.make_node("LRN", ["c1"], ["c2"], name="norm", size=3),
        helper.make_node("Transpose", ["c2"], ["c3"], name="to_nhwc", perm=[0, 2, 3, 1]),
        helper.make_node("Relu", ["c3"], ["output"], name="relu"),
    ]
    graph = helper.make_graph(
        nodes, "unsupported", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 4, 8, 8])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, None)], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(model, os.path.join(directory, "unsupported.onnx"))


def save_reference(directory, name, batch):
    session = onnxruntime.InferenceSession(os.path.join(directory, name + ".onnx"), providers=["CPUExecutionProvider"])
    output = session.run(None, {session.get_inputs()[0].name: batch})[0]
    if output.ndim == 4:
        output = output.transpose(0, 2, 3, 1)
    np.save(os.path.join(directory, name + ".input.npy"), np.ascontiguousarray(batch.transpose(0, 2, 3, 1)))
    np.save(os.path.join(directory, name + ".expected.npy"), np.ascontiguousarray(output))


if __name__ == "__main__":
    directory = sys.argv[1] if len(sys.argv) > 1 else "Tests/cnncTests/Fixtures/onnx"
    os.makedirs(directory, exist_ok=True)
    export_torch(directory)
    export_dynamo(directory)
    export_gelu(directory)
    zoo_model(directory)
    unsupported_model(directory)
