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

    /// `padding: valid | same`, in any case (`SAME`), as Keras lowercases it.
    mutating func padding() -> Padding {
        choice("padding", default: Padding.valid) ?? .valid
    }

    /// One of a closed set of words, in any case; `defaultValue` when absent.
    mutating func choice<Choice: CaseIterable & RawRepresentable<String>>(_ key: String, default defaultValue: Choice) -> Choice? {
        guard let value = value(key) else { return defaultValue }
        guard let text = take(value.string(for: key)) else { return nil }
        guard let choice = Choice(rawValue: text.lowercased()) else {
            reportFailure(.unknownValue(key: key, value: text, allowed: Choice.allCases.map(\.rawValue), at: value.location))
            return nil
        }
        return choice
    }

    static func isNull(_ value: SpecValue) -> Bool {
        if case .null = value.kind { true } else { false }
    }

    /// A number or a list of numbers, each at least `minimum`; nil when absent or wrong (reported).
    mutating func numbers(_ key: String, minimum: Double = -Double.infinity) -> [Double]? {
        guard let value = value(key) else { return nil }
        let elements: [SpecValue]
        if case .sequence(let list) = value.kind {
            guard !list.isEmpty else {
                reportFailure(.emptyList(key: key, expected: "a number or a list of one per channel", at: value.location))
                return nil
            }
            elements = list
        } else {
            elements = [value]
        }
        var numbers: [Double] = []
        for element in elements {
            guard let number = take(element.number(for: key)) else { return nil }
            guard number >= minimum else {
                reportFailure(.numberOutOfRange(key: key, value: number, expected: "\(SpecValue.format(minimum)) or more", at: element.location))
                return nil
            }
            numbers.append(number)
        }
        return numbers
    }

    /// `target_shape`: a list of rank 1 or 3, positive sizes and at most one −1.
    mutating func targetShape() -> [Int]? {
        guard let value = required("target_shape") else { return nil }
        guard case .sequence(let elements) = value.kind else {
            reportFailure(.wrongType(key: "target_shape", expected: "a list of 1 or 3 sizes", found: value))
            return nil
        }
        guard elements.count == 1 || elements.count == 3 else {
            reportFailure(.badTargetRank(elements.count, at: value.location))
            return nil
        }
        var sizes: [Int] = []
        for element in elements {
            guard let size = take(element.integer(for: "target_shape")) else { return nil }
            guard size >= 1 || (size == -1 && !sizes.contains(-1)) else {
                reportFailure(.badTargetSize(size, at: element.location))
                return nil
            }
            sizes.append(size)
        }
        return sizes
    }

    /// Zero padding or cropping: `p`, `[ph, pw]` or `[[top, bottom], [left, right]]`, none negative.
    mutating func explicitPadding(_ key: String = "padding", default defaultValue: Int = 1) -> Padding2D? {
        guard let value = value(key) else {
            return Padding2D(top: defaultValue, bottom: defaultValue, left: defaultValue, right: defaultValue)
        }
        if case .sequence(let elements) = value.kind, elements.count == 2,
            elements.allSatisfy({ if case .sequence = $0.kind { true } else { false } })
        {
            guard let vertical = take(pair(elements[0], key: key)),
                let horizontal = take(pair(elements[1], key: key))
            else { return nil }
            for element in [vertical.0, vertical.1, horizontal.0, horizontal.1] where element.value < 0 {
                reportFailure(.outOfRange(key: key, value: element.value, minimum: 0, at: element.location))
                return nil
            }
            return Padding2D(top: vertical.0.value, bottom: vertical.1.value, left: horizontal.0.value, right: horizontal.1.value)
        }
        guard let size = size2D(key, default: Size2D(defaultValue, defaultValue), minimum: 0) else { return nil }
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
