// The version of the ckpt headers being compiled against, for preprocessor
// checks in code that supports several releases:
//
//   #if CKPT_VERSION_MAJOR > 0 || CKPT_VERSION_MINOR >= 2
//   ...
//   #endif
//
// Kept equal to project(VERSION) in CMakeLists.txt, the Python package's
// version (pyproject.toml, ckpt.__version__) by a unit test
// (tests/unit/public_headers_test.cc). Within a 0.x series a minor release
// may change the API; the library's SOVERSION is 0 until 1.0.
#pragma once

#define CKPT_VERSION_MAJOR 0
#define CKPT_VERSION_MINOR 1
#define CKPT_VERSION_PATCH 0
// "MAJOR.MINOR.PATCH".
#define CKPT_VERSION_STRING "0.1.0"
