import CNNSpec

/// The validator's codes as rules, alphabetically: one per code of `GraphDiagnostics.swift`.
extension DiagnosticRule {
    /// The validator's rules.
    public static let graphRules: [DiagnosticRule] = [
        DiagnosticRule(
            .badValue, .error, "Value out of range",
            "A number is outside its range: a dropout rate not in [0, 1), an epsilon not above 0, a negative relu slope, cap or threshold, a negative variance."
        ),
        DiagnosticRule(
            .dropoutLast, .warning, "Dropout as the last layer",
            "The model ends in a dropout, which does nothing at inference."),
        DiagnosticRule(
            .duplicateName, .error, "Duplicate layer name",
            "Two layers have the same name, given or made from the type (conv2d, conv2d_1, …)."),
        DiagnosticRule(
            .forwardReference, .error, "Input defined later",
            "'inputs' names the layer itself or a layer defined after it; only earlier layers and 'input' can be read."),
        DiagnosticRule(
            .kernelTooLarge, .error, "Window larger than its input",
            "A convolution or pooling window with valid padding does not fit its input, which would shrink below 1; a note traces the shapes that led there."
        ),
        DiagnosticRule(
            .negativePadding, .error, "Negative padding", "A padding or cropping amount is negative."),
        DiagnosticRule(
            .nonPositive, .error, "Size not positive",
            "A size, stride, dilation, count or input dimension is 0 or negative (a reshape may have one -1)."),
        DiagnosticRule(
            .overActivationBudget, .error, "Activation over budget",
            "The largest float32 activation of one sample (the input or a layer's output) takes more bytes than max_activation_bytes in the spec's limits or cnnc check's --max-activation-bytes; the notes name the largest."
        ),
        DiagnosticRule(
            .overMACBudget, .error, "Multiply-adds over budget",
            "The model takes more multiply-adds per sample, as cnnc summary counts them, than max_macs in the spec's limits or cnnc check's --max-macs; the notes name the layers that take the most."
        ),
        DiagnosticRule(
            .overParamBudget, .error, "Parameters over budget",
            "The model has more parameters, as cnnc summary counts them, than max_params in the spec's limits or cnnc check's --max-params; the notes name the layers that have the most."
        ),
        DiagnosticRule(
            .redundantActivation, .warning, "Redundant activation",
            "An activation layer cannot change what the activation before it produced (relu after relu); reported at the second."
        ),
        DiagnosticRule(
            .shapeMismatch, .error, "Shapes do not match",
            "Merged inputs do not broadcast or concatenate, a reshape's sizes do not match its input, or a normalization's values do not match the channels."
        ),
        DiagnosticRule(
            .shapeShrink, .error, "Nothing left after cropping", "A cropping removes all rows or columns of its input."),
        DiagnosticRule(
            .softmaxNotLast, .warning, "Softmax before the last layer",
            "A softmax activation is on a layer other than the last; it usually belongs on the output only."),
        DiagnosticRule(
            .stridedDilation, .error, "Strides with dilation",
            "strides above 1 together with dilation_rate above 1, which Keras rejects."),
        DiagnosticRule(
            .tooFewInputs, .error, "Too few inputs", "A merge layer (add, concatenate, …) lists fewer than two inputs."),
        DiagnosticRule(
            .tooLarge, .error, "Tensor too large",
            "A tensor has more than 2^31 - 1 elements, or the model's parameter or multiply-add count does not fit in 64 bits."
        ),
        DiagnosticRule(
            .tooManyInputs, .error, "Too many inputs",
            "A layer that takes one input lists several; only the merge layers join inputs."),
        DiagnosticRule(
            .unknownActivation, .error, "Unknown activation",
            "An activation name that cnnc does not know (names are lowercase); a note suggests the closest one."),
        DiagnosticRule(
            .unknownName, .error, "Unknown layer name", "'inputs' names a layer that does not exist."),
        DiagnosticRule(
            .unknownType, .error, "Unknown layer type",
            "A layer type that cnnc does not know; a note suggests the spec's spelling of a Keras or PyTorch name."),
        DiagnosticRule(
            .unknownValue, .error, "Unknown value",
            "A word outside its key's set, such as padding other than valid or same."),
        DiagnosticRule(
            .unusedOutput, .warning, "Unused output",
            "A layer other than the last whose output no layer reads; only the last layer's output leaves the model."),
        DiagnosticRule(
            .wrongArity, .error, "Wrong number of inputs", "A subtract lists other than exactly two inputs."),
        DiagnosticRule(
            .wrongRank, .error, "Wrong rank",
            "A layer gets an input of the wrong rank (a convolution after flatten, dense on a feature map), or an input shape or reshape target is not [n] or [height, width, channels]."
        ),
    ]

    /// Every rule cnnc has, sorted by code: the rules of a SARIF log.
    public static var all: [DiagnosticRule] {
        (specRules + graphRules).sorted { $0.code.rawValue < $1.code.rawValue }
    }
}
