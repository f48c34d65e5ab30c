// Filled by the interpreter.
