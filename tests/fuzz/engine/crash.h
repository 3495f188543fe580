// Crash saving: the input being run is written to
// <crash-dir>/crash-<target>-<hash> when the process dies of a signal, a
// sanitizer report, a failed check or the per-input timeout (SIGALRM).
#pragma once

#include <string>

namespace ckpt::fuzz {

// Where crash files go: <dir>/crash-<target>-<16 hex digits of FNV-1a>.
void SetCrashPrefix(const std::string& dir, const std::string& target);

// Installs the handlers that save the current input and then die as before.
void InstallCrashHandlers();

// The input that is being run (nullptr between inputs). The string must
// stay alive until it is replaced.
void SetCurrentInput(const std::string* input);

// Writes `s` to stderr with write(2) only (async-signal-safe).
void WriteStderr(const char* s);

}  // namespace ckpt::fuzz
