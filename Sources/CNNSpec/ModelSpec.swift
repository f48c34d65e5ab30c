/// The parsed spec: the document's structure checked, layer operations still names.
///
/// Everything here keeps its source location. Values that failed to parse are absent and a
/// diagnostic says why; later stages check only what is present.
public struct ModelSpec: Sendable {
    public var file: String
    /// The top-level mapping; missing top-level keys are reported at line 1, column 1.
    public var location: SourceLocation
    public var version: Located<Int>?
    public var name: Located<String>?
    public var description: Located<String>?
    public var input: InputSpec?
    /// `limits:`, the model's budgets; nil when absent or malformed (reported).
    public var limits: LimitsSpec?
    /// Where `layers:` is, for diagnostics about the list as a whole; nil when it is missing.
    public var layersLocation: SourceLocation?
    public var layers: [LayerSpec]

    public init(file: String, location: SourceLocation) {
        self.file = file
        self.location = location
        self.layers = []
    }
}

/// `input:`: the shape of one sample, batch axis implied.
public struct InputSpec: Sendable {
    public var location: SourceLocation
    /// nil when `shape` is missing or malformed (already reported).
    public var shape: Located<[Located<Int>]>?
}

/// `limits:`: budgets the model must keep, each a positive integer (checked by the validator).
public struct LimitsSpec: Sendable {
    /// The mapping.
    public var location: SourceLocation
    /// `max_params`: parameters, as `cnnc summary` counts them.
    public var maxParams: Located<Int>?
    /// `max_macs`: multiply-adds of one sample.
    public var maxMACs: Located<Int>?
    /// `max_activation_bytes`: the largest float32 activation of one sample, input included.
    public var maxActivationBytes: Located<Int>?

    public init(location: SourceLocation) {
        self.location = location
    }
}

/// One entry of `layers:`; its position in `ModelSpec.layers` is its position in the file.
///
/// An entry that is not a mapping is kept (without a type, already reported), so that positions
/// and names stay aligned with the file for every later stage.
public struct LayerSpec: Sendable {
    /// The layer's mapping: where a missing key is reported.
    public var location: SourceLocation
    public var type: Located<String>?
    public var name: Located<String>?
    public var inputs: Located<[Located<String>]>?
    /// Every other key, in source order, for the operation's own reader.
    public var options: [(key: Located<String>, value: SpecValue)]

    public init(location: SourceLocation) {
        self.location = location
        self.options = []
    }
}
