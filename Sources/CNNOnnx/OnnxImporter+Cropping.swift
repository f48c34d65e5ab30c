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
            let size = [Int(Int32.max), channels, height, width][min(max(axis, 0), 3)]
            let kept = Self.sliceIndices(starts[index], ends[index], step: steps[index], count: size)
            guard (0..<4).contains(axis), steps[index] == 1, let first = kept.first, let last = kept.last else {
                throw ImportProblem("slices axis \(axis) by step \(steps[index]); the spec crops rows and columns")
            }
            if axis < 2 {
                guard kept.count == size else {
                    throw ImportProblem(
                        "slices the \(axis == 0 ? "batch" : "channel") axis; the spec crops rows and columns")
                }
                continue
            }
            cropping[axis - 2] = [first, size - 1 - last]
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
