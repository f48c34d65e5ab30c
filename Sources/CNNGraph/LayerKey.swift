import CNNSpec

/// One key a layer type takes: its name, the values it accepts, its default and what it means.
///
/// `OperationKind.layerKeys` lists them for every type. That table is the one source of the layer
/// vocabulary: `OptionReader` takes each key's default and bounds from it, unknown keys are what
/// it does not list, and `cnnc schema` prints it as JSON Schema (`SpecSchema`).
public struct LayerKey: Sendable {
    /// The key as a spec spells it (`kernel_size`).
    public var name: String
    /// What the key's value may be.
    public var value: ValueKind
    /// The value when the key is absent; nil when the key is required.
    public var defaultValue: KeyDefault?
    /// What the key means, for documentation and editor hovers.
    public var summary: String

    /// A key of the table: its name, values, default (nil: required) and meaning.
    public init(_ name: String, _ value: ValueKind, default defaultValue: KeyDefault?, _ summary: String) {
        self.name = name
        self.value = value
        self.defaultValue = defaultValue
        self.summary = summary
    }

    /// Whether a layer of the type must give the key.
    public var isRequired: Bool { defaultValue == nil }

    /// Whether `null` is a value: it stands for the default where the default is not a literal
    /// (no cap, or the pool size).
    public var acceptsNull: Bool {
        switch defaultValue {
        case .null, .sameAs: true
        case .integer, .number, .boolean, .word, .fromWeights, nil: false
        }
    }
}

/// The values a layer key accepts.
public enum ValueKind: Sendable {
    /// An integer of at least `minimum`.
    case integer(minimum: Int)
    /// `n` for both axes or `[height, width]`, each at least `minimum`.
    case size2D(minimum: Int)
    /// `n`, `[vertical, horizontal]` or `[[top, bottom], [left, right]]`, none negative.
    case sides
    /// One of these words, in any case (`SAME` is `same`), as Keras lowercases them.
    case word([String])
    /// One of `Activation.spellings`, exactly.
    case activation
    case boolean
    /// A finite number in the range.
    case number(NumberRange)
    /// A number for every channel, or a non-empty list of one per channel, each in the range.
    case numbers(NumberRange)
    /// A reshape's target: 1 or 3 sizes, each positive except at most one −1.
    case targetShape
}

/// A key's value when the spec leaves it out.
public enum KeyDefault: Sendable, Equatable {
    case integer(Int)
    case number(Double)
    case boolean(Bool)
    case word(String)
    /// None: the feature is off (relu's `max_value`).
    case null
    /// The value of another key of the layer (pooling `strides`: the `pool_size`).
    case sameAs(String)
    /// Read from the weights file (normalization's `mean` and `variance`).
    case fromWeights

    /// As a contract table writes it: `1`, `0.001`, `true`, `valid`, `none`, `= pool_size`.
    public var spelled: String {
        switch self {
        case .integer(let value): String(value)
        case .number(let value): SpecValue.format(value)
        case .boolean(let value): value ? "true" : "false"
        case .word(let word): word
        case .null: "none"
        case .sameAs(let key): "= \(key)"
        case .fromWeights: "from the weights file"
        }
    }
}

/// The range a number key accepts: a lower bound (inclusive or not) and an exclusive upper bound.
public struct NumberRange: Sendable, Equatable {
    /// The lower bound, if any.
    public var lower: Double?
    /// Whether `lower` itself is in the range.
    public var lowerIncluded: Bool
    /// The exclusive upper bound, if any.
    public var upper: Double?

    /// Any finite number.
    public static let finite = NumberRange(lower: nil, lowerIncluded: true, upper: nil)
    /// 0 or more.
    public static let nonNegative = NumberRange(lower: 0, lowerIncluded: true, upper: nil)
    /// Greater than 0.
    public static let positive = NumberRange(lower: 0, lowerIncluded: false, upper: nil)
    /// In [0, 1), a dropout rate.
    public static let rate = NumberRange(lower: 0, lowerIncluded: true, upper: 1)

    /// Whether `value` is in the range.
    public func contains(_ value: Double) -> Bool {
        if let lower, lowerIncluded ? value < lower : value <= lower { return false }
        if let upper, value >= upper { return false }
        return true
    }

    /// How a diagnostic says what is due: "in [0, 1)", "greater than 0", "0 or more", "a finite number".
    public var description: String {
        switch (lower, upper) {
        case (let lower?, let upper?):
            "in \(lowerIncluded ? "[" : "(")\(SpecValue.format(lower)), \(SpecValue.format(upper)))"
        case (let lower?, nil):
            lowerIncluded ? "\(SpecValue.format(lower)) or more" : "greater than \(SpecValue.format(lower))"
        case (nil, let upper?): "less than \(SpecValue.format(upper))"
        case (nil, nil): "a finite number"
        }
    }
}
