/// A key of the spec's own structure (the top level, `input`, and the keys every layer takes), with
/// what it means. `SpecParser` accepts exactly these; `cnnc schema` describes them.
public struct SpecKey: Sendable {
    /// The key as a spec spells it.
    public var name: String
    /// Whether a spec must give the key (reported as `missing-key` at the mapping that lacks it).
    public var isRequired: Bool
    /// What the key means, for documentation and editor hovers.
    public var summary: String

    /// A key, whether it is required, and what it means.
    public init(_ name: String, required isRequired: Bool = false, _ summary: String) {
        self.name = name
        self.isRequired = isRequired
        self.summary = summary
    }
}

extension SpecParser {
    /// The key that names a spec's JSON Schema for editors; cnnc ignores it and its value.
    public static let schemaKey = "$schema"

    /// The top-level keys, in the order the README lists them (`$schema` aside).
    public static let topLevel: [SpecKey] = [
        SpecKey("cnnc", "The spec format's version; this cnnc reads version 1. Default: 1."),
        SpecKey(
            "name",
            "The Swift type name of the generated model: a letter or '_', then letters, digits and '_'. Default: from the file name."
        ),
        SpecKey("description", "Free text about the model."),
        SpecKey("input", required: true, "The model input: the shape of one sample, the batch axis implied."),
        SpecKey(
            "layers", required: true,
            "The layers, run top to bottom: each takes the previous layer's output unless it lists 'inputs'."),
        SpecKey(
            "limits",
            "Budgets the model must keep; a model over one is an error. cnnc check's --max-params, --max-macs and --max-activation-bytes override them one by one."
        ),
    ]

    /// The keys of `input:`.
    public static let inputKeys: [SpecKey] = [
        SpecKey(
            "shape", required: true,
            "[height, width, channels] (channels last) or [features]; every size positive, no batch axis.")
    ]

    /// The keys of `limits:`, each a positive integer.
    public static let limitKeys: [SpecKey] = [
        SpecKey("max_params", "The most parameters the model may have, counted as cnnc summary counts them."),
        SpecKey("max_macs", "The most multiply-adds the model may take for one sample, counted as cnnc summary counts them."),
        SpecKey(
            "max_activation_bytes",
            "The most bytes the largest activation of one sample may take in float32: the input or any layer's output."),
    ]

    /// The keys every layer takes besides its type's own.
    public static let commonLayerKeys: [SpecKey] = [
        SpecKey("type", required: true, "The layer type, in the spec's words (conv2d, dense, …)."),
        SpecKey(
            "name",
            "A unique name ([A-Za-z_][A-Za-z0-9_]*, not 'input'); it prefixes the layer's weights. Default: the type, then type_1, type_2, … for later unnamed layers of that type."
        ),
        SpecKey(
            "inputs",
            "Earlier layers this one reads, by name ('input' is the model input); without it, the previous layer's output."
        ),
    ]

    /// The names of `topLevel`, for did-you-mean.
    public static var topLevelKeys: [String] { topLevel.map(\.name) }

    /// The names of `commonLayerKeys`.
    public static var layerKeys: [String] { commonLayerKeys.map(\.name) }
}
