#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver for programs that keep their own `main` (compiler-rt's FuzzerInterface.h):
/// parses libFuzzer's flags from argc/argv and calls `callback` once per input.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
