extension OnnxImporter {
    /// How much of gelu's erf form, x · 0.5 · (1 + erf(x / √2)), the nodes read so far compute:
    /// PyTorch's exporter before operator set 20 (and cnnc export) write gelu that way.
    enum GeluPart {
        /// erf(x / √2)
        case erf
        /// 1 + erf(x / √2)
        case onePlusErf
        /// x · (1 + erf(x / √2)), twice the gelu
        case double
    }

    static let inverseSquareRootOfTwo: Float = 0.70710678

    /// Erf, which the spec has only inside gelu: its input must be x / √2 (a rescaling of x, as
    /// the importer reads the Div or Mul before it).
    mutating func erf(_ node: Onnx_NodeProto) throws(ImportProblem) -> Value {
        let scaled = try feature(node, 0)
        guard let index = layerIndex[scaled.layer], layers[index].type == "rescaling", layers[index]["offset"] == nil,
            case .float(let scale)? = layers[index]["scale"], abs(scale - Self.inverseSquareRootOfTwo) < 1e-6,
            let source = layers[index].inputs.first
        else {
            throw ImportProblem("Erf has no spec equivalent except inside gelu, x · 0.5 · (1 + erf(x / √2))")
        }
        return .gelu(.erf, of: Feature(layer: source, layout: scaled.layout))
    }

    /// The next step of a gelu's erf form when an operand is one, or nil when none is.
    mutating func geluStep(_ node: Onnx_NodeProto, _ operands: [Value]) throws(ImportProblem) -> Value? {
        guard let position = operands.firstIndex(where: { if case .gelu = $0 { true } else { false } }),
            case .gelu(let part, let x) = operands[position]
        else { return nil }
        let mismatch = ImportProblem(
            "reads part of gelu's erf form, x · 0.5 · (1 + erf(x / √2)), in a way cnnc does not follow")
        guard operands.count == 2 else { throw mismatch }
        let other = operands[1 - position]
        func isConstant(_ expected: Float) -> Bool {
            guard case .constant(let constant) = other, constant.count == 1 else { return false }
            return abs(constant.floats[0] - expected) < 1e-6
        }
        switch (part, node.opType) {
        case (.erf, "Add"), (.erf, "Sum"):
            guard isConstant(1) else { throw mismatch }
            return .gelu(.onePlusErf, of: x)
        case (.onePlusErf, "Mul"):
            guard case .feature(let factor) = other else { throw mismatch }
            if factor.layer == x.layer { return .gelu(.double, of: x) }
            // (x · 0.5) · (1 + erf(x / √2)), PyTorch's order: x · 0.5 is a rescaling of x.
            guard let index = layerIndex[factor.layer], layers[index].type == "rescaling",
                layers[index]["scale"] == .float(0.5), layers[index]["offset"] == nil, layers[index].inputs == [x.layer]
            else { throw mismatch }
            return .feature(gelu(x))
        case (.double, "Mul"):
            guard isConstant(0.5) else { throw mismatch }
            return .feature(gelu(x))
        case (.double, "Div"):
            guard position == 0, isConstant(2) else { throw mismatch }
            return .feature(gelu(x))
        default:
            throw mismatch
        }
    }

    mutating func gelu(_ x: Feature) -> Feature {
        add("activation", inputs: [x], fields: [("activation", .string("gelu"))], layout: x.layout)
    }
}
