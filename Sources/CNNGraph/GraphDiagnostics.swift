import CNNSpec

/// The validator's diagnostics, alphabetically. Each factory fixes its code and wording.
extension DiagnosticCode {
    public static let badValue = DiagnosticCode(rawValue: "bad-value")
    public static let dropoutLast = DiagnosticCode(rawValue: "dropout-last")
    public static let duplicateName = DiagnosticCode(rawValue: "duplicate-name")
    public static let forwardReference = DiagnosticCode(rawValue: "forward-reference")
    public static let kernelTooLarge = DiagnosticCode(rawValue: "kernel-too-large")
    public static let nonPositive = DiagnosticCode(rawValue: "non-positive")
    public static let negativePadding = DiagnosticCode(rawValue: "negative-padding")
    public static let overActivationBudget = DiagnosticCode(rawValue: "over-activation-budget")
    public static let overMACBudget = DiagnosticCode(rawValue: "over-mac-budget")
    public static let overParamBudget = DiagnosticCode(rawValue: "over-param-budget")
    public static let redundantActivation = DiagnosticCode(rawValue: "redundant-activation")
    public static let shapeMismatch = DiagnosticCode(rawValue: "shape-mismatch")
    public static let shapeShrink = DiagnosticCode(rawValue: "shape-shrink")
    public static let softmaxNotLast = DiagnosticCode(rawValue: "softmax-not-last")
    public static let stridedDilation = DiagnosticCode(rawValue: "strided-dilation")
    public static let tooFewInputs = DiagnosticCode(rawValue: "too-few-inputs")
    public static let tooLarge = DiagnosticCode(rawValue: "too-large")
    public static let tooManyInputs = DiagnosticCode(rawValue: "too-many-inputs")
    public static let unknownActivation = DiagnosticCode(rawValue: "unknown-activation")
    public static let unknownName = DiagnosticCode(rawValue: "unknown-name")
    public static let unknownType = DiagnosticCode(rawValue: "unknown-type")
    public static let unknownValue = DiagnosticCode(rawValue: "unknown-value")
    public static let unusedOutput = DiagnosticCode(rawValue: "unused-output")
    public static let wrongArity = DiagnosticCode(rawValue: "wrong-arity")
    public static let wrongRank = DiagnosticCode(rawValue: "wrong-rank")
}

extension Diagnostic {
    static func badTargetRank(_ rank: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(
            .error, .wrongRank, "'target_shape' has \(rank) sizes; a reshape makes [n] or [height, width, channels]",
            at: location)
    }

