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

    /// The table's entry for `name` (`OperationKind.layerKeys`), which fixes its default and bounds.
    private func entry(_ name: String) -> LayerKey {
        kind.layerKey(name)
    }

    /// The key's value; nil when it is absent, after recording it missing when it is required.
    private mutating func given(_ key: LayerKey) -> SpecValue? {
        if let value = value(key.name) { return value }
        if key.isRequired {
            missingKeys.append(key.name)
            failed = true
        }
        return nil
    }

    /// An integer key of the table, at least its minimum.
    mutating func integer(_ name: String) -> Int? {
        let key = entry(name)
        guard case .integer(let minimum) = key.value else { preconditionFailure("'\(name)' is not an integer key") }
        guard let value = given(key) else {
            if case .integer(let fallback) = key.defaultValue { return fallback }
            return nil
        }
        guard let number = take(value.integer(for: name)) else { return nil }
        guard number >= minimum else {
            reportFailure(.outOfRange(key: name, value: number, minimum: minimum, at: value.location))
            return nil
        }
        return number
    }

    /// A `size2D` key of the table: `k` or `[kh, kw]`, each at least its minimum. A key whose
    /// default is another key's value (pooling strides) takes `otherwise` when absent or null.
    mutating func size2D(_ name: String, otherwise: Size2D? = nil) -> Size2D? {
        let key = entry(name)
        guard case .size2D(let minimum) = key.value else { preconditionFailure("'\(name)' is not a size key") }
        return size2D(key, minimum: minimum, otherwise: otherwise)
    }

    private mutating func size2D(_ key: LayerKey, minimum: Int, otherwise: Size2D? = nil) -> Size2D? {
        let fallback: Size2D? =
            switch key.defaultValue {
            case .integer(let size): Size2D(size, size)
            default: otherwise
            }
        guard let value = given(key) else { return fallback }
        if key.acceptsNull, OptionReader.isNull(value) { return fallback }
        if case .sequence = value.kind {
            guard let pair = take(pair(value, key: key.name)) else { return nil }
            return checked(pair, key: key.name, minimum: minimum, at: [pair.0.location, pair.1.location])
        }
        let integer = value.integer(for: key.name).mapError { error in
            error.code == .wrongType
                ? .wrongType(key: key.name, expected: "an integer or a list of two integers", found: value) : error
        }
        guard let number = take(integer) else { return nil }
        return checked(
            (Located(number, at: value.location), Located(number, at: value.location)), key: key.name, minimum: minimum,
            at: [value.location])
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
        choice("padding") ?? .valid
    }

    /// A `word` key of the table: one of a closed set of words, in any case; the default when absent.
    mutating func choice<Choice: CaseIterable & RawRepresentable<String>>(_ name: String) -> Choice? {
        let key = entry(name)
        guard let value = value(name) else {
            guard case .word(let word) = key.defaultValue, let choice = Choice(rawValue: word) else {
                preconditionFailure("'\(name)' has no default word of \(Choice.self)")
            }
            return choice
        }
        guard let text = take(value.string(for: name)) else { return nil }
        guard let choice = Choice(rawValue: text.lowercased()) else {
            reportFailure(.unknownValue(key: name, value: text, allowed: Choice.allCases.map(\.rawValue), at: value.location))
            return nil
        }
        return choice
    }

    static func isNull(_ value: SpecValue) -> Bool {
        if case .null = value.kind { true } else { false }
    }

    /// A `numbers` key of the table: a number or a non-empty list of numbers, each in its range;
    /// nil when absent or wrong (reported).
    mutating func numbers(_ name: String) -> [Double]? {
        guard case .numbers(let range) = entry(name).value else { preconditionFailure("'\(name)' is not a numbers key") }
        guard let value = value(name) else { return nil }
        let elements: [SpecValue]
        if case .sequence(let list) = value.kind {
            guard !list.isEmpty else {
                reportFailure(.emptyList(key: name, expected: "a number or a list of one per channel", at: value.location))
                return nil
            }
            elements = list
        } else {
            elements = [value]
        }
        var numbers: [Double] = []
        for element in elements {
            guard let number = take(element.number(for: name)) else { return nil }
            guard range.contains(number) else {
                reportFailure(.numberOutOfRange(key: name, value: number, expected: range.description, at: element.location))
                return nil
            }
            numbers.append(number)
        }
        return numbers
    }

    /// `target_shape`: a list of rank 1 or 3, positive sizes and at most one −1.
    mutating func targetShape() -> [Int]? {
        guard let value = given(entry("target_shape")) else { return nil }
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

    /// A `sides` key of the table (zero padding, cropping): `p`, `[ph, pw]` or
    /// `[[top, bottom], [left, right]]`, none negative.
    mutating func explicitPadding(_ name: String) -> Padding2D? {
        let key = entry(name)
        guard case .sides = key.value, case .integer(let fallback) = key.defaultValue else {
            preconditionFailure("'\(name)' is not a sides key with a default")
        }
        guard let value = value(name) else {
            return Padding2D(top: fallback, bottom: fallback, left: fallback, right: fallback)
        }
        if case .sequence(let elements) = value.kind, elements.count == 2,
            elements.allSatisfy({ if case .sequence = $0.kind { true } else { false } })
        {
            guard let vertical = take(pair(elements[0], key: name)),
                let horizontal = take(pair(elements[1], key: name))
            else { return nil }
            for element in [vertical.0, vertical.1, horizontal.0, horizontal.1] where element.value < 0 {
                reportFailure(.outOfRange(key: name, value: element.value, minimum: 0, at: element.location))
                return nil
            }
            return Padding2D(top: vertical.0.value, bottom: vertical.1.value, left: horizontal.0.value, right: horizontal.1.value)
        }
        guard let size = size2D(key, minimum: 0) else { return nil }
        return Padding2D(top: size.height, bottom: size.height, left: size.width, right: size.width)
    }

    /// The `activation` key: an activation name; its default (`linear`) when absent and not required.
    mutating func activation() -> Activation? {
        let key = entry("activation")
        guard let value = given(key) else { return key.isRequired ? nil : .linear }
        activationLocation = value.location
        guard let text = take(value.string(for: "activation")) else { return nil }
        guard let activation = Activation(spelling: text) else {
            reportFailure(.unknownActivation(text, at: value.location))
            return nil
        }
        return activation
    }

    /// A `boolean` key of the table; its default when absent or wrong (reported).
    mutating func boolean(_ name: String) -> Bool {
        guard case .boolean(let fallback) = entry(name).defaultValue else { preconditionFailure("'\(name)' has no boolean default") }
        guard let value = value(name) else { return fallback }
        return take(value.boolean(for: name)) ?? fallback
    }

    /// A `number` key of the table: a finite number in its range, described in the message when
    /// violated; the default when absent (nil for a default of none).
    mutating func number(_ name: String) -> Double? {
        let key = entry(name)
        guard case .number(let range) = key.value else { preconditionFailure("'\(name)' is not a number key") }
        guard let value = given(key) else {
            if case .number(let fallback) = key.defaultValue { return fallback }
            return nil
        }
        guard let number = take(value.number(for: name)) else { return nil }
        guard range.contains(number) else {
            reportFailure(.numberOutOfRange(key: name, value: number, expected: range.description, at: value.location))
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
