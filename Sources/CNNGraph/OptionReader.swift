import CNNSpec

/// Reads one layer's keys into typed values, reporting each problem at the key or value at fault.
/// A read that fails returns nil and marks the reader failed; the caller then builds no operation.
struct OptionReader {
    let kind: OperationKind
    let layer: LayerSpec
    /// "layer 'conv2d_1'", the owner named in messages.
    let owner: String
    private(set) var diagnostics: [Diagnostic] = []
    private(set) var failed = false
    /// Where the `activation` value is, for warnings about it.
    private(set) var activationLocation: SourceLocation?
    /// Required keys not given; reported by `finish()`, folded into a misspelling when there is one.
    private var missingKeys: [String] = []

    init(kind: OperationKind, layer: LayerSpec, name: String) {
        self.kind = kind
        self.layer = layer
        self.owner = "layer '\(name)'"
    }

    func value(_ key: String) -> SpecValue? {
        layer.options.first { $0.key.value == key }?.value
    }

    mutating func reportFailure(_ diagnostic: Diagnostic) {
        diagnostics.append(diagnostic)
        failed = true
    }

    private mutating func take<T>(_ result: Result<T, Diagnostic>) -> T? {
        switch result {
        case .success(let value): return value
        case .failure(let diagnostic):
            reportFailure(diagnostic)
            return nil
        }
    }

    /// The value of a required key, or nil after reporting it missing.
    private mutating func required(_ key: String) -> SpecValue? {
        if let value = value(key) { return value }
        missingKeys.append(key)
        failed = true
        return nil
    }

    /// An integer of at least `minimum` (1 for sizes, 0 for padding).
    mutating func integer(_ key: String, default defaultValue: Int?, minimum: Int = 1) -> Int? {
        guard let value = defaultValue == nil ? required(key) : value(key) else { return defaultValue }
        guard let number = take(value.integer(for: key)) else { return nil }
        guard number >= minimum else {
            reportFailure(.outOfRange(key: key, value: number, minimum: minimum, at: value.location))
            return nil
        }
        return number
    }

    /// `k` or `[kh, kw]`, each at least `minimum`.
    mutating func size2D(_ key: String, default defaultValue: Size2D?, minimum: Int = 1) -> Size2D? {
        guard let value = defaultValue == nil ? required(key) : value(key) else { return defaultValue }
        if case .sequence = value.kind {
            guard let pair = take(pair(value, key: key)) else { return nil }
            return checked(pair, key: key, minimum: minimum, at: [pair.0.location, pair.1.location])
        }
        let integer = value.integer(for: key).mapError { error in
            error.code == .wrongType ? .wrongType(key: key, expected: "an integer or a list of two integers", found: value) : error
        }
        guard let number = take(integer) else { return nil }
        return checked((Located(number, at: value.location), Located(number, at: value.location)), key: key, minimum: minimum, at: [value.location])
    }

    private mutating func checked(_ pair: (Located<Int>, Located<Int>), key: String, minimum: Int, at locations: [SourceLocation]) -> Size2D? {
        for element in [pair.0, pair.1] where element.value < minimum {
            reportFailure(.outOfRange(key: key, value: element.value, minimum: minimum, at: element.location))
            return nil
        }
        return Size2D(pair.0.value, pair.1.value)
    }

    /// A two-element list of integers.
    private func pair(_ value: SpecValue, key: String) -> Result<(Located<Int>, Located<Int>), Diagnostic> {
        guard case .sequence(let elements) = value.kind, elements.count == 2 else {
            return .failure(.wrongType(key: key, expected: "an integer or a list of two integers", found: value))
        }
        var numbers: [Located<Int>] = []
        for element in elements {
            switch element.integer(for: key) {
            case .success(let number): numbers.append(Located(number, at: element.location))
            case .failure(let diagnostic): return .failure(diagnostic)
            }
        }
        return .success((numbers[0], numbers[1]))
    }

