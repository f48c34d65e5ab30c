extension SwiftEmitter {
    /// `main.swift` for `--executable`: the options of `cnnc run` (`--weights`, `--input`,
    /// `--output`, `--bench N`, `--threads N`, by default all cores but one thread for `--bench`),
    /// NumPy files in and out, exit status 0, 1 on an error, 64 on misuse.
    public func mainSource() -> String {
        var out = CodeWriter()
        header(&out, file: "main.swift")
        let name = graph.name
        let weightsUsage = embedded == nil ? "--weights W.safetensors " : "[--weights W.safetensors] "
        let load =
            embedded == nil
            ? """
            guard let weightsPath = options["--weights"] else { usageError("missing --weights") }
            let model: \(name)
            do { model = try \(name)(weightsAt: weightsPath) } catch { fail("\\(error)") }
            """
            : """
            let model: \(name)
            if let weightsPath = options["--weights"] {
                do { model = try \(name)(weightsAt: weightsPath) } catch { fail("\\(error)") }
            } else {
                model = \(name)()
            }
            """
        out.lines(
            """
            import Foundation

            let usage = "usage: \(name.lowercased()) \(weightsUsage)--input X.npy [--output Y.npy] [--bench N] [--threads N]"

            func fail(_ message: String) -> Never {
                FileHandle.standardError.write(Data((message + "\\n").utf8))
                exit(1)
            }

            func usageError(_ message: String) -> Never {
                FileHandle.standardError.write(Data("error: \\(message)\\n\\(usage)\\n".utf8))
                exit(64)
            }

            var options: [String: String] = [:]
            var arguments = CommandLine.arguments.dropFirst()
            while let option = arguments.popFirst() {
                if option == "--help" || option == "-h" {
                    print(usage)
                    exit(0)
                }
                guard ["--weights", "--input", "--output", "--bench", "--threads"].contains(option) else { usageError("unknown option '\\(option)'") }
                guard let value = arguments.popFirst() else { usageError("\\(option) needs a value") }
                options[option] = value
            }
            guard let inputPath = options["--input"] else { usageError("missing --input") }
            let runs = options["--bench"].map { Int($0) ?? 0 }
            if let runs, runs < 1 { usageError("--bench needs a positive number of runs") }
            if options["--output"] == nil && runs == nil { usageError("missing --output (or --bench)") }
            // All cores, but one thread for --bench unless --threads says otherwise, as `cnnc run` does.
            let threads = options["--threads"].map { Int($0) ?? 0 } ?? (runs == nil ? ProcessInfo.processInfo.activeProcessorCount : 1)
            if threads < 1 { usageError("--threads needs a positive number of threads") }

            \(load)
            let input: (shape: [Int], values: [Float])
            do { input = try readNumPy(inputPath) } catch { fail("\\(inputPath): error: \\(error.message)") }
            let sampleShape = \(name).inputShape
            let batch: Int
            if input.shape == sampleShape {
                batch = 1
            } else if input.shape.count == sampleShape.count + 1 && Array(input.shape.dropFirst()) == sampleShape {
                batch = input.shape[0]
            } else {
                fail("\\(inputPath): error: the input has shape \\(input.shape), but \(name) expects [N] + \\(sampleShape)")
            }

            let perThread = (batch + threads - 1) / threads
            let workspace = \(name).Workspace(capacity: max(1, min(perThread, \(name).preferredCapacity)), threads: threads)
            var output = [Float](repeating: 0, count: batch * \(name).outputCount)
            input.values.withUnsafeBufferPointer { input in
                output.withUnsafeMutableBufferPointer { output in
                    model.predict(input.baseAddress!, batch: batch, into: output.baseAddress!, workspace: workspace)
                }
            }
            if let outputPath = options["--output"] {
                do { try writeNumPy(output, shape: [batch] + \(name).outputShape, to: outputPath) } catch {
                    fail("\\(outputPath): error: \\(error.message)")
                }
            }
            if let runs {
                var times: [UInt64] = []
                input.values.withUnsafeBufferPointer { input in
                    output.withUnsafeMutableBufferPointer { output in
                        for _ in 0..<runs {
                            let start = DispatchTime.now().uptimeNanoseconds
                            model.predict(input.baseAddress!, batch: batch, into: output.baseAddress!, workspace: workspace)
                            times.append(DispatchTime.now().uptimeNanoseconds - start)
                        }
                    }
                }
                times.sort()
                let median = times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
                print("batch: \\(batch)")
                print("threads: \\(threads)")
                print("runs: \\(runs)")
                print("min_ns_per_batch: \\(times[0])")
                print("median_ns_per_batch: \\(median)")
            }
            """)
        out.line()
        out.lines(SwiftEmitter.numPy)
        return out.text
    }

    /// Reading and writing `.npy` files (versions 1.0 to 3.0; float32, float64 and uint8 read).
    static let numPy = #"""
        // MARK: - NumPy files

        struct NumPyProblem: Error {
            var message: String
        }

        /// A C-order array from a .npy file, converted to Float; sizes are checked against the file.
        func readNumPy(_ path: String) throws(NumPyProblem) -> (shape: [Int], values: [Float]) {
            guard let data = FileManager.default.contents(atPath: path) else { throw NumPyProblem(message: "cannot read the file") }
            let bytes = [UInt8](data)
            guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
                throw NumPyProblem(message: "not a NumPy .npy file")
            }
            guard (1...3).contains(bytes[6]) else { throw NumPyProblem(message: "unsupported .npy version \(bytes[6])") }
            let wide = bytes[6] > 1
            guard bytes.count >= (wide ? 12 : 10) else { throw NumPyProblem(message: "the file is truncated") }
            let length = wide
                ? Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24
                : Int(bytes[8]) | Int(bytes[9]) << 8
            let headerStart = wide ? 12 : 10
            guard length <= bytes.count - headerStart else { throw NumPyProblem(message: "the header runs past the end of the file") }
            let header = String(decoding: bytes[headerStart..<headerStart + length], as: UTF8.self)
            func value(_ key: String) -> Substring? {
                guard let range = header.range(of: "'\(key)':") else { return nil }
                return header[range.upperBound...].drop { $0 == " " }
            }
            guard let descr = value("descr").flatMap({ $0.dropFirst().split(separator: "'").first }),
                let order = value("fortran_order"), let shapeText = value("shape"), shapeText.first == "(",
                let close = shapeText.firstIndex(of: ")")
            else { throw NumPyProblem(message: "the header has no descr, fortran_order or shape") }
            guard order.hasPrefix("False") else { throw NumPyProblem(message: "the array is in Fortran order; save it in C order") }
            let dimensions = shapeText[shapeText.index(after: shapeText.startIndex)..<close]
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            var shape: [Int] = []
            var count = 1
            for dimension in dimensions {
                guard let size = Int(dimension), size >= 0 else { throw NumPyProblem(message: "bad shape (\(dimensions))") }
                let (product, overflow) = count.multipliedReportingOverflow(by: size)
                guard !overflow else { throw NumPyProblem(message: "the shape's size overflows") }
                shape.append(size)
                count = product
            }
            let size: Int
            switch descr {
            case "<f4": size = 4
            case "<f8": size = 8
            case "|u1", "u1", "<u1": size = 1
            default: throw NumPyProblem(message: "dtype '\(descr)' is not read; use float32, float64 or uint8")
            }
            let start = headerStart + length
            let (needed, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, bytes.count - start == needed else {
                throw NumPyProblem(message: "shape \(shape) needs \(needed) bytes of data, the file has \(bytes.count - start)")
            }
            let values = (0..<count).map { i -> Float in
                let at = start + i * size
                switch size {
                case 4:
                    return Float(bitPattern: UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16
                        | UInt32(bytes[at + 3]) << 24)
                case 8:
                    var bits: UInt64 = 0
                    for j in 0..<8 { bits |= UInt64(bytes[at + j]) << (8 * UInt64(j)) }
                    return Float(Double(bitPattern: bits))
                default:
                    return Float(bytes[at])
                }
            }
            return (shape, values)
        }

        /// Writes a float32 .npy file, version 1.0, as numpy.save does.
        func writeNumPy(_ values: [Float], shape: [Int], to path: String) throws(NumPyProblem) {
            let dimensions = shape.count == 1 ? "\(shape[0])," : shape.map(String.init).joined(separator: ", ")
            var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dimensions)), }"
            header += String(repeating: " ", count: 63 - (10 + header.utf8.count) % 64) + "\n"
            var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)]
            bytes += Array(header.utf8)
            for value in values {
                let bits = value.bitPattern
                bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
            }
            // Written to a temporary file and renamed: the output appears whole or not at all.
            do { try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
                throw NumPyProblem(message: "cannot write the file (a missing directory, no permission or a full disk)")
            }
        }
        """#
}
