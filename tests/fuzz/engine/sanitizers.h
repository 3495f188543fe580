// Whether ckpt_fuzz runs under AddressSanitizer: then ASan limits allocation
// sizes and reports crashes itself, and the engine hooks into its death
// callback instead of catching SIGSEGV and friends.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define CKPT_FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)  // clang before 15 does not define __SANITIZE_ADDRESS__
#define CKPT_FUZZ_ASAN 1
#endif
#endif
#ifndef CKPT_FUZZ_ASAN
#define CKPT_FUZZ_ASAN 0
#endif
