import FuzzSupport

// Bytes as a spec file through every stage a `cnnc` subcommand reaches: see `SpecPipeline`.
runFuzzer { bytes in SpecPipeline.run(bytes) }
