// Whether ckpt_fuzz runs under AddressSanitizer: then ASan limits allocation
// sizes and reports crashes itself, and the engine hooks into its death
// callback instead of catching SIGSEGV and friends.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define CKPT_FUZZ_ASAN 1
#else
#define CKPT_FUZZ_ASAN 0
#endif
