extension OnnxImporter {
    /// A Slice of a feature map that keeps every sample and channel and a run of rows and
    /// columns: the spec's cropping2d.
    mutating func crop(_ node: Onnx_NodeProto, _ x: Feature) throws(ImportProblem) -> Value {
        guard case .map(let height, let width, let channels) = x.layout else {
            throw ImportProblem("slices a vector; the spec crops feature maps (cropping2d)")
        }
        let (starts, ends, axes, steps) = try sliceArguments(node)
        // [top, bottom], [left, right]
        var cropping = [[0, 0], [0, 0]]
        for (index, axis) in axes.enumerated() {
            let axis = axis < 0 ? axis + 4 : axis
            guard (0..<4).contains(axis), steps[index] == 1 else {
                throw ImportProblem("slices axis \(axis) by step \(steps[index]); the spec crops rows and columns")
            }
            // The batch size is not known: any run that starts at 0 and ends at or past Int32.max
            // keeps it all. The run is a range, never a list of indices (one of 2^31 took seconds).
            let size = [Int(Int32.max), channels, height, width][axis]
            let kept = Self.clampedRange(starts[index], ends[index], count: size)
            guard !kept.isEmpty else { throw ImportProblem("keeps nothing of axis \(axis)") }
            if axis < 2 {
                guard kept.count == size else {
                    throw ImportProblem(
                        "slices the \(axis == 0 ? "batch" : "channel") axis; the spec crops rows and columns")
                }
                continue
            }
            cropping[axis - 2] = [kept.lowerBound, size - kept.upperBound]
        }
        return .feature(
            add(
                "cropping2d", inputs: [x], fields: [("cropping", .pairs(cropping))],
                layout: .map(
                    height: height - cropping[0][0] - cropping[0][1], width: width - cropping[1][0] - cropping[1][1],
                    channels: channels),
                nonNegative: x.nonNegative))
    }
}
