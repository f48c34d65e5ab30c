/// Typed reads of spec values: each returns the value or a diagnostic saying what was expected.
extension SpecValue {
    /// An integer; a whole-number float such as `32.0` or `1e3` is accepted.
    public func integer(for key: String) -> Result<Int, Diagnostic> {
        switch kind {
        case .integer(let value):
            return .success(value)
        case .integerOverflow(let text):
            return .failure(.integerOverflow(key: key, text: text, at: location))
        case .float(let value) where value.isNaN || value.isInfinite:
            return .failure(.notFinite(key: key, found: SpecValue.format(value), at: location))
        case .float(let value) where value == value.rounded():
            guard abs(value) < 9.2e18 else {
                return .failure(.integerOverflow(key: key, text: SpecValue.format(value), at: location))
            }
            return .success(Int(value))
        default:
            return .failure(.wrongType(key: key, expected: "an integer", found: self))
        }
    }

    /// A finite number.
    public func number(for key: String) -> Result<Double, Diagnostic> {
        switch kind {
        case .integer(let value):
            return .success(Double(value))
        case .float(let value) where value.isNaN || value.isInfinite:
            return .failure(.notFinite(key: key, found: SpecValue.format(value), at: location))
        case .float(let value):
            return .success(value)
        case .integerOverflow(let text):
            return .failure(.integerOverflow(key: key, text: text, at: location))
        default:
            return .failure(.wrongType(key: key, expected: "a number", found: self))
        }
    }

    /// `true` or `false`.
    public func boolean(for key: String) -> Result<Bool, Diagnostic> {
        if case .bool(let value) = kind { return .success(value) }
        return .failure(.wrongType(key: key, expected: "true or false", found: self))
    }

    /// A string; plain scalars that resolve to numbers or booleans are not strings.
    public func string(for key: String) -> Result<String, Diagnostic> {
        if case .string(let value) = kind { return .success(value) }
        return .failure(.wrongType(key: key, expected: "a string", found: self))
    }

    /// The elements of a list.
    public func sequence(for key: String, expected: String) -> Result<[SpecValue], Diagnostic> {
        if case .sequence(let elements) = kind { return .success(elements) }
        return .failure(.wrongType(key: key, expected: expected, found: self))
    }
}
