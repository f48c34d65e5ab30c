import Foundation

/// Collects the nodes and initializers of an ONNX graph as the exporter writes them, and keeps
/// their names unique: values and initializers share one namespace (as ONNX requires), nodes
/// have their own.
struct OnnxGraphWriter {
    private(set) var nodes: [Onnx_NodeProto] = []
    private(set) var initializers: [Onnx_TensorProto] = []
    /// The bytes the initializers hold, to keep the file under protobuf's 2 GB.
    private(set) var initializerBytes = 0
    /// The graph's input and output names are taken from the start.
    private var valueNames: Set<String> = ["input", "output"]
    private var nodeNames: Set<String> = []

    /// `base`, or `base_1`, `base_2`, … when that is taken.
    private static func claim(_ base: String, in names: inout Set<String>) -> String {
        var name = base
        var counter = 1
        while names.contains(name) {
            name = "\(base)_\(counter)"
            counter += 1
        }
        names.insert(name)
        return name
    }

    /// Appends a node named `name` (made unique) computing one value, named `output` when given
    /// (it must not be taken) or after the node; returns the value's name.
    mutating func add(
        _ opType: String, _ inputs: [String], _ attributes: [Onnx_AttributeProto] = [], name: String,
        output: String? = nil
    ) -> String {
        var node = Onnx_NodeProto()
        node.opType = opType
        node.name = Self.claim(name, in: &nodeNames)
        node.input = inputs
        let value: String
        if let output {
            valueNames.insert(output)
            value = output
        } else {
            value = Self.claim(node.name, in: &valueNames)
        }
        node.output = [value]
        node.attribute = attributes
        nodes.append(node)
        return value
    }

    /// How many nodes the graph has so far: a position that `renameLastNode` can be asked to stay after.
    var nodeCount: Int { nodes.count }

    /// Renames the last node, and its value, when that node was added at or after `position` and
    /// computes `value`; returns the value's name, new or not. A layer's nodes are added under
    /// provisional names (`conv2d/Conv`, `conv2d/Relu`); its last one takes the layer's name.
    mutating func renameLastNode(computing value: String, since position: Int, to name: String, output: String)
        -> String
    {
        guard nodes.count > position, nodes[nodes.count - 1].output == [value] else { return value }
        nodeNames.remove(nodes[nodes.count - 1].name)
        valueNames.remove(value)
        nodes[nodes.count - 1].name = Self.claim(name, in: &nodeNames)
        let renamed = output == "output" ? "output" : Self.claim(output, in: &valueNames)
        nodes[nodes.count - 1].output = [renamed]
        return renamed
    }

    /// A float32 initializer of shape `dims`, stored as raw little-endian bytes; returns its name.
    mutating func floats(_ name: String, dims: [Int], _ values: [Float]) -> String {
        var tensor = Onnx_TensorProto()
        tensor.name = Self.claim(name, in: &valueNames)
        tensor.dataType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        tensor.dims = dims.map { Int64($0) }
        #if _endian(little)
            tensor.rawData = values.withUnsafeBytes { Data($0) }
        #else
            #error("cnnc writes ONNX tensors on little-endian machines only")
        #endif
        initializerBytes += values.count * MemoryLayout<Float>.size
        initializers.append(tensor)
        return tensor.name
    }

    /// A float32 scalar (rank 0) initializer.
    mutating func scalar(_ name: String, _ value: Float) -> String { floats(name, dims: [], [value]) }

    /// A rank-1 int64 initializer: pads, starts, ends, axes and shapes.
    mutating func integers(_ name: String, _ values: [Int]) -> String {
        var tensor = Onnx_TensorProto()
        tensor.name = Self.claim(name, in: &valueNames)
        tensor.dataType = Int32(Onnx_TensorProto.DataType.int64.rawValue)
        tensor.dims = [Int64(values.count)]
        tensor.int64Data = values.map { Int64($0) }
        initializerBytes += values.count * MemoryLayout<Int64>.size
        initializers.append(tensor)
        return tensor.name
    }
}

extension Onnx_AttributeProto {
    static func int(_ name: String, _ value: Int) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .int
        attribute.i = Int64(value)
        return attribute
    }

    static func ints(_ name: String, _ values: [Int]) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .ints
        attribute.ints = values.map { Int64($0) }
        return attribute
    }

    static func float(_ name: String, _ value: Float) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .float
        attribute.f = value
        return attribute
    }

    static func string(_ name: String, _ value: String) -> Onnx_AttributeProto {
        var attribute = Onnx_AttributeProto()
        attribute.name = name
        attribute.type = .string
        attribute.s = Data(value.utf8)
        return attribute
    }
}

extension Onnx_ValueInfoProto {
    /// A float32 tensor value whose first axis is the symbolic batch `N`.
    static func batchedFloats(_ name: String, sample dims: [Int]) -> Onnx_ValueInfoProto {
        var type = Onnx_TypeProto.Tensor()
        type.elemType = Int32(Onnx_TensorProto.DataType.float.rawValue)
        var batch = Onnx_TensorShapeProto.Dimension()
        batch.dimParam = "N"
        type.shape.dim = [batch]
        for size in dims {
            var dim = Onnx_TensorShapeProto.Dimension()
            dim.dimValue = Int64(size)
            type.shape.dim.append(dim)
        }
        var value = Onnx_ValueInfoProto()
        value.name = name
        value.type.tensorType = type
        return value
    }
}