    static func badTargetSize(_ size: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .nonPositive, "'target_shape' has \(size); sizes must be positive, or one -1 for what is left", at: location)
    }

    static func croppingTooLarge(_ crop: Padding2D, input: TensorShape, layer: String, at location: SourceLocation) -> Diagnostic {
        let rows = crop.top + crop.bottom >= input.height
        let (cut, axis, size) =
            rows
            ? (crop.top &+ crop.bottom, "rows", input.height) : (crop.left &+ crop.right, "columns", input.width)
        return Diagnostic(
            .error, .shapeShrink,
            "cropping \(cut) of \(size) \(axis) of the \(input) input leaves nothing of layer '\(layer)'s output",
            at: location)
    }

    static func dropoutLast(layer: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.warning, .dropoutLast, "dropout '\(layer)' is the last layer; at inference it does nothing", at: location)
    }

    static func duplicateName(_ name: String, at location: SourceLocation, first: SourceLocation, firstIsAutomatic: Bool) -> Diagnostic {
        Diagnostic(.error, .duplicateName, "duplicate layer name '\(name)'", at: location)
            .noting(firstIsAutomatic ? "an unnamed layer here is automatically named '\(name)'" : "'\(name)' is first used here", at: first)
    }

    static func forwardReference(_ name: String, layer: String, at location: SourceLocation, definition: SourceLocation) -> Diagnostic {
        let message =
            name == layer
            ? "layer '\(layer)' cannot take its own output as input"
            : "layer '\(layer)' takes '\(name)', which is defined after it"
        return Diagnostic(.error, .forwardReference, message, at: location)
            .noting("'inputs' may only name earlier layers or 'input'", at: name == layer ? nil : definition)
    }

    static func emptyList(key: String, expected: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .wrongType, "'\(key)' is an empty list; it must be \(expected)", at: location)
    }

    static func kernelTooLarge(what: String, kernel: Size2D, effective: Size2D, input: Size2D, layer: String, at location: SourceLocation) -> Diagnostic {
        let dilated = effective != kernel ? " (\(effective) with dilation)" : ""
        return Diagnostic(
            .error, .kernelTooLarge,
            "\(what) \(kernel)\(dilated) is larger than the \(input) input of \(layer) (valid padding)", at: location)
    }

    static func mergeMismatch(operation: String, detail: String, layer: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .shapeMismatch, "\(operation) '\(layer)' cannot join inputs \(detail)", at: location)
    }

    static func normalizationLength(key: String, count: Int, channels: Int, layer: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(
            .error, .shapeMismatch,
            "'\(key)' of layer '\(layer)' has \(count) values for a \(channels)-channel input", at: location)
            .noting("give one value per channel, or one number for all of them")
    }

    static func numberOutOfRange(key: String, value: Double, expected: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .badValue, "'\(key)' is \(SpecValue.format(value)); it must be \(expected)", at: location)
    }

    static func outOfRange(key: String, value: Int, minimum: Int, at location: SourceLocation) -> Diagnostic {
        minimum > 0
            ? Diagnostic(.error, .nonPositive, "'\(key)' is \(value); it must be positive", at: location)
            : Diagnostic(
                .error, .negativePadding,
                "'\(key)' is \(value); \(key == "cropping" ? "cropping" : "padding") cannot be negative", at: location)
    }

    /// A model over a budget; `setting` names what set the limit (`max_params`, `--max-params`).
    static func overBudget(_ budget: Budget, total: Int, limit: Int, setBy setting: String, at location: SourceLocation) -> Diagnostic {
        let count =
            switch budget {
            case .params: "the model has \(ModelSummary.grouped(total)) parameters"
            case .macs: "the model takes \(ModelSummary.grouped(total)) multiply-adds per sample"
            case .activationBytes: "the largest activation takes \(ModelSummary.grouped(total)) bytes per sample"
            }
        return Diagnostic(.error, budget.code, "\(count), over the \(setting) budget of \(ModelSummary.grouped(limit))", at: location)
    }

    static func reshapeSize(count: Int, input: TensorShape, target: [Int], layer: String, at location: SourceLocation) -> Diagnostic {
        let size = TensorShape.product(target.filter { $0 != -1 }).map { target.contains(-1) ? "a multiple of \($0)" : "\($0)" } ?? "too many"
        return Diagnostic(
            .error, .shapeMismatch,
            "reshape '\(layer)' cannot make \(target) (\(size) values) of the \(input) input (\(count) values)", at: location)
    }

    static func redundantActivation(_ second: Activation, after first: Activation, producer: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(
            .warning, .redundantActivation,
            "activation '\(second.rawValue)' has no effect after '\(first.rawValue)' of layer '\(producer)'", at: location)
    }

    static func softmaxNotLast(layer: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.warning, .softmaxNotLast, "softmax on layer '\(layer)', which is not the last layer", at: location)
            .noting("softmax turns the last axis into probabilities; it usually belongs on the output layer only")
    }

    static func tooFewInputs(layer: String, type: String, count: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .tooFewInputs, "\(type) '\(layer)' needs at least 2 inputs, found \(count)", at: location)
            .noting("list them, e.g. 'inputs: [branch_a, branch_b]'")
    }

    static func subtractArity(layer: String, count: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .wrongArity, "subtract '\(layer)' takes exactly two inputs, found \(count)", at: location)
            .noting("subtract computes first − second; chain two layers for more")
    }

    static func tooLarge(layer: String, what: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(
            .error, .tooLarge,
            "\(what) of layer '\(layer)' has more than \(TensorShape.maximumElements) elements", at: location)
    }

    static func tooLargeInput(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .tooLarge, "the input has more than \(TensorShape.maximumElements) elements", at: location)
    }

    static func tooLargeTotal(_ what: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .tooLarge, "the model's total \(what) does not fit in a 64-bit integer", at: location)
    }

    static func tooManyInputs(layer: String, type: String, count: Int, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .tooManyInputs, "\(type) '\(layer)' takes one input, but 'inputs' names \(count)", at: location)
            .noting("only add and concatenate join several inputs")
    }

    static func stridedDilation(strides: Size2D, dilation: Size2D, at location: SourceLocation) -> Diagnostic {
        Diagnostic(
            .error, .stridedDilation,
            "strides \(strides) cannot be combined with dilation_rate \(dilation); Keras allows one of them above 1",
            at: location)
    }

    static func unknownActivation(_ name: String, at location: SourceLocation) -> Diagnostic {
        let lowered = Activation(spelling: name.lowercased()) != nil ? name.lowercased() : nil
        let diagnostic = Diagnostic(.error, .unknownActivation, "unknown activation '\(name)'", at: location)
        if let suggestion = lowered ?? Suggestions.closest(to: name, in: Activation.spellings) {
            return diagnostic.suggesting(suggestion)
        }
        return diagnostic.noting("activations: \(Activation.spellings.joined(separator: ", "))")
    }

    static func unknownName(_ name: String, layer: String, candidates: [String], at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .unknownName, "layer '\(layer)' takes '\(name)', but no layer has that name", at: location)
            .suggesting(Suggestions.closest(to: name, in: candidates))
    }

    static func unknownType(_ type: String, at location: SourceLocation) -> Diagnostic {
        let diagnostic = Diagnostic(.error, .unknownType, "unknown layer type '\(type)'", at: location)
        if let suggestion = OperationKind.suggestion(for: type) { return diagnostic.suggesting(suggestion) }
        if Activation(spelling: type.lowercased()) != nil {
            return diagnostic.noting("for an activation layer, write 'type: activation' and 'activation: \(type.lowercased())'")
        }
        return diagnostic.noting("layer types: \(OperationKind.allCases.map(\.rawValue).joined(separator: ", "))")
    }

    static func unpairedNormalization(at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .missingKey, "normalization needs both 'mean' and 'variance', or neither", at: location)
            .noting("without them, the weights file holds '<name>.mean' and '<name>.variance'")
    }

    static func unknownValue(key: String, value: String, allowed: [String], at location: SourceLocation) -> Diagnostic {
        Diagnostic(.error, .unknownValue, "'\(key)' is '\(value)'; it must be one of \(allowed.joined(separator: ", "))", at: location)
            .suggesting(Suggestions.closest(to: value, in: allowed))
    }

    static func unusedOutput(layer: String, at location: SourceLocation) -> Diagnostic {
        Diagnostic(.warning, .unusedOutput, "the output of layer '\(layer)' is never used", at: location)
            .noting("only the last layer's output leaves the model; name this layer in a later layer's 'inputs' or remove it")
    }

    static func wrongRankFlat(layer: String, type: String, producer: String, shape: TensorShape, at location: SourceLocation) -> Diagnostic {
        Diagnostic(
            .error, .wrongRank,
            "\(type) '\(layer)' needs a height x width x channels input, but '\(producer)' gives a flat \(shape)", at: location)
    }

    static func wrongRankSpatial(layer: String, producer: String, shape: TensorShape, at location: SourceLocation) -> Diagnostic {
        Diagnostic(
            .error, .wrongRank, "dense '\(layer)' needs a flat input, but '\(producer)' gives \(shape)", at: location
        ).noting("insert '- type: flatten' (or '- type: global_avg_pool2d') before this layer")
    }

    static func wrongInputRank(_ shape: [Int], at location: SourceLocation) -> Diagnostic {
        Diagnostic(
            .error, .wrongRank,
            "input shape has \(shape.count) dimensions; it must be [height, width, channels] (or [features])", at: location)
    }
}

extension OptionReader {
    mutating func reportStridedDilation(strides: Size2D, dilation: Size2D) {
        reportFailure(.stridedDilation(strides: strides, dilation: dilation, at: value("dilation_rate")?.location ?? layer.location))
    }
}
