/// What people who write Keras code put in a spec out of habit, and what cnnc tells them.
///
/// Each entry turns a bare "unknown key" into the sentence a Keras user needs: where cnnc wants
/// the fact instead, or why it does not need it.
public enum KerasHabits {
    /// Keys of a Keras model file (`model.to_json()`, or a `config.json` from a `.keras` archive).
    static let modelFileKeys: Set<String> = ["class_name", "config", "keras_version", "backend", "module", "registered_name"]

    /// The note for a key Keras takes on a layer that a spec spells differently or leaves out.
    public static func note(forLayerKey key: String, value: SpecValue) -> String? {
        switch key {
        case "data_format":
            if case .string("channels_last") = value.kind {
                return "cnnc is always channels-last, as this says; remove 'data_format'"
            }
            return """
                cnnc is channels-last (Keras's default): remove 'data_format', give shapes as [height, width, \
                channels], and transpose channels-first inputs with x.transpose(0, 2, 3, 1)
                """
        case "input_shape", "batch_input_shape", "input_dim":
            return "give the model's input once, at the top of the spec: 'input: {shape: [height, width, channels]}'"
        case "axis":
            return "cnnc normalizes the last (channel) axis, Keras's default; remove 'axis'"
        case "trainable", "momentum", "kernel_initializer", "bias_initializer", "depthwise_initializer",
            "gamma_initializer", "beta_initializer", "moving_mean_initializer", "moving_variance_initializer",
            "kernel_regularizer", "bias_regularizer", "activity_regularizer", "kernel_constraint", "bias_constraint",
            "seed", "noise_shape", "dtype":
            return "'\(key)' matters only for training; cnnc runs trained weights from a safetensors file: remove it"
        default:
            return nil
        }
    }

    /// The note for a top-level key Keras users write instead of `input`.
    static func note(forTopLevelKey key: String, value: SpecValue) -> String? {
        guard key == "input_shape" || key == "batch_input_shape" else { return nil }
        var sizes = "height, width, channels"
        if case .sequence(let elements) = value.kind {
            let kept = key == "batch_input_shape" || elements.first.map(\.isNull) == true ? Array(elements.dropFirst()) : elements
            let numbers = kept.compactMap { if case .integer(let size) = $0.kind { String(size) } else { nil } }
            if numbers.count == kept.count, !numbers.isEmpty { sizes = numbers.joined(separator: ", ") }
        }
        return "write the input as 'input: {shape: [\(sizes)]}' (the batch axis is implied)"
    }

    /// Whether a document whose top level has these keys is a Keras model file rather than a spec.
    static func isModelFile(_ keys: [String]) -> Bool {
        keys.contains("class_name") && keys.contains("config") && !keys.contains("layers")
    }
}

extension SpecValue {
    var isNull: Bool {
        if case .null = kind { return true }
        return false
    }
}