    /// `padding: valid | same`.
    mutating func padding() -> Padding {
        guard let value = value("padding") else { return .valid }
        guard let text = take(value.string(for: "padding")) else { return .valid }
        guard let padding = Padding(rawValue: text) else {
            reportFailure(.unknownValue(key: "padding", value: text, allowed: Padding.allCases.map(\.rawValue), at: value.location))
            return .valid
        }
        return padding
    }

    /// Zero padding: `p`, `[ph, pw]` or `[[top, bottom], [left, right]]`, none negative.
    mutating func explicitPadding() -> Padding2D? {
        guard let value = value("padding") else { return Padding2D(top: 1, bottom: 1, left: 1, right: 1) }
        if case .sequence(let elements) = value.kind, elements.count == 2,
            elements.allSatisfy({ if case .sequence = $0.kind { true } else { false } })
        {
            guard let vertical = take(pair(elements[0], key: "padding")),
                let horizontal = take(pair(elements[1], key: "padding"))
            else { return nil }
            for element in [vertical.0, vertical.1, horizontal.0, horizontal.1] where element.value < 0 {
                reportFailure(.outOfRange(key: "padding", value: element.value, minimum: 0, at: element.location))
                return nil
            }
            return Padding2D(top: vertical.0.value, bottom: vertical.1.value, left: horizontal.0.value, right: horizontal.1.value)
        }
        guard let size = size2D("padding", default: Size2D(1, 1), minimum: 0) else { return nil }
        return Padding2D(top: size.height, bottom: size.height, left: size.width, right: size.width)
    }

    /// An activation name; `linear` when absent and not required.
    mutating func activation(required isRequired: Bool = false) -> Activation? {
        guard let value = isRequired ? required("activation") : value("activation") else { return isRequired ? nil : .linear }
        activationLocation = value.location
        guard let text = take(value.string(for: "activation")) else { return nil }
        guard let activation = Activation(spelling: text) else {
            reportFailure(.unknownActivation(text, at: value.location))
            return nil
        }
        return activation
    }

    mutating func boolean(_ key: String, default defaultValue: Bool) -> Bool {
        guard let value = value(key) else { return defaultValue }
        return take(value.boolean(for: key)) ?? defaultValue
    }

    /// A finite number in `range`; `range` is described in the message when violated.
    mutating func number(_ key: String, default defaultValue: Double?, in range: Range<Double>, describedAs description: String) -> Double? {
        guard let value = defaultValue == nil ? required(key) : value(key) else { return defaultValue }
        guard let number = take(value.number(for: key)) else { return nil }
        guard range.contains(number) else {
            reportFailure(.numberOutOfRange(key: key, value: number, expected: description, at: value.location))
            return nil
        }
        return number
    }

    /// Reports every key this kind of layer does not take, and every required key it lacks. A
    /// misspelled required key (`filter` for `filters`) is one mistake, reported once, at the misspelling.
    mutating func finish() {
        let allowed = kind.keys + SpecParser.layerKeys.filter { $0 != "type" }
        for (key, value) in layer.options where !allowed.contains(key.value) {
            var diagnostic = Diagnostic.unknownKey(key.value, in: owner, allowed: allowed, at: key.location)
            if let habit = KerasHabits.note(forLayerKey: key.value, value: value) ?? kind.note(forUnsupportedKey: key.value) {
                diagnostic = Diagnostic.unknownKey(key.value, in: owner, note: habit, at: key.location)
            } else if let meant = Suggestions.closest(to: key.value, in: allowed), let index = missingKeys.firstIndex(of: meant) {
                missingKeys.remove(at: index)
                diagnostic = diagnostic.noting("\(owner) needs '\(meant)'")
            }
            reportFailure(diagnostic)
        }
        for key in missingKeys {
            reportFailure(.missingKey(key, in: owner, at: layer.location))
        }
    }
}
