import CNNGraph
import CNNSpec
import Foundation

for path in CommandLine.arguments.dropFirst() {
    switch SourceFile.read(path: path) {
    case .failure(let d): print(d)
    case .success(let file):
        let (spec, d1) = SpecParser.parse(file)
        for d in d1 { print(d.location, d.severity, d.message, d.code, d.notes.map(\.message)) }
        if let spec {
            let (g, d2) = GraphBuilder.build(spec)
            for d in d2 { print(d.location, d.severity, d.message, d.code, d.notes.map(\.message)) }
            if let g { for n in g.nodes { print(n.name, n.outputShape, n.parameterCount, n.macs) } }
        }
    }
}
