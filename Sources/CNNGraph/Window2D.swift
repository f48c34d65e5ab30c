/// A height and width pair: kernel sizes, strides, dilation rates, spatial sizes.
public struct Size2D: Hashable, Sendable, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    public var description: String { "\(height)x\(width)" }
}

/// Explicit zero padding on each side of a feature map.
public struct Padding2D: Hashable, Sendable {
    public var top: Int
    public var bottom: Int
    public var left: Int
    public var right: Int

    public init(top: Int, bottom: Int, left: Int, right: Int) {
        (self.top, self.bottom, self.left, self.right) = (top, bottom, left, right)
    }
}

/// The sliding window of a convolution or pooling layer and the shape rule they share.
public struct Window2D: Hashable, Sendable {
    public var kernel: Size2D
    public var strides: Size2D
    public var dilation: Size2D
    public var padding: Padding

    public init(kernel: Size2D, strides: Size2D, dilation: Size2D = Size2D(1, 1), padding: Padding) {
        self.kernel = kernel
        self.strides = strides
        self.dilation = dilation
        self.padding = padding
    }

    /// The extent the window covers: dilation·(k − 1) + 1 on each axis (saturating at `Int.max`,
    /// which no input fits, so absurd sizes are reported rather than overflowed).
    public var effectiveKernel: Size2D {
        func extent(_ kernel: Int, _ dilation: Int) -> Int {
            let (product, overflow) = dilation.multipliedReportingOverflow(by: kernel - 1)
            return overflow || product == .max ? .max : product + 1
        }
        return Size2D(extent(kernel.height, dilation.height), extent(kernel.width, dilation.width))
    }

    /// `valid`: out = floor((in − dilation·(k − 1) − 1) / stride) + 1, which may fall below 1;
    /// `same`: out = ceil(in / stride).
    public func outputSize(input: Size2D) -> Size2D {
        func axis(_ size: Int, _ kernel: Int, _ stride: Int) -> Int {
            switch padding {
            case .valid: size >= kernel ? (size - kernel) / stride + 1 : 0
            // ceil(size / stride) without forming size + stride − 1, which overflows for a huge stride.
            case .same: size / stride + (size % stride == 0 ? 0 : 1)
            }
        }
        let extent = effectiveKernel
        return Size2D(axis(input.height, extent.height, strides.height), axis(input.width, extent.width, strides.width))
    }

    /// The implicit padding of `same`, split as TensorFlow splits it: the smaller half on top and left.
    public func implicitPadding(input: Size2D) -> Padding2D {
        guard padding == .same else { return Padding2D(top: 0, bottom: 0, left: 0, right: 0) }
        let output = outputSize(input: input)
        let extent = effectiveKernel
        // (out − 1)·stride ≤ in, so only a huge kernel can overflow; it is clamped to the input.
        let totalHeight = max((output.height - 1) * strides.height + min(extent.height, 2 * input.height) - input.height, 0)
        let totalWidth = max((output.width - 1) * strides.width + min(extent.width, 2 * input.width) - input.width, 0)
        return Padding2D(
            top: totalHeight / 2, bottom: totalHeight - totalHeight / 2,
            left: totalWidth / 2, right: totalWidth - totalWidth / 2)
    }
}
