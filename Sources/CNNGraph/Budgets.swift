import CNNSpec

/// Budgets a model must keep, as `cnnc check --max-params N --max-macs N --max-activation-bytes N`
/// gives them; each overrides the spec's `limits:` value of the same budget, the others stay.
public struct ModelLimits: Sendable, Equatable {
    /// `--max-params`: the most parameters.
    public var maxParams: Int?
    /// `--max-macs`: the most multiply-adds per sample.
    public var maxMACs: Int?
    /// `--max-activation-bytes`: the most bytes of the largest float32 activation of one sample.
    public var maxActivationBytes: Int?

    /// Budgets as given; nil leaves the spec's value (or no budget).
    public init(maxParams: Int? = nil, maxMACs: Int? = nil, maxActivationBytes: Int? = nil) {
        self.maxParams = maxParams
        self.maxMACs = maxMACs
        self.maxActivationBytes = maxActivationBytes
    }
}

/// The three budgets: what each counts, as `cnnc summary` counts it, and how each is named.
public enum Budget: CaseIterable, Sendable {
    /// Parameters (weights, and a normalization's sample count), as Keras counts them.
    case params
    /// Multiply-adds of one sample.
    case macs
    /// Bytes of the largest float32 activation of one sample: the input or a layer's output.
    case activationBytes

    /// The key in the spec's `limits:`.
    public var specKey: String {
        switch self {
        case .params: "max_params"
        case .macs: "max_macs"
        case .activationBytes: "max_activation_bytes"
        }
    }

    /// The option of `cnnc check`.
    public var flag: String { "--" + specKey.replacingUnderscores }

    var code: DiagnosticCode {
        switch self {
        case .params: .overParamBudget
        case .macs: .overMACBudget
        case .activationBytes: .overActivationBudget
        }
    }

    func limit(in limits: ModelLimits) -> Int? {
        switch self {
        case .params: limits.maxParams
        case .macs: limits.maxMACs
        case .activationBytes: limits.maxActivationBytes
        }
    }

    func limit(in limits: LimitsSpec?) -> Located<Int>? {
        switch self {
        case .params: limits?.maxParams
        case .macs: limits?.maxMACs
        case .activationBytes: limits?.maxActivationBytes
        }
    }
}

/// Checks a validated graph against its budgets: the command line's, else the spec's `limits:`.
/// A model over a budget is an error at the limit that set it (the spec's value, or the spec's
/// first line for a command-line limit), whose notes name the layers that contribute most.
enum Budgets {
    /// The budget errors of `graph`; none when every budget holds.
    static func check(_ graph: Graph, spec: ModelSpec, commandLine: ModelLimits) -> [Diagnostic] {
        let summary = ModelSummary(graph)
        var diagnostics: [Diagnostic] = []
        for budget in Budget.allCases {
            let fromSpec = budget.limit(in: spec.limits)
            let limit: Int
            let setting: String
            let location: SourceLocation
            var overridden: Located<Int>?
            if let value = budget.limit(in: commandLine) {
                (limit, setting, location, overridden) = (value, budget.flag, spec.location, fromSpec)
            } else if let value = fromSpec, value.value >= 1 {
                (limit, setting, location) = (value.value, budget.specKey, value.location)
            } else {
                continue
            }
            let contributions = contributions(to: budget, limit: limit, graph: graph, summary: summary, spec: spec)
            guard let total = contributions.total, total > limit else { continue }
            var diagnostic = Diagnostic.overBudget(budget, total: total, limit: limit, setBy: setting, at: location)
            if let overridden {
                diagnostic = diagnostic.noting(
                    "\(budget.flag) \(limit) overrides the spec's \(budget.specKey): \(overridden.value)",
                    at: overridden.location)
            }
            for part in contributions.largest {
                diagnostic = diagnostic.noting(part.note, at: part.location)
            }
            diagnostics.append(diagnostic)
        }
        return diagnostics
    }

    /// The model's count for `budget` and the three largest parts of it, as notes.
    private static func contributions(
        to budget: Budget, limit: Int, graph: Graph, summary: ModelSummary, spec: ModelSpec
    ) -> (total: Int?, largest: [(note: String, location: SourceLocation)]) {
        func share(_ part: Int, of whole: Int) -> String {
            let tenths = Int((Double(part) / Double(whole) * 1000).rounded())
            return "\(tenths / 10).\(tenths % 10)%"
        }
        func layer(_ index: Int) -> String { "'\(graph.nodes[index].name)' (\(graph.nodes[index].kind.rawValue))" }
        func top(_ counts: [Int]) -> [Int] {
            counts.indices.filter { counts[$0] > 0 }.sorted {
                counts[$0] != counts[$1] ? counts[$0] > counts[$1] : $0 < $1
            }
            .prefix(3).map { $0 }
        }
        switch budget {
        case .params, .macs:
            let counts = summary.rows.map { budget == .params ? $0.parameters : $0.macs }
            let total = budget == .params ? summary.totalParameters : summary.totalMACs
            let noun = budget == .params ? "parameters" : "multiply-adds"
            return (
                total,
                top(counts).map { index in
                    (
                        "\(layer(index)) has \(ModelSummary.grouped(counts[index])) \(noun), \(share(counts[index], of: total)) of the total",
                        graph.nodes[index].location
                    )
                }
            )
        case .activationBytes:
            // The input and every layer's output, largest first; the input counts as one of them.
            var sizes = [(graph.inputShape, "the input", spec.input?.shape?.location ?? spec.location)]
            sizes += graph.nodes.indices.map { (graph.nodes[$0].outputShape, layer($0), graph.nodes[$0].location) }
            let bytes = sizes.map { ($0.0.elementCount ?? 0) * 4 }
            let total = summary.largestActivation.bytes
            return (
                total,
                top(bytes).map { index in
                    (
                        "\(sizes[index].1) gives \(sizes[index].0), \(ModelSummary.grouped(bytes[index])) bytes, \(share(bytes[index], of: limit)) of the budget",
                        sizes[index].2
                    )
                }
            )
        }
    }
}

extension String {
    fileprivate var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}
