/// The shape of one sample's tensor, batch axis implied: [height, width, channels] or [features].
public struct TensorShape: Hashable, Sendable, CustomStringConvertible {
    /// The largest tensor cnnc accepts, in elements: sizes past it are reported, never overflowed.
    public static let maximumElements = Int(Int32.max)

    public var dimensions: [Int]

    public init(_ dimensions: [Int]) {
        self.dimensions = dimensions
    }

    public var rank: Int { dimensions.count }
    public var height: Int { dimensions[0] }
    public var width: Int { dimensions[1] }
    /// The last axis: channels of a feature map, features of a vector.
    public var channels: Int { dimensions[dimensions.count - 1] }

    /// The number of elements, or nil when it would pass `maximumElements`.
    public var elementCount: Int? { TensorShape.product(dimensions) }

    /// `26x26x32`
    public var description: String { dimensions.map(String.init).joined(separator: "x") }

    /// `(None, 26, 26, 32)`, as Keras prints it.
    public var kerasDescription: String { "(None, " + dimensions.map(String.init).joined(separator: ", ") + ")" }

    /// The product of `factors`, or nil past `maximumElements` (never traps).
    public static func product(_ factors: [Int]) -> Int? {
        var result = 1
        for factor in factors {
            let (value, overflow) = result.multipliedReportingOverflow(by: factor)
            guard !overflow, value <= maximumElements else { return nil }
            result = value
        }
        return result
    }
}
